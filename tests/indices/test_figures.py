"""One figure, one truth: the edges of the definitions in `indices.aggregation`, through the public entry points
(the snapshot job, the report, the import)."""

import datetime
import zoneinfo

import pytest
from django.urls import reverse

from indices import services
from indices.cchc import CchcImportRejected, import_cchc_scores
from indices.models import CchcScore, IndexSnapshot
from indices.periods import year
from indices.reports import build_province_report
from tests import factories

pytestmark = pytest.mark.django_db

TZ = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
FULL = {"SA": 5, "SP": 4, "SS": 5, "SR": 4, "SF": 5}


def _rate(counter, count: int, *, answers=FULL, score: int = 5) -> None:
    for day in range(count):
        factories.make_rating(
            counter=counter,
            score=score,
            answers=answers,
            created_at=datetime.datetime(2026, 3, 2 + day % 20, 10, tzinfo=TZ),
        )


def _snap(level: str, entity_id: int, index: str = "sipas") -> IndexSnapshot:
    period = year(2026)
    return IndexSnapshot.objects.get(
        level=level, entity_id=entity_id, index=index, period_kind="year", period_start=period.start
    )


@pytest.fixture
def group(world, settings):
    settings.INDICES_MIN_SAMPLE = 5
    factories.make_questionnaire()
    return factories.make_group(code="khoi-kiem-tra", name="Khối kiểm tra")


def test_the_minimum_sample_is_the_edge_between_insufficient_and_counted(group, client, world):
    # given one unit with minimum - 1 ballots and one with exactly the minimum
    short = factories.make_unit(group=group, code="thieu", name="Đơn vị thiếu")
    enough = factories.make_unit(group=group, code="du", name="Đơn vị đủ")
    _rate(factories.make_counter(unit=short), 4)
    _rate(factories.make_counter(unit=enough), 5, answers={**FULL, "SP": 2})

    # when
    services.compute_indices(periods=[year(2026)], rebuild=True)
    report = build_province_report(year=2026)

    # then
    assert (_snap("unit", short.pk).status, _snap("unit", short.pk).ballots) == ("insufficient", 4)
    assert (_snap("unit", enough.pk).status, _snap("unit", enough.pk).n) == ("counted", 5)
    stored = _snap("group", group.pk)
    assert (stored.value, stored.units_counted, stored.units_total, stored.ballots) == (80.0, 1, 2, 5)
    table = next(g for g in report.groups if g.group_id == group.pk)
    assert (table.satisfaction_average, table.satisfaction_counted, table.units_total) == (80.0, 1, 2)
    rows = {r.code: r for r in table.rows}
    assert rows["thieu"].satisfaction_rank is None and rows["du"].satisfaction_rank == 1
    client.force_login(world.province)
    page = client.get(reverse("reports:report-show"), {"year": 2026}).content.decode()
    assert "1/2 đơn vị" in page and "Phương pháp tính" in page
    # the unit's dashboard shows its group's stored figure with the same k of n, and states the method
    dashboard = client.get(reverse("indices:unit-dashboard", args=[short.pk]), {"ky": "2026"}).content.decode()
    assert "1/2 đơn vị" in dashboard and "Phương pháp tính" in dashboard and "Chưa đủ mẫu" in dashboard


def test_units_not_in_force_at_the_period_end_stay_out_of_their_group(group):
    # given a unit dissolved in June with plenty of ratings in March, and one still in force
    gone = factories.make_unit(group=group, code="giai-the", valid_to=datetime.date(2026, 6, 30))
    kept = factories.make_unit(group=group, code="con-lai")
    _rate(factories.make_counter(unit=gone), 6, score=1, answers=dict.fromkeys(FULL, 1))
    _rate(factories.make_counter(unit=kept), 6)

    services.compute_indices(periods=[year(2026)], rebuild=True)

    assert _snap("unit", gone.pk).status == "inactive"
    stored = _snap("group", group.pk)
    assert (stored.value, stored.units_counted, stored.units_total) == (100.0, 1, 1)
    assert [r.code for g in build_province_report(year=2026).groups for r in g.rows if g.group_id == group.pk] == [
        "con-lai"
    ]


def test_a_unit_missing_an_element_is_marked_shown_and_left_out_of_ranks_and_means(group, client, world):
    # given a unit whose citizens answered "no opinion" to every feedback-handling question
    partial = factories.make_unit(group=group, code="thieu-yeu-to", name="Đơn vị thiếu yếu tố")
    whole = factories.make_unit(group=group, code="day-du", name="Đơn vị đầy đủ")
    _rate(factories.make_counter(unit=partial), 6, answers={**FULL, "SF": None})
    _rate(factories.make_counter(unit=whole), 6, answers={**FULL, "SA": 1})

    services.compute_indices(periods=[year(2026)], rebuild=True)
    report = build_province_report(year=2026)

    # then the four-element mean is kept and marked, but neither ranked nor counted
    stored = _snap("unit", partial.pk)
    assert (stored.value, stored.status, stored.adequate) == (100.0, "incomplete", True)
    assert _snap("group", group.pk).value == 80.0 and _snap("group", group.pk).units_counted == 1
    row = next(r for r in report.rows if r.code == "thieu-yeu-to")
    assert row.satisfaction is None and row.satisfaction_rank is None and row.satisfaction_raw == 100.0
    assert row.satisfaction_status.startswith("Thiếu yếu tố")
    client.force_login(world.province)
    page = client.get(reverse("reports:report-show"), {"year": 2026}).content.decode()
    cells = page[page.index('data-unit="thieu-yeu-to"') :]
    assert "Thiếu yếu tố" in cells[: cells.index("</tr>")]


def test_a_figure_is_rounded_half_up_and_banded_on_the_value_shown(world, client):
    # 58.5 / 80 = 73.125% shows 73,13 (not 73,12); 159.99 / 200 = 79.995% shows 80,00 and is Tốt
    factories.make_cchc_score(unit=world.unit_a, year=2017, points="58.5", max_points=80)
    factories.make_cchc_score(unit=world.unit_b, year=2017, points="159.99", max_points=200)

    report = build_province_report(year=2017)

    rows = {r.unit_id: r for r in report.rows}
    assert rows[world.unit_b.pk].band.value == "tot"
    client.force_login(world.province)
    page = client.get(reverse("reports:report-show"), {"year": 2017}).content.decode()
    row_a = page[page.index(f'data-unit="{world.unit_a.code}"') :]
    row_b = page[page.index(f'data-unit="{world.unit_b.code}"') :]
    assert '<td class="num">73,13</td>' in row_a[: row_a.index("</tr>")]
    assert '<td class="num">80,00</td>' in row_b[: row_b.index("</tr>")]
    csv = client.get(reverse("api:province-report"), {"year": 2017, "format": "csv"}).content.decode("utf-8-sig")
    assert ",73.13," in csv and ",80.0,Tốt," in csv


def test_points_with_more_than_two_decimals_are_refused_by_the_import_and_the_entry(world, client):
    content = b"ma_don_vi,diem_dat,diem_toi_da\nso-tu-phap,79.995,100\nso-y-te,80.10,100\n"

    with pytest.raises(CchcImportRejected) as rejected:
        import_cchc_scores(content=content, file_name="cchc.csv", year=2017)

    assert [(e.row, e.column) for e in rejected.value.errors] == [(2, "diem_dat")]
    assert "quá 2 chữ số thập phân" in rejected.value.errors[0].message
    assert not CchcScore.objects.exists()
    client.force_login(world.province)
    answer = client.post(
        reverse("api:cchc-score-list"),
        {"unit": world.unit_a.pk, "year": 2017, "points": 79.995, "max_points": 100},
        content_type="application/json",
    )
    assert answer.status_code == 400 and "points" in answer.json()["errors"]
    page = client.post(
        reverse("reports:cchc-edit"), {"unit": world.unit_a.pk, "year": 2017, "points": "79,995", "max_points": 100}
    )
    assert page.status_code == 400 and not CchcScore.objects.exists()


def test_the_methodology_document_states_the_method_the_code_uses():
    from django.conf import settings as django_settings

    from indices.methodology import method_statement

    text = (django_settings.BASE_DIR / "docs" / "methodology.md").read_text(encoding="utf-8")
    method = method_statement()
    assert method["formula_version"] in text and method["document"] == "docs/methodology.md"
    assert "0.65 x CCHC + 0.35 x satisfaction" in text and method["weights"] == {"cchc": 0.65, "satisfaction": 0.35}
    assert "(87.46 + 73.93 + 64.51) / 3 = 75.30" in text and "73,13" in text
