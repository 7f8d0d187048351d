"""Exports of the province report: Excel (openpyxl), PDF (pypdf) and CSV show the seed's figures; files are made
by the background task with progress and downloaded only by provincial staff."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from indices.exports_report import build_report_csv, build_report_pdf, build_report_xlsx, generate_report_export
from indices.models import ReportExport
from indices.reports import build_province_report
from survey.models import User
from tests import factories

pytestmark = pytest.mark.django_db


def test_excel_has_one_sheet_per_table_with_numbers_as_numbers(demo):
    workbook = load_workbook(io.BytesIO(build_report_xlsx(build_province_report(year=2017))))

    assert workbook.sheetnames == [
        "Tổng hợp",
        "Cơ quan Trung ương đóng trên",
        "Cơ quan chuyên môn thuộc UBND",
        "UBND huyện, thị xã, thành phố",
        "Phương pháp tính",
    ]
    summary = {row[0]: row for row in workbook["Tổng hợp"].iter_rows(min_row=4, max_row=7, values_only=True)}
    assert summary["Cơ quan Trung ương đóng trên địa bàn tỉnh"][2:3] == (87.46,)
    # units, CCHC and its k, satisfaction and its k, ballots, answers, composite, change, then the bands
    assert summary["Cơ quan Trung ương đóng trên địa bàn tỉnh"][1:4] == (5, 87.46, 5)
    assert summary["Cơ quan Trung ương đóng trên địa bàn tỉnh"][10:12] == (4, 1)
    assert summary["Cơ quan chuyên môn thuộc UBND tỉnh"][2] == 73.93
    assert summary["Cơ quan chuyên môn thuộc UBND tỉnh"][10:13] == (3, 14, 4)
    assert summary["UBND huyện, thị xã, thành phố"][2] == 64.51
    assert summary["UBND huyện, thị xã, thành phố"][10:13] == (0, 5, 6)
    assert summary["Toàn tỉnh (trung bình các khối)"][2] == 75.3
    texts = [row[0] for row in workbook["Tổng hợp"].iter_rows(min_row=9, values_only=True)]
    assert texts[0].startswith("Chỉ số CCHC trung bình của toàn tỉnh đạt 75,3%")
    departments = workbook["Cơ quan chuyên môn thuộc UBND"]
    office = next(row for row in departments.iter_rows(min_row=2, values_only=True) if row[0] == "vp-ubnd")
    assert office[1:5] == ("Văn phòng UBND tỉnh", 82.36, "Tốt", 2)
    assert isinstance(office[2], float)
    method = {row[0]: row[1] for row in workbook["Phương pháp tính"].iter_rows(values_only=True)}
    assert method["Cỡ mẫu tối thiểu"] == "30"
    assert "73,125 → 73,13" in method["Làm tròn"]
    assert "Tất cả các kênh" in method["Kênh được tính"]


def test_pdf_is_a4_with_the_seed_figures_and_correct_diacritics(demo):
    reader = PdfReader(io.BytesIO(build_report_pdf(build_province_report(year=2017))))

    width, height = sorted(float(v) for v in reader.pages[0].mediabox[2:])
    assert (round(width), round(height)) == (595, 842)
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    assert "Chỉ số CCHC trung bình của toàn tỉnh đạt 75,3%" in text
    for phrase in (
        "87,46% (4 đơn vị xếp loại tốt, 1 đơn vị xếp loại khá)",
        "73,93% (3 đơn vị xếp loại tốt, 14 đơn vị xếp loại khá, 4 đơn vị xếp loại trung bình)",
        "64,51% (5 đơn vị xếp loại khá, 6 đơn vị xếp loại trung bình)",
        "Văn phòng UBND tỉnh 82,36 Tốt 2",
        "Chỉ số CCHC theo đơn vị (%)",  # the bar chart
        "Diễn biến qua các năm (%)",  # the trend chart
        "Phương pháp tính",  # the method page
        "Điểm tổng hợp",
    ):
        assert phrase in text


def test_csv_has_one_row_per_unit(demo):
    text = build_report_csv(build_province_report(year=2017)).decode("utf-8-sig")
    lines = text.splitlines()
    assert sum(1 for line in lines if line.startswith(("Cơ quan", '"UBND'))) >= 37
    assert "Cơ quan chuyên môn thuộc UBND tỉnh,vp-ubnd,Văn phòng UBND tỉnh,82.36,Tốt,2," in text
    assert "Toàn tỉnh (trung bình các khối),37,75.3,37," in text
    assert "Phương pháp tính" in text


@pytest.mark.parametrize("file_format", ["xlsx", "csv", "pdf"])
def test_export_is_generated_in_the_background_and_downloaded(
    client, demo, file_format, django_capture_on_commit_callbacks, eager_celery
):
    client.force_login(User.objects.get(username="province"))

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(reverse("reports:export-create"), {"year": 2017, "file_format": file_format})

    assert len(callbacks) == 1
    export = ReportExport.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("reports:export-show", args=[export.pk])
    assert (export.status, export.progress) == (ReportExport.Status.DONE, 100)
    page = client.get(response["Location"]).content.decode()
    assert "Hoàn tất" in page and reverse("reports:export-download", args=[export.pk]) in page
    download = client.get(reverse("reports:export-download", args=[export.pk]))
    assert download.status_code == 200
    content = b"".join(download.streaming_content)
    assert content.startswith({"xlsx": b"PK\x03\x04", "pdf": b"%PDF", "csv": "\ufeffKhối".encode()}[file_format])
    assert str(export.file.path).startswith(str(export.file.storage.location))


def test_a_pending_export_shows_progress_and_refreshes(client, world):
    export = ReportExport.objects.create(requested_by=world.province, year=2017, format="pdf", progress=40)
    client.force_login(world.province)
    page = client.get(reverse("reports:export-show", args=[export.pk])).content.decode()
    assert 'data-refresh-seconds="2"' in page and "js/auto_refresh.js" in page and 'value="40"' in page
    assert client.get(reverse("reports:export-download", args=[export.pk])).status_code == 404


def test_generation_runs_once_and_records_failures(world, monkeypatch):
    export = ReportExport.objects.create(requested_by=world.province, year=2017, format="xlsx")
    assert generate_report_export(export_id=export.pk).status == ReportExport.Status.DONE
    assert generate_report_export(export_id=export.pk).file == ReportExport.objects.get(pk=export.pk).file

    failing = ReportExport.objects.create(requested_by=world.province, year=2017, format="pdf")

    def broken(report, progress):
        raise RuntimeError("font missing")

    monkeypatch.setitem(__import__("indices.exports_report").exports_report.BUILDERS, "pdf", broken)
    result = generate_report_export(export_id=failing.pk)
    assert (result.status, result.error) == (ReportExport.Status.FAILED, "font missing")


@pytest.mark.parametrize("who", ["officer_a", "lead_a"])
def test_unit_staff_cannot_request_see_or_download_exports(
    client, world, who, django_capture_on_commit_callbacks, eager_celery
):
    export = ReportExport.objects.create(requested_by=world.province, year=2017, format="csv")
    generate_report_export(export_id=export.pk)
    client.force_login(getattr(world, who))
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("reports:export-create"), {"year": 2017, "file_format": "csv"}).status_code == 403
    assert client.get(reverse("reports:export-show", args=[export.pk])).status_code == 403
    assert client.get(reverse("reports:export-download", args=[export.pk])).status_code == 403
    assert ReportExport.objects.count() == 1


def test_export_request_with_bad_input_is_refused(client, world):
    client.force_login(world.province)
    response = client.post(reverse("reports:export-create"), {"year": 2017, "file_format": "docx"})
    assert response.status_code == 400 and "Định dạng không được hỗ trợ." in response.content.decode()
    assert client.get(reverse("reports:export-create")).status_code == 405
    assert not ReportExport.objects.exists()


def test_quarter_export_carries_the_quarter(world):
    factories.make_cchc_score(unit=world.unit_a, year=2017, points=81)
    factories.make_unit_snapshot(unit=world.unit_a, value=88, quarter=3)
    export = ReportExport.objects.create(requested_by=world.province, year=2017, quarter=3, format="csv")
    generate_report_export(export_id=export.pk)
    export.refresh_from_db()
    text = export.file.read().decode("utf-8-sig")
    assert "so-tu-phap,Sở Tư pháp,81.0,Tốt,1,88.0,120," in text
