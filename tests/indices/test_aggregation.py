"""The formulas of indices/aggregation.py against hand-computed cases (no database)."""

import datetime
import math

import pandas as pd
import pytest

from indices import aggregation as agg

P = {"period_kind": "month", "period_start": datetime.date(2025, 3, 1), "period_end": datetime.date(2025, 3, 31)}


def answers(rows, **keys):
    """rows: (item_code, element, value, count)."""
    return pd.DataFrame(
        [{**keys, "item_code": c, "element": e, "value": v, "count": n} for c, e, v, n in rows],
        columns=[*keys, "item_code", "element", "value", "count"],
    )


def overall(rows, **keys):
    return pd.DataFrame([{**keys, "value": v, "count": n} for v, n in rows], columns=[*keys, "value", "count"])


def figure(frame, index, **where):
    rows = frame[frame["index"] == index]
    for key, value in where.items():
        rows = rows[rows[key] == value]
    assert len(rows) == 1, f"{index} {where}: {len(rows)} rows"
    return rows.iloc[0]


# --- Wilson intervals ------------------------------------------------------------------------------------------


def test_wilson_interval_at_n_1_all_satisfied():
    low, high = agg.wilson_interval(1, 1)
    # z^2 / (1 + z^2) below 1 is the classic 0.2065 lower bound for 1 success out of 1.
    assert low == pytest.approx(100 * 1 / (1 + agg.Z95**2), abs=1e-9)
    assert low == pytest.approx(20.65, abs=0.01)
    assert high == pytest.approx(100)


def test_wilson_interval_at_n_1_not_satisfied():
    low, high = agg.wilson_interval(0, 1)
    assert low == pytest.approx(0)
    assert high == pytest.approx(79.35, abs=0.01)


def test_wilson_interval_at_100_percent_is_n_over_n_plus_z_squared():
    low, high = agg.wilson_interval(40, 40)
    assert low == pytest.approx(100 * 40 / (40 + agg.Z95**2))
    assert high == pytest.approx(100)


def test_wilson_interval_of_half():
    # p = 0.5, n = 100: centre 0.5, half-width z*sqrt(0.0025 + z^2/40000)/(1 + z^2/100) = 0.0961...
    low, high = agg.wilson_interval(50, 100)
    assert low == pytest.approx(40.383, abs=0.001)
    assert high == pytest.approx(59.617, abs=0.001)


def test_wilson_interval_with_empty_denominator_is_none():
    assert agg.wilson_interval(0, 0) == (None, None)


# --- sample adequacy -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("population", "expected"),
    [(None, 30), (0, 30), (float("nan"), 30), (100, 80), (1000, 286), (10, 10), (400, 200)],
)
def test_required_sample(population, expected):
    # 100 / 1.25 = 80; 1000 / 3.5 = 285.7 -> 286; 10 / 1.025 = 9.76 -> 10; 400 / 2 = 200.
    assert agg.required_sample(population, 30) == expected


# --- criteria, elements, SIPAS -----------------------------------------------------------------------------------


def test_criterion_rate_counts_4_and_5_over_answers_1_to_5_and_ignores_no_opinion():
    frame = answers([("A1", "access", 5, 3), ("A1", "access", 4, 1), ("A1", "access", 2, 4), ("A1", "access", 0, 9)])
    rates = agg.criterion_rates(frame, [])
    row = rates.iloc[0]
    assert (row["n"], row["satisfied"]) == (8, 4)
    assert row["rate"] == pytest.approx(50.0)
    assert row["ci_low"] == pytest.approx(agg.wilson_interval(4, 8)[0])


def test_all_no_opinion_gives_na_not_zero():
    frame = answers([("A1", "access", 0, 5), ("P1", "procedure", 0, 5)], unit_id=1)
    figures = agg.entity_figures(frame, overall([(4, 5)], unit_id=1), ["unit_id"])
    for index in ("criterion:A1", "element:access", "element:procedure", "sipas"):
        row = figure(figures, index)
        assert math.isnan(row["value"]), index
        assert row["n"] == 0
        assert math.isnan(row["ci_low"])
    assert figure(figures, "overall")["value"] == pytest.approx(100.0)


def test_element_is_mean_of_criteria_and_sipas_mean_of_elements():
    # access: A1 = 3/4 = 75, A2 = 1/2 = 50 -> 62.5; procedure: P1 = 1/1 = 100; civil servant: S1 = 0/2 = 0.
    frame = answers(
        [
            ("A1", "access", 5, 3),
            ("A1", "access", 1, 1),
            ("A2", "access", 4, 1),
            ("A2", "access", 3, 1),
            ("P1", "procedure", 4, 1),
            ("S1", "civil_servant", 2, 2),
        ],
        unit_id=7,
    )
    figures = agg.entity_figures(frame, overall([], unit_id=7), ["unit_id"])
    assert figure(figures, "criterion:A1")["value"] == pytest.approx(75.0)
    assert figure(figures, "element:access")["value"] == pytest.approx(62.5)
    assert figure(figures, "element:access")["n"] == 4  # the largest criterion n
    assert figure(figures, "element:procedure")["value"] == pytest.approx(100.0)
    assert figure(figures, "element:civil_servant")["value"] == pytest.approx(0.0)
    sipas = figure(figures, "sipas")
    assert sipas["value"] == pytest.approx((62.5 + 100 + 0) / 3)
    assert sipas["n"] == 1  # the smallest element n


def test_sipas_of_five_elements():
    rows = [(f"{e[0].upper()}1", e, 5, 1) for e in ("access", "procedure", "civil_servant", "result")]
    rows.append(("F1", "feedback_handling", 1, 1))
    figures = agg.entity_figures(answers(rows, unit_id=1), overall([(5, 1)], unit_id=1), ["unit_id"])
    assert figure(figures, "sipas")["value"] == pytest.approx(80.0)


def test_overall_rate_mean_score_and_dissatisfaction():
    # scores: 5 x2, 4 x1, 3 x1, 2 x1, 1 x1 -> n 6, satisfied 3, dissatisfied 2, mean 20/6.
    figures = agg.overall_figures(overall([(5, 2), (4, 1), (3, 1), (2, 1), (1, 1)], unit_id=1), ["unit_id"])
    assert figure(figures, "overall")["value"] == pytest.approx(50.0)
    assert figure(figures, "overall")["n"] == 6
    assert figure(figures, "dissatisfaction")["value"] == pytest.approx(100 * 2 / 6)
    assert figure(figures, "dissatisfaction")["ci_high"] == pytest.approx(agg.wilson_interval(2, 6)[1])
    assert figure(figures, "mean_score")["value"] == pytest.approx(20 / 6)


def test_one_rating_gives_its_figures_and_wilson_at_n_1():
    figures = agg.overall_figures(overall([(5, 1)], unit_id=1), ["unit_id"])
    row = figure(figures, "overall")
    assert (row["value"], row["n"]) == (100.0, 1)
    assert row["ci_low"] == pytest.approx(20.65, abs=0.01)
    assert figure(figures, "dissatisfaction")["value"] == 0.0


def test_adequacy_uses_dossiers_handled_when_known_else_the_minimum():
    figures = agg.overall_figures(overall([(5, 80)], unit_id=1), ["unit_id"])
    figures = pd.concat([figures, agg.overall_figures(overall([(5, 29)], unit_id=2), ["unit_id"])])
    pops = pd.DataFrame([{"unit_id": 1, "population": 100}])
    out = agg.apply_adequacy(figures, ["unit_id"], populations=pops, minimum=30)
    assert figure(out, "overall", unit_id=1)["adequate"]  # 80 >= 100 / 1.25
    assert figure(out, "overall", unit_id=1)["required"] == 80
    assert not figure(out, "overall", unit_id=2)["adequate"]  # 29 < 30
    assert figure(out, "overall", unit_id=2)["required"] == 30


# --- groups and the province -------------------------------------------------------------------------------------


YEAR = {"period_kind": "year", "period_start": datetime.date(2025, 1, 1), "period_end": datetime.date(2025, 12, 31)}


def test_province_is_mean_of_group_means_as_in_the_seed():
    # The seed: groups at 87.46, 73.93 and 64.51 give the province 75.30, whatever their sizes.
    units = pd.DataFrame(
        [
            {"unit_id": 1, "value": 87.46, "status": agg.COUNTED},
            {"unit_id": 2, "value": 70.00, "status": agg.COUNTED},
            {"unit_id": 3, "value": 77.86, "status": agg.COUNTED},
            {"unit_id": 4, "value": 64.51, "status": agg.COUNTED},
            {"unit_id": 5, "value": 12.00, "status": agg.INSUFFICIENT},
            {"unit_id": 6, "value": 99.00, "status": agg.INCOMPLETE},
        ]
    ).assign(index="sipas", n=40, ballots=50, **YEAR)
    mapping = pd.DataFrame({"unit_id": [1, 2, 3, 4, 5, 6, 7], "group_id": [10, 20, 20, 30, 30, 30, 30]})
    groups = agg.group_means(units, membership=mapping, periods=units)
    assert figure(groups, "sipas", group_id=20)["value"] == pytest.approx(73.93)
    g30 = figure(groups, "sipas", group_id=30)
    # only the counted unit enters the mean; the units not counted (and unit 7 without data) are in n
    assert g30["value"] == pytest.approx(64.51)
    assert (g30["units_counted"], g30["units_total"], g30["ballots"], g30["n"]) == (1, 4, 50, 40)
    province = agg.province_means(groups)
    assert figure(province, "sipas")["value"] == pytest.approx(75.30, abs=0.005)
    assert (figure(province, "sipas")["units_counted"], figure(province, "sipas")["units_total"]) == (4, 7)


def test_units_not_in_force_at_the_period_end_are_not_in_their_group():
    units = pd.DataFrame(
        [{"unit_id": 1, "value": 80.0, "status": agg.COUNTED}, {"unit_id": 2, "value": 60.0, "status": agg.COUNTED}]
    ).assign(index="sipas", n=40, ballots=40, **YEAR)
    mapping = pd.DataFrame(
        {
            "unit_id": [1, 2],
            "group_id": [10, 10],
            "valid_from": [datetime.date(2000, 1, 1), datetime.date(2000, 1, 1)],
            "valid_to": [None, datetime.date(2025, 6, 30)],
        }
    )
    g = figure(agg.group_means(units, membership=mapping, periods=units), "sipas", group_id=10)
    assert (g["value"], g["units_counted"], g["units_total"]) == (80.0, 1, 1)


def test_a_group_without_counted_units_has_no_value_but_its_n():
    units = pd.DataFrame([{"unit_id": 1, "value": 80.0, "status": agg.INSUFFICIENT}]).assign(
        index="sipas", n=3, ballots=3, **YEAR
    )
    mapping = pd.DataFrame({"unit_id": [1, 2], "group_id": [10, 10]})
    groups = agg.group_means(units, membership=mapping, periods=units)
    g = figure(groups, "sipas", group_id=10)
    assert math.isnan(g["value"]) and (g["units_counted"], g["units_total"], g["status"]) == (0, 2, agg.NO_DATA)
    assert math.isnan(figure(agg.province_means(groups), "sipas")["value"])


@pytest.mark.parametrize(
    ("value", "text"),
    [(73.125, "73.13"), (58.5 / 80 * 100, "73.13"), (79.995, "80.00"), (0.005, "0.01"), (-0.005, "-0.01")],
)
def test_round_half_up_as_vietnamese_reports_do(value, text):
    assert str(agg.round_half_up(value)) == text


def test_composite_combines_the_figures_of_one_level():
    assert agg.composite(80, 90, cchc_weight=0.65, satisfaction_weight=0.35) == pytest.approx(83.5)
    assert agg.composite(None, 90, cchc_weight=0.65, satisfaction_weight=0.35) is None


def test_sipas_elements_are_the_survey_elements():
    from survey.models import Element

    assert tuple(Element.values) == agg.SIPAS_ELEMENTS


def test_snapshot_figures_for_every_level_with_pooled_rate_beside():
    # given two units of one group: unit 1 has 1 rating of 5, unit 2 has 3 ratings of 1.
    keys = {
        "period_kind": "year",
        "period_start": datetime.date(2025, 1, 1),
        "period_end": datetime.date(2025, 12, 31),
    }
    over = pd.concat(
        [overall([(5, 1)], counter_id=11, unit_id=1, **keys), overall([(1, 3)], counter_id=21, unit_id=2, **keys)]
    )
    ans = pd.concat(
        [
            answers([("A1", "access", 5, 1)], counter_id=11, unit_id=1, **keys),
            answers([("A1", "access", 2, 3)], counter_id=21, unit_id=2, **keys),
        ]
    )
    # when
    out = agg.snapshot_figures(
        answers=ans,
        overall=over,
        unit_groups=pd.DataFrame({"unit_id": [1, 2], "group_id": [9, 9]}),
        minimum=2,
        elements=("access",),
    )
    # then the group counts unit 2 only (unit 1's 1 rating is below the minimum of 2); the pooled rate 1 in 4
    assert figure(out, "overall", level="unit", entity_id=1)["value"] == 100.0
    assert not figure(out, "overall", level="unit", entity_id=1)["adequate"]  # n 1 < 2
    assert figure(out, "overall", level="unit", entity_id=1)["status"] == agg.INSUFFICIENT
    assert figure(out, "overall", level="unit", entity_id=2)["adequate"]
    assert figure(out, "sipas", level="counter", entity_id=21)["value"] == 0.0
    group = figure(out, "overall", level="group", entity_id=9)
    assert (group["value"], group["units_counted"], group["units_total"], group["ballots"]) == (0.0, 1, 2, 3)
    assert figure(out, "pooled_overall", level="group", entity_id=9)["value"] == pytest.approx(25.0)
    assert figure(out, "pooled_overall", level="group", entity_id=9)["ballots"] == 4
    assert figure(out, "sipas", level="province", entity_id=0)["value"] == pytest.approx(0.0)
    assert figure(out, "pooled_sipas", level="province", entity_id=0)["value"] == pytest.approx(25.0)
    assert figure(out, "pooled_sipas", level="province", entity_id=0)["ci_low"] == pytest.approx(
        agg.wilson_interval(1, 4)[0]
    )
    assert not (out["level"] == "counter").pipe(lambda m: out[m]["index"].str.startswith("criterion:")).any()


def test_expand_periods_puts_a_month_in_its_month_quarter_and_year():
    monthly = pd.DataFrame(
        {"unit_id": [1, 1], "month": [datetime.date(2025, 2, 1), datetime.date(2025, 4, 1)], "count": [3, 5]}
    )
    periods = [
        ("month", datetime.date(2025, 2, 1), datetime.date(2025, 2, 28)),
        ("quarter", datetime.date(2025, 1, 1), datetime.date(2025, 3, 31)),
        ("year", datetime.date(2025, 1, 1), datetime.date(2025, 12, 31)),
    ]
    out = agg.expand_periods(monthly, periods)
    assert dict(zip(out["period_kind"], out["count"], strict=True)) == {"month": 3, "quarter": 3, "year": 8}


# --- Decision 766 ------------------------------------------------------------------------------------------------


def d766(**values):
    row = {"unit_id": 1, "received": 0, "answer_due": 0, "answered_on_time": 0, "rated": 0, "rated_satisfied": 0}
    row.update(values)
    return agg.decision_766(pd.DataFrame([row]), ["unit_id"])


def test_decision_766_hand_computed():
    # on time 9/10 = 90% -> 5.4 pts; satisfied 3/4 = 75% -> 4.5 pts;
    # TTHC = 100 - (5/200 = 2.5% late + (4 PAKN + 6 dislikes)/200 = 5%) = 92.5% >= 90% -> 6 pts (capped).
    out = d766(
        received=4, answer_due=10, answered_on_time=9, rated=4, rated_satisfied=3, handled=200, late=5, dislikes=6
    )
    assert figure(out, "d766:pakn_on_time")["value"] == pytest.approx(90.0)
    assert figure(out, "d766:pakn_on_time")["n"] == 10
    assert figure(out, "d766:pakn_on_time_points")["value"] == pytest.approx(5.4)
    assert figure(out, "d766:pakn_satisfaction")["value"] == pytest.approx(75.0)
    assert figure(out, "d766:pakn_satisfaction_points")["value"] == pytest.approx(4.5)
    assert figure(out, "d766:tthc_satisfaction")["value"] == pytest.approx(92.5)
    assert figure(out, "d766:tthc_satisfaction_points")["value"] == pytest.approx(6.0)
    assert figure(out, "d766:points")["value"] == pytest.approx(15.9)


def test_decision_766_tthc_below_target_scales_points():
    # TTHC = 100 - (10% + 20%) = 70% -> 70 x 6 / 90 = 4.667 pts.
    out = d766(received=5, answer_due=1, answered_on_time=1, handled=100, late=10, dislikes=15)
    assert figure(out, "d766:tthc_satisfaction")["value"] == pytest.approx(70.0)
    assert figure(out, "d766:tthc_satisfaction_points")["value"] == pytest.approx(70 * 6 / 90)


def test_decision_766_empty_denominators_are_na_not_zero():
    out = d766(handled=float("nan"), late=float("nan"))
    for index in ("d766:pakn_on_time", "d766:pakn_satisfaction", "d766:tthc_satisfaction", "d766:points"):
        assert math.isnan(figure(out, index)["value"]), index


def test_decision_766_points_function():
    assert agg.decision_766_points(45, max_points=6, target=90) == pytest.approx(3.0)
    assert agg.decision_766_points(100, max_points=6, target=90) == 6
    assert agg.decision_766_points(None, max_points=6, target=90) is None
