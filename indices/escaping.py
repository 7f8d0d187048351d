"""Escaping of text that leaves the application in a file another program interprets: spreadsheets (CSV, XLSX)
and reportlab's mini-markup in PDF paragraphs. Unit, counter and group names and citizens' words reach both.

- A spreadsheet runs a cell that starts with `=`, `+`, `-` or `@` (and, in some programs, a tab or a carriage
  return before one) as a formula: `=HYPERLINK(...)` in a unit's name would become a live link in every export.
  `spreadsheet_cell` prefixes such text with an apostrophe, which spreadsheets show as plain text; numbers, dates
  and empty cells pass unchanged.
- reportlab's `Paragraph` parses its text as XML-like markup: a `<` in a name breaks the PDF (a 500), and
  `<img src="/etc/...">` would embed a local file. `pdf_text` escapes `&`, `<` and `>`.
"""

import csv
from typing import Any
from xml.sax.saxutils import escape

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_cell(value: Any) -> Any:
    """`value` ready for a CSV or XLSX cell: text that a spreadsheet would run as a formula gets a leading `'`."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def spreadsheet_row(values) -> list:
    return [spreadsheet_cell(value) for value in values]


class _EscapingCsvWriter:
    def __init__(self, buffer) -> None:
        self._writer = csv.writer(buffer)

    def writerow(self, row) -> None:
        self._writer.writerow(spreadsheet_row(row))

    def writerows(self, rows) -> None:
        for row in rows:
            self.writerow(row)


def spreadsheet_csv_writer(buffer) -> _EscapingCsvWriter:
    """A `csv.writer` on `buffer` whose every cell goes through `spreadsheet_cell`."""
    return _EscapingCsvWriter(buffer)


def escape_workbook(workbook) -> None:
    """Pass every text cell of an openpyxl workbook through `spreadsheet_cell`, just before it is saved.

    openpyxl stores text starting with `=` as a formula: the cell is set again as escaped text. A writer's own
    formulas, if it ever writes some, must then be added after this call."""
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type in ("s", "f") and isinstance(cell.value, str):
                    escaped = spreadsheet_cell(cell.value)
                    if escaped is not cell.value:
                        cell.value = escaped
                        cell.data_type = "s"


def pdf_text(value: Any) -> str:
    """`value` as text for a reportlab `Paragraph`, with its markup characters escaped."""
    return escape("" if value is None else str(value))
