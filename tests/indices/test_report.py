"""The province report: the seed's figures with the demo data, ranks and ties, insufficient samples, history
through merged units, the quarter report, and who may see it."""

import datetime

import pytest
from django.urls import reverse

from indices.cchc import Band
from indices.reports import build_province_report, vn_number
from survey.models import Unit, User
from tests import factories

pytestmark = pytest.mark.django_db

SEED_NARRATIVE = (
    "Chỉ số CCHC trung bình của toàn tỉnh đạt 75,3%; khối các cơ quan Trung ương đóng trên địa bàn tỉnh đạt "
    "87,46% (4 đơn vị xếp loại tốt, 1 đơn vị xếp loại khá); khối các cơ quan chuyên môn thuộc UBND tỉnh đạt "
    "73,93% (3 đơn vị xếp loại tốt, 14 đơn vị xếp loại khá, 4 đơn vị xếp loại trung bình); khối các huyện, thị "
    "xã, thành phố đạt 64,51% (5 đơn vị xếp loại khá, 6 đơn vị xếp loại trung bình)."
)


def _row(report, code):
    return next(r for r in report.rows if r.code == code)


def test_the_2017_demo_report_reproduces_the_seed(demo):
    report = build_province_report(year=2017)

    summary = {
        g.code: (round(g.cchc_average, 2), {b.value: n for b, n in g.band_counts if n}, len(g.rows))
        for g in report.groups
    }
    assert summary == {
        "trung-uong": (87.46, {"tot": 4, "kha": 1}, 5),
        "so-nganh": (73.93, {"tot": 3, "kha": 14, "trung-binh": 4}, 21),
        "cap-huyen": (64.51, {"kha": 5, "trung-binh": 6}, 11),
    }
    assert round(report.province_cchc, 2) == 75.30
    assert report.narrative[0] == SEED_NARRATIVE
    central = report.groups[0].rows
    assert {r.code for r in central if r.band == Band.GOOD} == {"bhxh", "hai-quan", "nhnn", "kho-bac"}
    assert [r.code for r in central if r.band == Band.FAIR] == ["cuc-thue"]
    districts = report.groups[2].rows
    assert {r.code for r in districts if r.band == Band.FAIR} == {
        "quy-nhon",
        "tuy-phuoc",
        "hoai-nhon",
        "an-nhon",
        "an-lao",
    }
    office = _row(report, "vp-ubnd")
    assert (vn_number(office.cchc), office.band, office.cchc_rank) == ("82,36", Band.GOOD, 2)


def test_2016_is_lower_and_the_change_is_shown(demo):
    report = build_province_report(year=2017)
    for group in report.groups:
        assert 0 < group.cchc_change < 8
    assert all(r.cchc_change is not None and r.cchc_change > 0 for r in report.rows)
    assert build_province_report(year=2016).province_cchc < report.province_cchc


def test_the_report_page_shows_the_seed_figures(client, demo, django_assert_max_num_queries):
    client.force_login(User.objects.get(username="province"))
    with django_assert_max_num_queries(14):
        response = client.get(reverse("reports:report-show"), {"year": 2017})
    assert response.status_code == 200
    page = response.content.decode()
    assert SEED_NARRATIVE in page
    for figure in ("87,46", "73,93", "64,51", "75,30", "82,36"):
        assert figure in page
    assert 'id="report-chart-data"' in page and "report_charts.js" in page
    assert "<script>" not in page and "style=" not in page


def _scored_group(values: dict[str, tuple[float | None, float | None, bool]]):
    group = factories.make_group(code="khoi-thu", name="Khối thử")
    units = {}
    for code, (cchc, satisfaction, adequate) in values.items():
        unit = factories.make_unit(group=group, code=code, name=f"Đơn vị {code}", short_name=code)
        if cchc is not None:
            factories.make_cchc_score(unit=unit, year=2017, points=cchc)
        if satisfaction is not None:
            factories.make_unit_snapshot(unit=unit, value=satisfaction, adequate=adequate, n=200 if adequate else 12)
        units[code] = unit
    return units


def test_composite_uses_the_default_weights_and_ties_share_a_rank():
    _scored_group({"a": (80, 60, True), "b": (80, 60, True), "c": (70, 90, True), "d": (60, None, False)})

    report = build_province_report(year=2017)

    rows = {r.code: r for r in report.rows}
    assert rows["a"].composite == pytest.approx(0.65 * 80 + 0.35 * 60)
    assert rows["c"].composite == pytest.approx(77.0)
    assert [rows[c].composite_rank for c in "abcd"] == [2, 2, 1, None]
    assert [rows[c].cchc_rank for c in "abcd"] == [1, 1, 3, 4]
    assert [rows[c].satisfaction_rank for c in "abcd"] == [2, 2, 1, None]
    assert rows["d"].composite is None and rows["d"].satisfaction_status == "Chưa có dữ liệu"
    # the group's composite combines the group's CCHC (4 of 4 units) with its satisfaction (3 of 4 units), not
    # the mean of the 3 units that happen to have both
    group = report.groups[0]
    assert (group.cchc_average, group.cchc_counted, group.units_total) == (72.5, 4, 4)
    assert (group.satisfaction_average, group.satisfaction_counted) == (pytest.approx(70.0), 3)
    assert group.composite_average == pytest.approx(0.65 * 72.5 + 0.35 * 70)
    assert report.province_composite == pytest.approx(0.65 * 72.5 + 0.35 * 70)


def test_a_unit_with_insufficient_ratings_shows_insufficient_data_and_takes_no_rank(client, world):
    _scored_group({"du": (80, 85, True), "thieu": (75, 99, False), "khac": (70, 70, True)})

    report = build_province_report(year=2017)

    short = _row(report, "thieu")
    assert short.satisfaction is None and short.satisfaction_rank is None and short.composite is None
    assert short.satisfaction_status == "Chưa đủ dữ liệu" and short.n == 12
    assert (_row(report, "du").satisfaction_rank, _row(report, "khac").satisfaction_rank) == (1, 2)
    group = next(g for g in report.groups if g.code == "khoi-thu")
    assert group.satisfaction_average == pytest.approx(77.5)
    assert any("Đơn vị thieu" in f and "chưa đủ số phiếu" in f for f in report.findings)
    client.force_login(world.province)
    page = client.get(reverse("reports:report-show"), {"year": 2017}).content.decode()
    row = page[page.index('data-unit="thieu"') :]
    assert "Chưa đủ dữ liệu" in row[: row.index("</tr>")]


def test_a_merged_unit_history_appears_under_its_successor(client, world):
    # given two districts merged into one commune on 1 January 2025
    old_group = factories.make_group(code="cap-huyen", name="Cấp huyện")
    new_group = factories.make_group(code="cap-xa", name="Cấp xã")
    end = datetime.date(2024, 12, 31)
    left = factories.make_unit(group=old_group, code="huyen-a", valid_to=end)
    right = factories.make_unit(group=old_group, code="huyen-b", valid_to=end)
    merged = factories.make_unit(
        group=new_group, code="xa-moi", name="UBND xã Mới", valid_from=datetime.date(2025, 1, 1)
    )
    merged.predecessors.add(left, right)
    factories.make_cchc_score(unit=left, year=2024, points=60)
    factories.make_cchc_score(unit=right, year=2024, points=70)
    factories.make_cchc_score(unit=merged, year=2025, points=72)
    factories.make_unit_snapshot(unit=left, value=80, year=2024)
    factories.make_unit_snapshot(unit=merged, value=84, year=2025)

    # when
    report = build_province_report(year=2025)

    # then the successor carries its predecessors' history; the districts are gone from the 2025 tables
    codes = [g.code for g in report.groups]
    assert "cap-xa" in codes and "cap-huyen" not in codes
    row = _row(report, "xa-moi")
    assert row.cchc_previous == pytest.approx(65.0) and row.cchc_change == pytest.approx(7.0)
    assert row.satisfaction_previous == pytest.approx(80.0) and row.satisfaction_change == pytest.approx(4.0)
    series = {s["label"]: s["values"] for s in report.trends["series"]}
    assert series["Cấp huyện"][-2] == pytest.approx(65.0)
    assert series["Cấp xã"][-1] == pytest.approx(72.0)
    client.force_login(world.province)
    page = client.get(reverse("reports:report-show"), {"year": 2025}).content.decode()
    row_html = page[page.index('data-unit="xa-moi"') :]
    assert "+7,00" in row_html[: row_html.index("</tr>")]


def test_the_quarter_report_reads_quarter_snapshots_and_the_weakest_element():
    units = _scored_group({"a": (80, None, True), "b": (70, None, True)})
    factories.make_unit_snapshot(unit=units["a"], value=91, quarter=2)
    factories.make_unit_snapshot(unit=units["b"], value=62, quarter=2)
    factories.make_unit_snapshot(unit=units["a"], value=88, quarter=2, year=2016)
    factories.make_unit_snapshot(unit=units["a"], value=50, year=2017)  # the yearly figure is not the quarter's
    for element, value in (("access", 90), ("procedure", 61), ("result", 75)):
        factories.make_unit_snapshot(unit=units["a"], value=value, quarter=2, index=f"element:{element}")

    report = build_province_report(year=2017, quarter=2)

    assert report.period_label == "Quý 2 năm 2017"
    assert (_row(report, "a").satisfaction, _row(report, "b").satisfaction) == (91, 62)
    assert _row(report, "a").satisfaction_change == pytest.approx(3.0)
    assert report.weakest_element == ("Thủ tục hành chính", 61)
    text = " ".join(report.findings)
    assert "cao nhất là Đơn vị a (91%)" in text and "thấp nhất là Đơn vị b (62%)" in text
    assert "Yếu tố có mức hài lòng thấp nhất: Thủ tục hành chính (61%)" in text
    assert "1/2 đơn vị đạt mục tiêu hài lòng 90%" in text
    assert "Tăng nhiều nhất so với kỳ trước: Đơn vị a (+3 điểm)" in text


def test_units_far_from_the_diagonal_stand_out():
    _scored_group({"a": (90, 60, True), "b": (80, 78, True)})
    report = build_province_report(year=2017)
    points = {p["label"]: p["far"] for p in report.chart_data()["scatter"]["points"]}
    assert points == {"a": True, "b": False}
    assert any("Chênh lệch lớn" in f and "Đơn vị a" in f for f in report.findings)


def test_vietnamese_number_formatting():
    assert vn_number(75.3, trim=True) == "75,3"
    assert vn_number(75.3) == "75,30"
    assert vn_number(87.456) == "87,46"
    assert vn_number(-0.001) == "0,00"
    assert vn_number(3, sign=True, trim=True) == "+3"
    assert vn_number(None) == "N/A"


URLS = [
    ("reports:report-show", {}),
    ("reports:cchc-list", {}),
    ("reports:cchc-edit", {}),
    ("reports:cchc-import", {}),
    ("reports:cchc-template", {}),
    ("reports:scheme-edit", {}),
]


@pytest.mark.parametrize(("name", "kwargs"), URLS)
@pytest.mark.parametrize("who", ["officer_a", "lead_a", "officer_b"])
def test_unit_staff_cannot_open_the_reporting_pages(client, world, name, kwargs, who):
    client.force_login(getattr(world, who))
    assert client.get(reverse(name, kwargs=kwargs)).status_code == 403
    assert client.post(reverse(name, kwargs=kwargs), {"year": 2017}).status_code in (403, 405)


@pytest.mark.parametrize(("name", "kwargs"), URLS)
def test_anonymous_visitors_are_sent_to_login(client, world, name, kwargs):
    response = client.get(reverse(name, kwargs=kwargs))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize(("name", "kwargs"), URLS)
@pytest.mark.parametrize("who", ["province", "admin"])
def test_provincial_staff_and_admins_open_the_reporting_pages(client, world, name, kwargs, who):
    client.force_login(getattr(world, who))
    assert client.get(reverse(name, kwargs=kwargs)).status_code == 200


@pytest.mark.parametrize(
    ("query", "message"),
    [({"year": "abc"}, "Năm phải là một số."), ({"year": "2017", "quarter": "7"}, "Quý không hợp lệ.")],
)
def test_bad_report_parameters_answer_400_with_a_message(client, world, query, message):
    client.force_login(world.province)
    response = client.get(reverse("reports:report-show"), query)
    assert response.status_code == 400 and message in response.content.decode()


def test_groups_without_units_in_the_year_are_left_out(demo):
    assert [g.code for g in build_province_report(year=2017).groups] == ["trung-uong", "so-nganh", "cap-huyen"]
    after = build_province_report(year=2026)
    assert "cap-huyen" not in [g.code for g in after.groups]
    assert Unit.objects.active_on(datetime.date(2026, 12, 31)).filter(group__code="cap-xa").count() == 11
