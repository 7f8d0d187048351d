"""Small outputs of the daily work: readable Excel sheet names, and no empty scatter chart in the report."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from indices.exports import sheet_title


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Chỉ số hài lòng theo tiêu chí của đơn vị", "Chỉ số hài lòng theo tiêu chí"),
        ("Xu hướng", "Xu hướng"),
        ("Tỷ lệ [hài lòng]: quý 1/2025?", "Tỷ lệ hài lòng quý 12025"),
        ("x" * 40, "x" * 31),
    ],
)
def test_sheet_titles_fit_excel_and_end_on_a_whole_word(title, expected):
    assert sheet_title(title) == expected and len(sheet_title(title)) <= 31


@pytest.mark.django_db
def test_the_dashboard_export_names_its_sheet_after_the_table(client, world):
    client.force_login(world.officer_a)
    response = client.get(reverse("indices:table-export", args=[world.unit_a.pk, "criteria", "xlsx"]) + "?ky=2025-03")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.title == sheet_title(sheet["A1"].value) and " " in sheet.title


@pytest.mark.django_db
def test_a_year_without_satisfaction_data_draws_no_empty_scatter(client, world):
    client.force_login(world.province)
    html = client.get(reverse("reports:report-show") + "?year=2017").content.decode()
    assert 'id="chart-scatter"' not in html
    assert 'id="chart-scatter-empty"' in html and "Chưa có đơn vị nào có đủ hai số liệu." in html
