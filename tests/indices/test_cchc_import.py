"""CCHC import: one service behind the command and the upload page; all-or-nothing, every error listed."""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from indices.cchc import CchcImportRejected, import_cchc_scores
from indices.models import CchcFieldScore, CchcImport, CchcScore
from tests import factories

pytestmark = pytest.mark.django_db

HEADER = "ma_don_vi,ten_don_vi,diem_dat,diem_toi_da,thu-tuc-hanh-chinh:dat,thu-tuc-hanh-chinh:toi_da\n"


def _csv(*lines: str, header: str = HEADER) -> bytes:
    return (header + "".join(line + "\n" for line in lines)).encode("utf-8")


def _scores(year: int) -> dict[str, tuple[Decimal, Decimal]]:
    return {s.unit.code: (s.points, s.max_points) for s in CchcScore.objects.filter(year=year).select_related("unit")}


def test_a_good_csv_file_is_imported_with_field_scores_and_logged(world):
    content = _csv("so-tu-phap,Sở Tư pháp,82.36,100,10.5,12", 'so-y-te,Sở Y tế,"71,25",90,,')

    log = import_cchc_scores(content=content, file_name="cchc-2017.csv", year=2017, by=world.province)

    assert _scores(2017) == {
        "so-tu-phap": (Decimal("82.36"), Decimal("100")),
        "so-y-te": (Decimal("71.25"), Decimal("90")),
    }
    field_score = CchcFieldScore.objects.get(score__unit=world.unit_a)
    assert (field_score.field.code, field_score.points, field_score.max_points) == (
        "thu-tuc-hanh-chinh",
        Decimal("10.5"),
        Decimal("12"),
    )
    assert not CchcFieldScore.objects.filter(score__unit=world.unit_b).exists()
    assert (log.outcome, log.rows, log.year, log.file_name, log.imported_by) == (
        CchcImport.Outcome.IMPORTED,
        2,
        2017,
        "cchc-2017.csv",
        world.province,
    )


def test_a_good_xlsx_file_is_imported_and_reimporting_a_year_replaces_it(world):
    factories.make_cchc_score(unit=world.unit_b, year=2017, points=50)
    factories.make_cchc_score(unit=world.unit_b, year=2016, points=60)
    workbook = Workbook()
    workbook.active.append(["ma_don_vi", "diem_dat", "diem_toi_da"])
    workbook.active.append(["so-tu-phap", 80, 100])
    buffer = io.BytesIO()
    workbook.save(buffer)

    import_cchc_scores(content=buffer.getvalue(), file_name="diem.xlsx", year=2017)

    assert _scores(2017) == {"so-tu-phap": (Decimal("80"), Decimal("100"))}
    assert _scores(2016) == {"so-y-te": (Decimal("60"), Decimal("100"))}


BAD_FILES = {
    "unknown unit": (_csv("so-khong-co,,80,100"), [(2, "ma_don_vi", "Không có đơn vị mã “so-khong-co”.")]),
    "points above maximum": (_csv("so-tu-phap,,101,100"), [(2, "diem_dat", "Điểm đạt lớn hơn điểm tối đa.")]),
    "field points above maximum": (
        _csv("so-tu-phap,,80,100,13,12"),
        [(2, "thu-tuc-hanh-chinh:dat", "Điểm đạt lớn hơn điểm tối đa.")],
    ),
    "negative": (_csv("so-tu-phap,,-1,100"), [(2, "diem_dat", "Điểm không được âm.")]),
    "not a number": (_csv("so-tu-phap,,tám mươi,100"), [(2, "diem_dat", "“tám mươi” không phải là số.")]),
    "missing value": (_csv("so-tu-phap,,,100"), [(2, "diem_dat", "Thiếu giá trị.")]),
    "missing column": (
        _csv("so-tu-phap,80", header="ma_don_vi,diem_dat\n"),
        [(1, "diem_toi_da", "Thiếu cột bắt buộc.")],
    ),
    "duplicate unit": (
        _csv("so-tu-phap,,80,100", "so-y-te,,70,100", "so-tu-phap,,81,100"),
        [(4, "ma_don_vi", "Đơn vị “so-tu-phap” đã có ở dòng 2.")],
    ),
}


@pytest.mark.parametrize("kind", BAD_FILES)
def test_a_file_with_an_error_changes_nothing_and_the_error_is_reported(world, kind):
    # given scores already imported for the year
    factories.make_cchc_score(unit=world.unit_a, year=2017, points="75.5")
    content, expected = BAD_FILES[kind]

    # when
    with pytest.raises(CchcImportRejected) as rejected:
        import_cchc_scores(content=content, file_name="bad.csv", year=2017, by=world.province)

    # then
    assert [(e.row, e.column, e.message) for e in rejected.value.errors] == expected
    assert _scores(2017) == {"so-tu-phap": (Decimal("75.5"), Decimal("100"))}
    log = CchcImport.objects.get()
    assert log.outcome == CchcImport.Outcome.REJECTED and log.errors[0]["row"] == expected[0][0]


def test_every_error_of_a_file_is_listed_by_row_and_column(world):
    content = _csv(
        "so-tu-phap,,80,100",
        "so-khong-co,,70,100",
        "so-y-te,,abc,-5",
        "so-tu-phap,,120,100",
    )

    with pytest.raises(CchcImportRejected) as rejected:
        import_cchc_scores(content=content, file_name="bad.csv", year=2017)

    assert [(e.row, e.column) for e in rejected.value.errors] == [
        (3, "ma_don_vi"),
        (4, "diem_dat"),
        (4, "diem_toi_da"),
        (5, "ma_don_vi"),
        (5, "diem_dat"),
    ]
    assert str(rejected.value.errors[0]) == "Dòng 3, cột ma_don_vi: Không có đơn vị mã “so-khong-co”."
    assert not CchcScore.objects.exists()


def test_a_unit_not_active_in_the_year_and_garbage_files_are_refused(world):
    old = factories.make_unit(group=world.group, code="da-giai-the", valid_to="2010-12-31")
    with pytest.raises(CchcImportRejected) as rejected:
        import_cchc_scores(content=_csv(f"{old.code},,80,100"), file_name="a.csv", year=2017)
    assert "không hoạt động" in rejected.value.errors[0].message
    with pytest.raises(CchcImportRejected) as rejected:
        import_cchc_scores(content=b"PK\x03\x04garbage", file_name="a.xlsx", year=2017)
    assert rejected.value.errors[0].message == "Không đọc được tệp Excel."
    with pytest.raises(CchcImportRejected):
        import_cchc_scores(content="ma_don_vi,diem_dat,diem_toi_da\n".encode("utf-16"), file_name="a.csv", year=2017)
    assert CchcImport.objects.filter(outcome=CchcImport.Outcome.REJECTED).count() == 3


def test_import_command_uses_the_same_service(world, tmp_path, capsys):
    good = tmp_path / "good.csv"
    good.write_bytes(_csv("so-tu-phap,,82.36,100"))
    call_command("import_cchc", str(good), "--year", "2017")
    assert _scores(2017) == {"so-tu-phap": (Decimal("82.36"), Decimal("100"))}
    assert CchcImport.objects.get().source == "command"

    bad = tmp_path / "bad.csv"
    bad.write_bytes(_csv("so-khong-co,,80,100"))
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_cchc", str(bad), "--year", "2017")
    assert "Dòng 2, cột ma_don_vi" in capsys.readouterr().err
    assert _scores(2017) == {"so-tu-phap": (Decimal("82.36"), Decimal("100"))}


def test_upload_page_imports_a_good_file(client, world):
    client.force_login(world.province)
    upload = SimpleUploadedFile("cchc.csv", _csv("so-tu-phap,,82.36,100"), content_type="text/csv")
    response = client.post(reverse("reports:cchc-import"), {"year": 2017, "file": upload})
    assert response.status_code == 302
    assert _scores(2017) == {"so-tu-phap": (Decimal("82.36"), Decimal("100"))}
    assert CchcImport.objects.get().imported_by == world.province


def test_upload_page_lists_every_error_and_changes_nothing(client, world):
    client.force_login(world.province)
    upload = SimpleUploadedFile("cchc.csv", _csv("so-khong-co,,80,100", "so-y-te,,101,100"))
    response = client.post(reverse("reports:cchc-import"), {"year": 2017, "file": upload})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Tệp có 2 lỗi, chưa nhập điểm nào" in page
    assert "Không có đơn vị mã “so-khong-co”." in page and "Điểm đạt lớn hơn điểm tối đa." in page
    assert not CchcScore.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"year": "abc"}, "Năm phải là một số."),
        ({"year": 2017}, "Hãy chọn tệp cần nhập."),
        ({"year": 2017, "file": ("x.pdf", b"%PDF")}, "Chỉ nhận tệp .xlsx hoặc .csv."),
        ({"year": 1900, "file": ("x.csv", b"a")}, "Năm phải từ 2000 đến 2100."),
    ],
)
def test_upload_page_refuses_bad_input_with_a_clear_message(client, world, data, message):
    client.force_login(world.province)
    if "file" in data:
        name, content = data["file"]
        data = {**data, "file": SimpleUploadedFile(name, content)}
    response = client.post(reverse("reports:cchc-import"), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert 'aria-describedby="id_' in response.content.decode()


def test_template_download_lists_the_year_units_and_reimports_once_filled(client, world):
    client.force_login(world.province)
    response = client.get(reverse("reports:cchc-template"), {"year": 2017})
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook.active
    header = [c.value for c in sheet[1]]
    assert header[:4] == ["ma_don_vi", "ten_don_vi", "diem_dat", "diem_toi_da"]
    assert "hien-dai-hoa:dat" in header
    codes = [row[0].value for row in sheet.iter_rows(min_row=2)]
    assert sorted(codes) == ["so-tu-phap", "so-y-te"]
    for row in sheet.iter_rows(min_row=2):
        row[2].value = 77
    buffer = io.BytesIO()
    workbook.save(buffer)
    import_cchc_scores(content=buffer.getvalue(), file_name="mau.xlsx", year=2017)
    assert set(_scores(2017)) == {"so-tu-phap", "so-y-te"}


def test_staff_form_saves_and_replaces_one_score(client, world):
    client.force_login(world.province)
    url = reverse("reports:cchc-edit")
    data = {"unit": world.unit_a.pk, "year": 2017, "points": "79.99", "max_points": "100", "f_tac-dong": "20"}
    assert client.post(url, data).status_code == 302
    assert client.post(url, {**data, "points": "80"}).status_code == 302
    score = CchcScore.objects.get()
    assert score.points == Decimal("80") and score.fields.get().max_points == Decimal("23")
    bad = client.post(url, {**data, "points": "120"})
    assert bad.status_code == 400 and "Điểm đạt lớn hơn điểm tối đa." in bad.content.decode()
    assert CchcScore.objects.get().points == Decimal("80")
    page = client.get(url, {"unit": "so-tu-phap", "year": "2017"})
    assert page.status_code == 200 and 'value="80.00"' in page.content.decode()


def test_upload_page_asks_before_replacing_a_year_that_has_scores(client, world):
    # given 2017 already has a score
    client.force_login(world.province)
    first = SimpleUploadedFile("cchc.csv", _csv("so-tu-phap,,82.36,100"), content_type="text/csv")
    assert client.post(reverse("reports:cchc-import"), {"year": 2017, "file": first}).status_code == 302

    # when a second file for 2017 comes without the confirmation box, nothing changes and the box says why
    second = SimpleUploadedFile("cchc.csv", _csv("so-tu-phap,,70,100"), content_type="text/csv")
    response = client.post(reverse("reports:cchc-import"), {"year": 2017, "file": second})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Năm 2017 đã có điểm CCHC. Đánh dấu ô này để xác nhận thay toàn bộ điểm của năm đó." in page
    assert 'id="id_replace_error"' in page and 'aria-describedby="id_replace_error"' in page
    assert _scores(2017) == {"so-tu-phap": (Decimal("82.36"), Decimal("100"))}

    # then with the box ticked the year is replaced
    second.seek(0)
    response = client.post(reverse("reports:cchc-import"), {"year": 2017, "file": second, "replace": "on"})
    assert response.status_code == 302
    assert _scores(2017) == {"so-tu-phap": (Decimal("70"), Decimal("100"))}
