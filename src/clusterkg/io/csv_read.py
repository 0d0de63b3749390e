"""Reading an analyst's CSV file into numbered rows, with every problem reported by row.

Rows are numbered as a spreadsheet shows them: the header is row 1, the first data row row 2
(a quoted cell spanning lines still counts as one row).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

#: Longest cell accepted; longer ones are an error, not a silent cut.
MAX_CELL = 10_000
#: Cells starting like a spreadsheet formula. Import refuses them in text columns: such cells
#: usually come from a sheet exported with formulas instead of values, and storing them would
#: carry the payload (``=cmd|' /C calc'!A0``) into every later CSV export.
#: A ``-`` is refused unless the whole cell is a plain number: ``-1+cmd|' /C calc'!A0`` is a
#: formula as much as ``=1+cmd...`` is.
FORMULA = re.compile(r"^[=+@\t\r]|^-(?!(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$)")


@dataclass(frozen=True)
class RowError:
    """One problem of an input file: the row, the column, the value and what is wrong."""

    row: int
    column: str
    value: str
    reason: str

    def __str__(self) -> str:
        value = self.value if len(self.value) <= 60 else self.value[:57] + "..."
        where = f"row {self.row}" if self.row else "file"
        return f"{where}, column {self.column or '-'}: {value!r}: {self.reason}"


@dataclass
class Table:
    """The header and the data rows (row number, {column: cell}) of one CSV file."""

    header: list[str]
    rows: list[tuple[int, dict[str, str]]]
    delimiter: str


def decode(data: bytes) -> tuple[str | None, list[RowError]]:
    """The text of a UTF-8 file (a byte-order mark is dropped), or an error naming the row."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        row = data[: exc.start].count(b"\n") + 1
        return None, [
            RowError(
                row,
                "",
                repr(data[exc.start : exc.start + 4])[2:-1],
                f"not UTF-8 (byte {exc.start}); save the file as UTF-8 CSV",
            )
        ]
    if "\x00" in text:
        row = text[: text.index("\x00")].count("\n") + 1
        return None, [RowError(row, "", "\\x00", "NUL byte: this is not a text CSV file")]
    return text, []


def sniff_delimiter(text: str) -> str:
    """Comma or semicolon, whichever :class:`csv.Sniffer` finds in the first lines."""
    sample = "\n".join(text.splitlines()[:20])
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;").delimiter
    except csv.Error:
        first = text.split("\n", 1)[0]
        return ";" if first.count(";") > first.count(",") else ","


def read_table(data: bytes, columns: list[str]) -> tuple[Table | None, list[RowError]]:
    """Parse CSV bytes against the template's ``columns``.

    Errors: not UTF-8, an empty file, unknown or repeated header names, rows with more cells
    than the header, cells longer than :data:`MAX_CELL`, broken quoting.
    """
    text, errors = decode(data)
    if text is None:
        return None, errors
    if not text.strip():
        return None, [RowError(1, "", "", "the file is empty: it needs a header row")]
    delimiter = sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows: list[tuple[int, dict[str, str]]] = []
    header: list[str] = []
    row_no = 0
    try:
        for row_no, cells in enumerate(reader, 1):
            if row_no == 1:
                header = [c.strip() for c in cells]
                errors.extend(_check_header(header, columns))
                continue
            if not any(c.strip() for c in cells):
                continue  # blank line
            if len(cells) > len(header):
                extra = cells[len(header) :]
                errors.append(
                    RowError(
                        row_no,
                        "",
                        delimiter.join(extra)[:80],
                        f"{len(cells)} cells but the header has {len(header)}",
                    )
                )
                continue
            long = [(h, c) for h, c in zip(header, cells, strict=False) if len(c) > MAX_CELL]
            if long:
                errors.extend(
                    RowError(row_no, h, c[:40], f"cell longer than {MAX_CELL} characters")
                    for h, c in long
                )
                continue
            rows.append((row_no, {h: c.strip() for h, c in zip(header, cells, strict=False)}))
    except csv.Error as exc:
        errors.append(RowError(row_no + 1, "", "", f"broken CSV: {exc}"))
    return Table(header, rows, delimiter), errors


def _check_header(header: list[str], columns: list[str]) -> list[RowError]:
    errors = []
    seen: set[str] = set()
    for name in header:
        if name in seen:
            errors.append(RowError(1, name, name, "column named twice"))
        seen.add(name)
        if name not in columns:
            errors.append(
                RowError(1, name, name, f"unknown column; the template has: {', '.join(columns)}")
            )
    return errors
