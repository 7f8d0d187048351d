"""One figure, one truth (property-based): whatever the units, ratings, CCHC scores and period, the stored snapshots
served by the API, the dashboard's selector, the report builder and its xlsx, csv and pdf exports give the same
unit, group and province figures (as shown: rounded half up), the same counts and the same "k of n units counted".

Each example builds its own world inside a savepoint that is rolled back afterwards, computes the snapshots with
the job's service, then reads every output through its public entry point.
"""

import csv
import datetime
import io
import uuid
import zoneinfo
from decimal import Decimal

import pytest
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from pypdf import PdfReader

from indices import services
from indices.aggregation import shown
from indices.exports_report import build_report_csv, build_report_pdf, build_report_xlsx
from indices.models import CchcScore
from indices.periods import quarter as quarter_period
from indices.periods import year as year_period
from indices.reports import build_province_report, vn_number
from indices.selectors import unit_dashboard
from survey.models import Rating, RatingAnswer
from tests import factories
from tests.fuzzing import examples

pytestmark = pytest.mark.django_db

TZ = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
YEAR = 2026
MINIMUM = 4
CODES = ("SA", "SP", "SS", "SR", "SF")

answer = st.one_of(st.none(), st.integers(1, 5))
ballot = st.tuples(st.integers(1, 5), st.one_of(st.none(), st.tuples(*[answer] * 5)))
unit = st.fixed_dictionaries(
    {
        "ballots": st.lists(ballot, max_size=7),
        "silent_element": st.one_of(st.none(), st.sampled_from(CODES)),  # answered only with "no opinion"
        "dissolved": st.booleans(),  # not in force at the period's end
        "cchc": st.one_of(st.none(), st.integers(0, 10000)),  # points in cents, out of 100
    }
)
world_strategy = st.fixed_dictionaries(
    {
        "groups": st.lists(st.lists(unit, min_size=1, max_size=4), min_size=1, max_size=3),
        "quarter": st.one_of(st.none(), st.integers(1, 2)),
    }
)


def _build(draw: dict, questionnaire) -> tuple[list, list]:
    """Groups, units, counters, ratings (bulk, as the demo does) and CCHC scores of one example."""
    groups, units = [], []
    day = datetime.date(YEAR, 3 * ((draw["quarter"] or 1) - 1) + 2, 10)
    items = {item.code: item.pk for item in questionnaire.items.all()}
    ratings, answers = [], []
    for g, members in enumerate(draw["groups"]):
        group = factories.make_group(code=f"khoi-{g}", name=f"Khối {g}")
        groups.append(group)
        for u, spec in enumerate(members):
            valid_to = datetime.date(YEAR, 6, 30) if spec["dissolved"] and draw["quarter"] != 1 else None
            if spec["dissolved"] and draw["quarter"] == 1:
                valid_to = datetime.date(YEAR, 3, 20)
            made = factories.make_unit(group=group, code=f"dv-{g}-{u}", name=f"Đơn vị {g}-{u}", valid_to=valid_to)
            units.append(made)
            counter = factories.make_counter(unit=made)
            for score, values in spec["ballots"]:
                rating = Rating(
                    idempotency_key=uuid.uuid4(),
                    counter=counter,
                    unit_id=made.pk,
                    questionnaire=questionnaire,
                    score=score,
                    created_at=datetime.datetime.combine(day, datetime.time(9), tzinfo=TZ),
                )
                ratings.append(rating)
                if values is not None:
                    for code, value in zip(CODES, values, strict=True):
                        answers.append((rating, items[code], None if code == spec["silent_element"] else value))
            if spec["cchc"] is not None:
                CchcScore.objects.create(unit=made, year=YEAR, points=Decimal(spec["cchc"]) / 100, max_points=100)
    Rating.objects.bulk_create(ratings)
    RatingAnswer.objects.bulk_create(
        [RatingAnswer.for_rating(rating, item_id=item, value=value) for rating, item, value in answers]
    )
    return groups, units


def _api_figures(client, period: str) -> dict:
    response = client.get(reverse("api:index-snapshot-list"), {"period": period, "index": "sipas", "page_size": 200})
    assert response.status_code == 200
    body = response.json()
    assert body["method"]["minimum_sample"] == MINIMUM and body["method"]["channels"]["counted"] == "all"
    assert body["count"] <= 200
    return {(row["level"], row["entity_id"]): row for row in body["results"]}


@settings(
    max_examples=examples(6),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(draw=world_strategy)
def test_every_output_gives_the_same_figures_counts_and_k_of_n(draw, client, settings):
    settings.INDICES_MIN_SAMPLE = MINIMUM
    savepoint = transaction.savepoint()
    try:
        _check_one_world(draw, client)
    finally:
        transaction.savepoint_rollback(savepoint)


def _check_one_world(draw: dict, client) -> None:
    # given
    questionnaire = factories.make_questionnaire()
    groups, units = _build(draw, questionnaire)
    quarter = draw["quarter"]
    period = quarter_period(YEAR, quarter) if quarter else year_period(YEAR)
    services.compute_indices(periods=[period], rebuild=True)
    province_user = factories.make_user(role="province")
    client.force_login(province_user)

    # when every output is read
    api = _api_figures(client, str(period))
    report = build_province_report(year=YEAR, quarter=quarter)
    workbook = load_workbook(io.BytesIO(build_report_xlsx(report)))
    csv_rows = list(csv.reader(io.StringIO(build_report_csv(report).decode("utf-8-sig"))))
    pdf_text = " ".join(
        " ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(build_report_pdf(report))).pages
    )

    # then units: the API's stored figure is the report's, with the same ballots, answers and status
    assert report.units_total == sum(len(g.rows) for g in report.groups)
    csv_units = {row[1]: row for row in csv_rows[1:] if len(row) > 2 and row[1].startswith("dv-")}
    for row in report.rows:
        stored = api.get(("unit", row.unit_id))
        if stored is None:
            assert not row.has_satisfaction and row.ballots == 0
            continue
        assert shown(row.satisfaction_raw) == shown(stored["value"])
        assert (row.ballots, row.n, row.status) == (stored["ballots"], stored["n"], stored["status"])
        assert (row.satisfaction is not None) == (stored["status"] == "counted")
        # the exports carry the shown value, the ballots and the answers
        line = csv_units[row.code]
        assert line[6] == ("" if row.satisfaction is None else str(shown(row.satisfaction)))
        assert line[7:9] == ([str(row.ballots), str(row.n)] if row.has_satisfaction else ["", ""])
        assert line[3] == ("" if row.cchc is None else str(shown(row.cchc)))
        assert line[12] == ("" if row.composite is None else str(shown(row.composite)))

    # groups and the province: the stored figures with their k of n, in every output
    summary = {row[0]: row for row in csv_rows if row and row[0] in {g.name for g in report.groups}}
    xlsx_summary = {
        row[0]: row for row in workbook.worksheets[0].iter_rows(min_row=4, values_only=True) if row and row[0]
    }
    for table in report.groups:
        stored = api.get(("group", table.group_id))
        if stored is None:
            assert (table.satisfaction_average, table.satisfaction_counted) == (None, 0)
        else:
            assert shown(table.satisfaction_average) == shown(stored["value"])
            assert (table.satisfaction_counted, table.units_total) == (stored["units_counted"], stored["units_total"])
            assert (table.ballots, table.n) == (stored["ballots"], stored["n"])
        expected = [
            table.units_total,
            shown(table.cchc_average),
            table.cchc_counted,
            shown(table.satisfaction_average),
            table.satisfaction_counted,
            table.ballots,
            table.n,
            shown(table.composite_average),
        ]
        assert list(xlsx_summary[table.name][1:9]) == expected
        assert summary[table.name][1:9] == ["" if v is None else str(v) for v in expected]
        assert f"{vn_number(table.satisfaction_average)} ({table.satisfaction_k_of_n})" in pdf_text
        assert f"{vn_number(table.cchc_average)} ({table.cchc_k_of_n})" in pdf_text
        # the dashboard's selector shows every unit of the group beside the same group and province figures
        for row in table.rows:
            compare = {line[0]: line for line in unit_dashboard(unit=_unit(units, row.unit_id), period=period)
                       .tables["benchmarks"].rows}  # fmt: skip
            if stored is not None:
                line = compare[_group(groups, table.group_id).display_name]
                assert (shown(line[1]), line[2], line[3], line[4]) == (
                    shown(stored["value"]),
                    table.satisfaction_k_of_n,
                    stored["ballots"],
                    stored["n"],
                )
            province_line = compare.get("Toàn tỉnh")
            if province_line is not None:
                assert shown(province_line[1]) == shown(report.province_satisfaction)
                assert province_line[2] == report.satisfaction_k_of_n
            break  # one unit per group is enough: the selector reads the same rows for all

    stored = api.get(("province", 0))
    if stored is None:
        assert report.province_satisfaction is None and report.satisfaction_counted == 0
    else:
        assert shown(report.province_satisfaction) == shown(stored["value"])
        assert (report.satisfaction_counted, report.units_total) == (stored["units_counted"], stored["units_total"])
        assert (report.ballots, report.n) == (stored["ballots"], stored["n"])
    province_name = "Toàn tỉnh (trung bình các khối)"
    expected = [
        report.units_total,
        shown(report.province_cchc),
        report.cchc_counted,
        shown(report.province_satisfaction),
        report.satisfaction_counted,
        report.ballots,
        report.n,
        shown(report.province_composite),
    ]
    assert list(xlsx_summary[province_name][1:9]) == expected
    province_csv = next(row for row in csv_rows if row and row[0] == province_name)
    assert province_csv[1:9] == ["" if v is None else str(v) for v in expected]
    # and the report's own page and API agree with the builder
    page = client.get(reverse("reports:report-show"), {"year": YEAR, "quarter": quarter or ""}).content.decode()
    assert f'data-figure="province-satisfaction">{vn_number(report.province_satisfaction)}<' in page
    assert f'data-figure="province-satisfaction-k">{report.satisfaction_k_of_n}<' in page
    body = client.get(reverse("api:province-report"), {"year": YEAR, **({"quarter": quarter} if quarter else {})})
    province = body.json()["province"]
    assert shown(province["satisfaction"]) == shown(report.province_satisfaction)
    assert (province["satisfaction_counted"], province["units_total"]) == (
        report.satisfaction_counted,
        report.units_total,
    )


def _unit(units, unit_id):
    return next(u for u in units if u.pk == unit_id)


def _group(groups, group_id):
    return next(g for g in groups if g.pk == group_id)
