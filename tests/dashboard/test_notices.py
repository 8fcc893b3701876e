"""Messages that carry user text are shown as typed: no Markdown link, image or directive survives."""

from __future__ import annotations

from markdown_it import MarkdownIt

from dashboard.notices import plain

HOSTILE = [
    "![x](http://host/pixel.png)",
    "[click](javascript:alert(1))",
    "<img src=x onerror=alert(1)>",
    ":red[alarm] :material/home: $x^2$ **bold** `code` # heading",
    "=HYPERLINK(\"http://evil\")",
]


def test_escaped_text_renders_to_the_same_characters_and_no_markup():
    md = MarkdownIt("commonmark")
    for text in HOSTILE:
        rendered = md.render(plain(text))
        assert "<img" not in rendered and "<a " not in rendered and "<strong" not in rendered
        assert "<code" not in rendered and "<h1" not in rendered
        # the reader sees exactly the original characters (HTML-escaped by the renderer)
        inline = md.parseInline(plain(text))[0].children
        assert "".join(tok.content for tok in inline) == text


def test_newlines_stay_line_breaks():
    assert plain("a\nb") == "a  \nb"
