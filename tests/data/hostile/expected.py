"""What a careful user expects from each case of the hostile corpus (``build_corpus.CASES``).

Outcome kinds, for the CLI (``tiltpilot audit FILE``) and the dashboard (Data page, then Save):

- ``accept``: the CLI exits 0; the dashboard shows no error and Save stores exactly one dataset.
  With ``words``, a notice (a CLI line, a dashboard warning/info/text) must contain one of them:
  something changed or was dropped and the user must be told.
- ``refuse``: the CLI exits 2 with one of ``words`` in its error; the dashboard shows an error box
  (at upload or at Save) containing one of ``words``, and nothing is stored.
- ``flag``: CLI only, for data that loads but cannot train: exit 2 with one of ``words`` in the
  error, or exit 0 with one of ``words`` in a finding that is not merely ``[info]``.
- ``either``: accepting and refusing (with one of ``words``) are both fine; what matters is
  bounded time and memory, no traceback and nothing left behind.

Words match case-insensitively against the English text. Every case, whatever its kind, must
give no traceback, write nothing outside the store, and never show user text as Markdown.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from build_corpus import MARKDOWN_IMAGE


@dataclass(frozen=True)
class Outcome:
    kind: str
    words: tuple[str, ...] = ()


@dataclass(frozen=True)
class Expected:
    """The expected outcome of one case.

    Attributes:
        category: What the case exercises (a column of the corpus table).
        cli: Outcome of ``tiltpilot audit FILE``.
        dashboard: Outcome on the Data page (upload, then Save).
        mapping: Role -> column the dashboard user picks by hand before Save (default: detected).
        rows: Pairs the stored dataset must hold after an accepted Save, when it matters.
    """

    category: str
    cli: Outcome
    dashboard: Outcome
    mapping: dict[str, str] = field(default_factory=dict)
    rows: int | None = None


ACCEPT = Outcome("accept")
CANNOT_TRAIN = ("distinct", "too little", "at least", "cannot train", "one group")
NOTICE_DROPPED = ("whitespace", "blank", "skipped", "dropped", "removed", "ignored")
NOTICE_CONVERTED = ("integer", "convert", "numeric")
NOT_SUPPORTED = ("not supported",)
# The page's file chooser refuses other types itself (Streamlit's own message, in the browser and in AppTest).
CHOOSER_REFUSES = ("invalid file extension", "not allowed")


def accepted(category: str, **extra: object) -> Expected:
    return Expected(category, ACCEPT, ACCEPT, **extra)  # type: ignore[arg-type]


def refused(category: str, *words: str) -> Expected:
    return Expected(category, Outcome("refuse", words), Outcome("refuse", words))


def noticed(category: str, *words: str) -> Expected:
    return Expected(category, Outcome("accept", words), Outcome("accept", words))


def wrong_type() -> Expected:
    return Expected("extension", Outcome("refuse", NOT_SUPPORTED), Outcome("refuse", NOT_SUPPORTED + CHOOSER_REFUSES))


def cannot_train(cli_kind: str = "refuse") -> Expected:
    """Loads, but a train/test split or contrastive training is impossible: refused at Save."""
    return Expected("cannot train", Outcome(cli_kind, CANNOT_TRAIN), Outcome("refuse", CANNOT_TRAIN))


EXPECTED: dict[str, Expected] = {
    "good_csv": accepted("control"),
    "empty_file": refused("empty", "empty", "0 bytes"),
    "only_blank_lines": refused("empty", "blank"),
    "bom_only": refused("empty", "blank", "empty"),
    "binary_garbage": refused("binary", "binary", "not a text"),
    "utf8_bom": accepted("encoding"),
    "latin1": refused("encoding", "UTF-8"),
    "cp1252_smart_quotes": refused("encoding", "UTF-8"),
    "utf16_bom": refused("encoding", "UTF-16"),
    # No BOM, so NUL bytes between ASCII letters; a careful user is told the encoding, not "binary".
    "utf16_no_bom": refused("encoding", "UTF-16"),
    "ragged_rows": refused("structure", "fields"),
    "short_row": refused("structure", "fields"),
    "unbalanced_quote": refused("structure", "quot"),
    "junk_after_quote": refused("structure", "quot"),
    # User text is data: accepted as typed (exports neutralise formulas; pages never render it).
    "formulas_in_cells": accepted("injection"),
    "formula_in_header": accepted("injection"),
    "script_in_cells": accepted("injection"),
    "script_in_header": accepted("injection"),
    "img_onerror_in_header": accepted("injection"),
    "markdown_in_cells": accepted("injection"),
    # The error names the column: it must be shown as text, never as a Markdown image.
    "markdown_image_header_duplicate": refused("injection", "two columns"),
    "markdown_image_header_as_title": Expected("injection", Outcome("refuse", ("cannot tell",)), ACCEPT,
                                               mapping={"left": MARKDOWN_IMAGE, "right": "description"}),
    "rtl_text": accepted("script"),
    "cjk_text": accepted("script"),
    "control_characters": accepted("script"),
    # A row of whitespace-only cells is dropped: the user is told how many and which.
    "whitespace_only_rows": noticed("silent change", *NOTICE_DROPPED),
    "blank_lines_between_rows": accepted("structure"),
    "header_only": refused("empty", "no data rows"),
    "one_row": cannot_train(),
    "nine_pairs": cannot_train(),
    "one_pair_100_rows": cannot_train(),
    "three_distinct_pairs": cannot_train("flag"),
    "single_group": cannot_train(),
    "duplicate_headers": refused("header", "two columns"),
    "duplicate_headers_spaces": refused("header", "two columns"),
    "long_cell_ok": accepted("size"),
    "very_long_cell": refused("size", "characters"),
    "nul_bytes": refused("binary", "NUL", "binary"),
    "nul_byte_after_64k": refused("binary", "NUL", "binary"),
    "huge_line": refused("size", "fields"),
    "huge_unquoted_cell": refused("size", "characters"),
    "crlf_line_endings": accepted("structure"),
    "cr_only_line_endings": accepted("structure"),
    "semicolon_delimited": accepted("structure"),
    "tsv": accepted("structure"),
    # No header: the CLI cannot detect roles; on the page the user maps by hand and keeps all 30 rows.
    "no_header": Expected("header", Outcome("refuse", ("cannot tell",)), ACCEPT,
                          mapping={"left": "red kettle model 0",
                                   "right": "a red kettle, catalogue number 0, sold since 1990"}, rows=30),
    "path_traversal_name": accepted("file name"),
    "path_traversal_windows_name": accepted("file name"),
    "absolute_path_name": accepted("file name"),
    "path_traversal_bad_content": refused("file name", "fields"),
    "rtl_override_name": accepted("file name"),
    "very_long_name": accepted("file name"),
    "exe_extension": wrong_type(),
    "csv_content_exe_name": wrong_type(),
    "double_extension_exe": wrong_type(),
    "zip_extension": wrong_type(),
    "no_extension": wrong_type(),
    "jsonl_good": accepted("jsonl"),
    "jsonl_invalid_lines": refused("jsonl", "not valid JSON"),
    "jsonl_not_object": refused("jsonl", "not an object"),
    "jsonl_nested_title": refused("jsonl", "list or object"),
    "jsonl_duplicate_key": refused("jsonl", "twice"),
    "parquet_good": accepted("parquet"),
    # Integer columns become text: the user is told which were converted.
    "parquet_integer_columns": noticed("silent change", *NOTICE_CONVERTED),
    "parquet_truncated": refused("parquet", "Parquet"),
    "parquet_named_csv": refused("binary", "binary", "Parquet"),
    "xlsx_good": accepted("excel"),
    "xlsx_formula_column": accepted("excel"),
    # Formulas saved without computed values read as empty cells: refused, naming them.
    "xlsx_formula_text_cells": refused("excel", "formula", "empty"),
    "xlsx_is_csv": refused("excel", "Excel", ".xlsx"),
    "xls_ole2_named_xlsx": refused("excel", "Excel", ".xls"),
    "zip_bomb_xlsx": refused("size", "Excel", ".xlsx"),
    # Inflates to 100 MiB of XML whitespace: streamed (accepted) or refused by a size limit.
    "xlsx_sheet_bomb": Expected("size", Outcome("either", ("too large", "limit", "MB")),
                                Outcome("either", ("too large", "limit", "MB"))),
}
