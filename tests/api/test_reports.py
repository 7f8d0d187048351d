"""GET /api/v1/reports/province/: the province report as JSON, or its Excel, CSV or PDF file (audited)."""

import pytest

from survey.models import AuditEntry
from tests import factories

pytestmark = pytest.mark.django_db

URL = "/api/v1/reports/province/"


@pytest.fixture
def report_world(world):
    """Unit A: CCHC 82.36 (Tốt) and an adequate satisfaction of 91.5; unit B: CCHC 64 (Trung bình) and too small a
    sample. Last year's figures give the changes."""
    factories.make_cchc_score(unit=world.unit_a, year=2024, points=82.36)
    factories.make_cchc_score(unit=world.unit_b, year=2024, points=64)
    factories.make_cchc_score(unit=world.unit_a, year=2023, points=80)
    factories.make_unit_snapshot(unit=world.unit_a, value=91.5, n=412, year=2024, ci=(88.0, 94.0))
    factories.make_unit_snapshot(unit=world.unit_b, value=70.0, n=12, adequate=False, year=2024)
    factories.make_unit_snapshot(unit=world.unit_a, value=89.0, year=2023)
    factories.make_unit_snapshot(unit=world.unit_a, value=80.0, n=150, year=2024, quarter=2)
    return world


def test_the_report_as_json(report_world, api_as):
    response = api_as("token_client").get(URL, {"year": 2024})

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["year"], body["quarter"], body["period_label"]) == (2024, None, "Năm 2024")
    assert body["scheme"]["is_default"] is True and body["scheme"]["good_min"] == 80.0
    [group] = body["groups"]
    a, b = sorted(group["units"], key=lambda row: row["code"])
    assert (a["code"], a["cchc"], a["band"], a["band_label"], a["cchc_rank"]) == (
        "so-tu-phap",
        pytest.approx(82.36),
        "tot",
        "Tốt",
        1,
    )
    assert (a["satisfaction"], a["n"], a["ci_low"], a["ci_high"], a["adequate"], a["meets_target"]) == (
        91.5,
        412,
        88.0,
        94.0,
        True,
        True,
    )
    assert a["cchc_change"] == pytest.approx(2.36) and a["satisfaction_change"] == pytest.approx(2.5)
    assert a["composite"] == pytest.approx(0.65 * 82.36 + 0.35 * 91.5)
    # Too small a sample: no satisfaction, no interval, no rank, no composite; the reason is given.
    assert (b["band"], b["satisfaction"], b["n"], b["ci_low"], b["satisfaction_rank"], b["composite"]) == (
        "trung-binh",
        None,
        12,
        None,
        None,
        None,
    )
    assert b["adequate"] is False and b["satisfaction_status"] == "Chưa đủ dữ liệu"
    assert group["cchc_average"] == pytest.approx((82.36 + 64) / 2)
    assert {row["band"]: row["count"] for row in group["band_counts"]} == {
        "tot": 1,
        "kha": 0,
        "trung-binh": 1,
        "yeu": 0,
    }
    assert body["province"]["cchc"] == pytest.approx((82.36 + 64) / 2)
    assert body["province"]["satisfaction"] == 91.5
    assert body["narrative"][0].startswith("Chỉ số CCHC trung bình của toàn tỉnh đạt 73,18%")
    assert any("Sở Y tế" in finding for finding in body["findings"])
    assert body["trends"]["years"] == [2020, 2021, 2022, 2023, 2024]


def test_a_quarters_satisfaction(report_world, api_as):
    body = api_as("province").get(URL, {"year": 2024, "quarter": 2}).json()

    a = next(row for row in body["groups"][0]["units"] if row["code"] == "so-tu-phap")
    assert (body["quarter"], body["period_label"]) == (2, "Quý 2 năm 2024")
    assert (a["satisfaction"], a["n"], a["meets_target"]) == (80.0, 150, False)


def test_the_report_reads_no_ratings(report_world, api_as, django_assert_max_num_queries):
    client = api_as("province")
    with django_assert_max_num_queries(16):
        assert client.get(URL, {"year": 2024}).status_code == 200


@pytest.mark.parametrize(
    ("file_format", "content_type", "start"),
    [
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", b"PK"),
        ("csv", "text/csv; charset=utf-8", "\ufeffKhối".encode()),
        ("pdf", "application/pdf", b"%PDF"),
    ],
)
def test_the_report_as_a_file_is_audited(file_format, content_type, start, report_world, api_as):
    response = api_as("admin").get(URL, {"year": 2024, "quarter": 1, "format": file_format}, HTTP_ACCEPT="*/*")

    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == f'attachment; filename="bao-cao-cchc-hai-long-2024-quy1.{file_format}"'
    assert response.content.startswith(start)
    entry = AuditEntry.objects.get(action="report.export")
    assert entry.actor == report_world.admin
    assert entry.changes == {"year": 2024, "quarter": 1, "format": file_format, "delivery": "api"}


def test_the_csv_holds_every_unit(report_world, api_as):
    text = api_as("province").get(URL, {"year": 2024, "format": "csv"}).content.decode("utf-8-sig")

    assert "so-tu-phap,Sở Tư pháp,82.36,Tốt,1,91.5,412" in text
    assert "so-y-te,Sở Y tế,64.0,Trung bình" in text


def test_reading_the_json_is_not_an_export(report_world, api_as):
    api_as("province").get(URL, {"year": 2024})

    assert not AuditEntry.objects.filter(action="report.export").exists()


def test_a_client_asking_for_a_pdf_gets_it_and_errors_stay_json(report_world, api_as):
    client = api_as("province")

    pdf = client.get(URL, {"year": 2024, "format": "pdf"}, HTTP_ACCEPT="application/pdf")
    error = client.get(URL, {"year": 1999, "format": "pdf"}, HTTP_ACCEPT="application/pdf")

    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert error.status_code == 400 and error["Content-Type"] == "application/json"
    assert not AuditEntry.objects.filter(action="report.export", changes__year=1999).exists()


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({}, "year"),
        ({"year": "1999"}, "year"),
        ({"year": "hai nghìn"}, "year"),
        ({"year": "2024", "quarter": "5"}, "quarter"),
        ({"year": "2024", "format": "docx"}, "format"),
    ],
)
def test_bad_queries_answer_400_naming_the_parameter(query, field, world, api_as):
    response = api_as("province").get(URL, query)

    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]


def test_empty_optional_parameters_take_their_defaults(report_world, api_as):
    response = api_as("province").get(URL, {"year": 2024, "quarter": "", "format": ""})

    assert response.status_code == 200 and response.json()["quarter"] is None


def test_a_year_without_scores_says_so(world, api_as):
    body = api_as("province").get(URL, {"year": 2030}).json()

    assert body["province"]["cchc"] is None
    assert body["narrative"] == ["Chưa có điểm chỉ số CCHC của năm 2030."]
