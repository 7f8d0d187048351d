"""CCHC scores through the API: list and detail with bands, create or replace through `save_cchc_score`, and the
file import through `import_cchc_scores` (all or nothing, every fault by row and column)."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from indices.models import CchcFieldScore, CchcImport, CchcScore, ReportScheme
from survey.models import AuditEntry
from tests import factories

pytestmark = pytest.mark.django_db

LIST = "/api/v1/cchc-scores/"
IMPORT = "/api/v1/cchc-scores/import/"
FIELD = "thu-tuc-hanh-chinh"  # Seeded by migration indices 0002.


def scores(year: int) -> dict[str, tuple[Decimal, Decimal]]:
    return {s.unit.code: (s.points, s.max_points) for s in CchcScore.objects.filter(year=year).select_related("unit")}


# Reading -----------------------------------------------------------------------------------------------------------


def test_list_gives_percent_and_the_band_of_each_years_scheme(world, api_as):
    ReportScheme.objects.create(valid_from_year=2024, good_min=85, fair_min=70, average_min=50)
    factories.make_cchc_score(unit=world.unit_a, year=2023, points=82.36)  # default scheme: Tốt from 80
    factories.make_cchc_score(unit=world.unit_a, year=2024, points=82.36)  # 2024 scheme: Tốt from 85

    rows = api_as("token_client").get(LIST).json()["results"]

    assert [(r["year"], r["points"], r["percent"], r["band"], r["band_label"]) for r in rows] == [
        (2024, 82.36, pytest.approx(82.36), "kha", "Khá"),
        (2023, 82.36, pytest.approx(82.36), "tot", "Tốt"),
    ]
    assert rows[0]["unit"] == world.unit_a.pk and rows[0]["unit_code"] == "so-tu-phap"


def test_filters_by_year_unit_and_group(world, api_as):
    other_group = factories.make_group()
    unit_c = factories.make_unit(group=other_group)
    a = factories.make_cchc_score(unit=world.unit_a, year=2024, points=80)
    b = factories.make_cchc_score(unit=world.unit_b, year=2024, points=70)
    c = factories.make_cchc_score(unit=unit_c, year=2024, points=60)
    old = factories.make_cchc_score(unit=world.unit_a, year=2023, points=75)
    client = api_as("province")

    def found(**query) -> set[int]:
        response = client.get(LIST, query)
        assert response.status_code == 200, response.content
        return {row["id"] for row in response.json()["results"]}

    assert found(year=2024) == {a.pk, b.pk, c.pk}
    assert found(unit=world.unit_a.pk) == {a.pk, old.pk}
    assert found(group=world.group.pk, year=2024) == {a.pk, b.pk}
    assert found(group=other_group.pk) == {c.pk}
    assert found(year="") == {a.pk, b.pk, c.pk, old.pk}


@pytest.mark.parametrize("query", [{"year": "1999"}, {"year": "năm"}, {"unit": "0"}, {"group": "x"}])
def test_bad_filters_answer_400(query, world, api_as):
    response = api_as("province").get(LIST, query)

    assert response.status_code == 400
    assert set(response.json()["errors"]) == set(query)


def test_unit_staff_may_not_read_scores_even_their_own(world, api_as):
    score = factories.make_cchc_score(unit=world.unit_a, year=2024, points=80)

    assert api_as("lead_a").get(LIST).status_code == 403
    assert api_as("officer_a").get(reverse("api:cchc-score-detail", args=[score.pk])).status_code == 403


# Entering one score ------------------------------------------------------------------------------------------------


def test_a_score_is_created_then_replaced_with_its_field_scores(world, api_as):
    client = api_as("province")
    body = {
        "unit": world.unit_a.pk,
        "year": 2024,
        "points": "82.36",
        "max_points": 100,
        "field_scores": [{"field": FIELD, "points": 10.5, "max_points": 12}],
    }

    created = client.post(LIST, body)
    replaced = client.post(LIST, {**body, "points": 90, "field_scores": [{"field": FIELD, "points": 11}]})

    assert created.status_code == 201, created.content
    assert created.json()["field_scores"] == [
        {"field": FIELD, "points": 10.5, "max_points": 12.0, "percent": pytest.approx(87.5)}
    ]
    assert replaced.status_code == 200, replaced.content
    assert replaced.json()["id"] == created.json()["id"]
    assert scores(2024) == {"so-tu-phap": (Decimal("90"), Decimal("100"))}
    field_score = CchcFieldScore.objects.get()
    assert (field_score.points, field_score.max_points) == (Decimal("11"), field_score.field.default_max)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"points": 101}, "points"),
        ({"points": -1}, "points"),
        ({"max_points": 0}, "max_points"),
        ({"points": "82.365"}, "points"),
        ({"points": "NaN"}, "points"),
        ({"year": 1999}, "year"),
        ({"field_scores": [{"field": FIELD, "points": 13, "max_points": 12}]}, "field_scores.0.points"),
        ({"field_scores": [{"field": FIELD, "points": 1}, {"field": FIELD, "points": 2}]}, "field_scores.1.field"),
        ({"unit": "Sở Tư pháp"}, "unit"),
    ],
)
def test_an_invalid_score_answers_400_and_changes_nothing(change, field, world, api_as):
    factories.make_cchc_score(unit=world.unit_a, year=2024, points=70)
    body = {"unit": world.unit_a.pk, "year": 2024, "points": 80, "max_points": 100, **change}

    response = api_as("province").post(LIST, body)

    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]
    assert scores(2024) == {"so-tu-phap": (Decimal("70"), Decimal("100"))}


def test_a_unit_not_in_force_during_the_year_is_refused(world, api_as):
    world.unit_b.valid_from = datetime.date(2025, 1, 1)
    world.unit_b.save()

    response = api_as("province").post(LIST, {"unit": world.unit_b.pk, "year": 2024, "points": 80, "max_points": 100})

    assert response.status_code == 400
    assert response.json()["errors"] == {"unit": ["Đơn vị không hoạt động trong năm này."]}


def test_unknown_unit_and_field_answer_404_naming_both(world, api_as):
    body = {
        "unit": 10**9,
        "year": 2024,
        "points": 80,
        "max_points": 100,
        "field_scores": [{"field": "khong-co", "points": 1}],
    }

    response = api_as("province").post(LIST, body)

    assert response.status_code == 404
    assert set(response.json()["errors"]) == {"unit", "field_scores.0.field"}
    assert not CchcScore.objects.exists()


# Importing a file --------------------------------------------------------------------------------------------------


def upload(content: str | bytes, name: str = "cchc-2024.csv") -> SimpleUploadedFile:
    data = content.encode() if isinstance(content, str) else content
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def test_a_good_file_replaces_the_years_scores_and_is_audited(world, api_as):
    factories.make_cchc_score(unit=world.unit_b, year=2024, points=50)
    factories.make_cchc_score(unit=world.unit_b, year=2023, points=50)
    content = f'ma_don_vi,ten_don_vi,diem_dat,diem_toi_da,{FIELD}:dat\nso-tu-phap,Sở Tư pháp,"82,36",100,10\n'

    response = api_as("token_client").post(IMPORT, {"year": 2024, "file": upload(content)}, format="multipart")

    assert response.status_code == 201, response.content
    assert response.json() | {"id": 0, "created_at": ""} == {
        "id": 0,
        "year": 2024,
        "file_name": "cchc-2024.csv",
        "rows": 1,
        "outcome": "imported",
        "created_at": "",
    }
    assert scores(2024) == {"so-tu-phap": (Decimal("82.36"), Decimal("100"))}
    assert scores(2023) == {"so-y-te": (Decimal("50"), Decimal("100"))}
    assert CchcImport.objects.get().source == "api"
    assert AuditEntry.objects.get(action="cchc.import").actor.username == "mot-cua"


def test_a_faulty_file_lists_every_fault_by_row_and_column_and_changes_nothing(world, api_as):
    factories.make_cchc_score(unit=world.unit_a, year=2024, points=70)
    content = (
        "ma_don_vi,diem_dat,diem_toi_da\nso-tu-phap,82.36,100\nso-khong-co,abc,100\nso-y-te,120,100\nso-tu-phap,80,0\n"
    )

    response = api_as("province").post(IMPORT, {"year": 2024, "file": upload(content)}, format="multipart")

    assert response.status_code == 400
    body = response.json()
    assert body["errors"] == {
        "file.3.ma_don_vi": ["Không có đơn vị mã “so-khong-co”."],
        "file.3.diem_dat": ["“abc” không phải là số."],
        "file.4.diem_dat": ["Điểm đạt lớn hơn điểm tối đa."],
        "file.5.ma_don_vi": ["Đơn vị “so-tu-phap” đã có ở dòng 2."],
        "file.5.diem_toi_da": ["Điểm tối đa phải lớn hơn 0."],
    }
    assert "5" in body["detail"]
    assert scores(2024) == {"so-tu-phap": (Decimal("70"), Decimal("100"))}
    assert CchcImport.objects.get().outcome == CchcImport.Outcome.REJECTED
    assert not AuditEntry.objects.filter(action="cchc.import").exists()


def test_missing_columns_and_unreadable_files_are_faults_of_the_file(world, api_as):
    client = api_as("province")

    missing = client.post(IMPORT, {"year": 2024, "file": upload("ma_don_vi,diem_dat\n")}, format="multipart")
    broken = client.post(IMPORT, {"year": 2024, "file": upload(b"PK\x03\x04rac", "x.xlsx")}, format="multipart")
    latin = client.post(
        IMPORT, {"year": 2024, "file": upload(b"ma_don_vi\nS\xf5 T\xfd ph\xe1p\n")}, format="multipart"
    )

    assert (missing.status_code, missing.json()["errors"]) == (400, {"file.1.diem_toi_da": ["Thiếu cột bắt buộc."]})
    assert (broken.status_code, broken.json()["errors"]) == (400, {"file": ["Không đọc được tệp Excel."]})
    assert latin.status_code == 400 and list(latin.json()["errors"]) == ["file"]
    assert not CchcScore.objects.exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"year": 2024}, "file"),
        ({"file": "cchc"}, "year"),
        ({"year": 2024, "file": "not a file"}, "file"),
        ({"year": 1999}, "year"),
    ],
)
def test_import_input_is_checked(data, field, world, api_as):
    data = {**data}
    if "file" not in data and field != "file":
        data["file"] = upload("ma_don_vi,diem_dat,diem_toi_da\nso-tu-phap,1,2\n")

    response = api_as("province").post(IMPORT, data, format="multipart")

    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_import_refuses_other_file_types_and_json(world, api_as):
    client = api_as("province")

    png = client.post(IMPORT, {"year": 2024, "file": upload(b"\x89PNG", "anh.png")}, format="multipart")
    as_json = client.post(IMPORT, {"year": 2024, "file": "a,b"}, format="json")

    assert png.status_code == 400 and png.json()["errors"] == {"file": ["Chỉ nhận tệp .xlsx hoặc .csv."]}
    assert as_json.status_code == 415


def test_the_whole_year_is_imported_from_an_excel_file(world, api_as):
    from io import BytesIO

    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(["ma_don_vi", "ten_don_vi", "diem_dat", "diem_toi_da"])
    workbook.active.append(["so-tu-phap", "Sở Tư pháp", 82.36, 100])
    workbook.active.append(["so-y-te", "Sở Y tế", 71.25, 90])
    buffer = BytesIO()
    workbook.save(buffer)

    response = api_as("province").post(
        IMPORT, {"year": 2024, "file": upload(buffer.getvalue(), "cchc.xlsx")}, format="multipart"
    )

    assert response.status_code == 201, response.content
    assert scores(2024) == {
        "so-tu-phap": (Decimal("82.36"), Decimal("100")),
        "so-y-te": (Decimal("71.25"), Decimal("90")),
    }
