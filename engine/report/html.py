"""The report as one self-contained HTML file (jinja2, autoescaped): interactive for screens, images for print."""

from __future__ import annotations

import base64
from collections.abc import Mapping

from jinja2 import Environment, PackageLoader
from markupsafe import Markup

from engine.i18n import message
from engine.report.content import Report
from engine.report.figures import FONT_STACK, figure_div

TEMPLATE = "report.html.j2"
# Fonts per language for the page text: Japanese first names a CJK font, so kana and kanji never
# fall back to boxes; English prefers the usual Latin faces and keeps a CJK face for user text.
PAGE_FONTS: Mapping[str, str] = {
    "ja": FONT_STACK,
    "en": '"Segoe UI", "Helvetica Neue", Arial, "Noto Sans", "DejaVu Sans", "Noto Sans CJK JP", sans-serif',
}

_env = Environment(loader=PackageLoader("engine.report", "templates"), autoescape=True, trim_blocks=True,
                   lstrip_blocks=True)


def _interactive_charts(report: Report) -> dict[int, Markup]:
    # plotly.js goes in once, with the first chart; later charts reuse the global Plotly object.
    divs: dict[int, Markup] = {}
    for section in report.sections:
        for chart in section.charts:
            divs[id(chart)] = Markup(figure_div(chart.figure, include_js=not divs))
    return divs


def _image_charts(images: Mapping[int, bytes]) -> dict[int, str]:
    return {key: "data:image/png;base64," + base64.b64encode(png).decode("ascii") for key, png in images.items()}


def render_html(report: Report, images: Mapping[int, bytes] | None = None) -> str:
    """The report as HTML text.

    Args:
        report: The assembled report.
        images: ``{id(chart): PNG bytes}`` for the print variant (PDF); ``None`` embeds interactive
            plotly charts with plotly.js inlined once (works offline).

    Returns:
        A complete HTML document whose ``src``/``href`` attributes hold no external URL.
    """
    template = _env.get_template(TEMPLATE)
    return template.render(
        report=report,
        charts={} if images is not None else _interactive_charts(report),
        images=_image_charts(images) if images is not None else {},
        font=PAGE_FONTS.get(report.lang, PAGE_FONTS["en"]),
        outcomes=message("report.OUTCOMES"),
        ui={"takeaway": message("report.TAKEAWAY_LABEL"), "empty": message("report.EMPTY_LABEL"),
            "contents": message("report.CONTENTS")},
        chart_key=id,
        is_print=images is not None,
    )

