"""CSV and Excel exports of the dashboard tables (`selectors.Table`). Numbers stay numbers: CSV writes them with
a dot and full precision, Excel gets numeric cells with a 2-decimal display format; an empty figure is "N/A"."""

from __future__ import annotations

import io

from django.http import HttpResponse
from django.utils.text import slugify
from openpyxl import Workbook
from openpyxl.styles import Font

from .escaping import escape_workbook, spreadsheet_csv_writer
from .selectors import Table

NOT_AVAILABLE = "N/A"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _cell(value):
    return NOT_AVAILABLE if value is None else value


def table_csv(table: Table, *, filename: str) -> HttpResponse:
    buffer = io.StringIO()
    # The byte-order mark lets Excel open the UTF-8 file with Vietnamese letters intact.
    buffer.write("\ufeff")
    writer = spreadsheet_csv_writer(buffer)
    writer.writerow([c.label for c in table.columns])
    for row in table.rows:
        writer.writerow([_cell(v) for v in row])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{slugify(filename)}.csv"'
    return response


def sheet_title(name: str) -> str:
    r"""A readable Excel sheet name from a table's title: Excel allows 31 characters and none of []:*?/\, so a
    longer title is cut at the last whole word that fits (a single word longer than that is cut)."""
    title = " ".join("".join(c for c in name if c not in "[]:*?/\\").split())
    if len(title) > 31:
        head = title[:32]
        title = head.rsplit(" ", 1)[0].rstrip(" ,;-–") if " " in head else title[:31]
    return title or "Sheet"


def table_xlsx(table: Table, *, filename: str, subtitle: str = "") -> HttpResponse:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_title(str(table.title))
    sheet.append([table.title])
    sheet["A1"].font = Font(bold=True)
    sheet.append([subtitle])
    sheet.append([c.label for c in table.columns])
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    for row in table.rows:
        sheet.append([_cell(v) for v in row])
        for cell, column in zip(sheet[sheet.max_row], table.columns, strict=True):
            if column.numeric and isinstance(cell.value, float):
                cell.number_format = "0.00"
    for letter, width in zip("ABCDEFGH", (34, 16, 16, 16, 16, 16, 16, 16), strict=False):
        sheet.column_dimensions[letter].width = width
    buffer = io.BytesIO()
    escape_workbook(workbook)
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{slugify(filename)}.xlsx"'
    return response
