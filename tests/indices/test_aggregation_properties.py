"""Properties of the index formulas in indices/aggregation.py (hypothesis; pure pandas, no database).

Whatever the counts: every rate lies in 0..100 inside its Wilson interval and the mean score in 1..5; one more
satisfied answer never lowers a rate or an index, one more dissatisfied answer never raises one; a group's figure
lies between its units' figures; and the order of the input rows never changes a figure. The hand-computed cases
are in test_aggregation.py.
"""

import datetime
import math

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indices import aggregation as agg
from tests.fuzzing import examples

PERIOD = {"period_kind": "month", "period_start": datetime.date(2025, 3, 1), "period_end": datetime.date(2025, 3, 31)}
# Each questionnaire item belongs to one SIPAS element, as in the seeded questionnaires.
ITEM_ELEMENT = {"a1": "access", "a2": "access", "p1": "procedure", "c1": "civil_servant", "r1": "result"}
EPSILON = 1e-9

# pandas costs tens of milliseconds a call: a few dozen examples per frame property keep the module to seconds.
property_test = settings(max_examples=examples(20), deadline=None)
scalar_test = settings(max_examples=examples(200), deadline=None)
snapshot_test = settings(max_examples=examples(6), deadline=None)

counts = st.integers(min_value=1, max_value=500)
# One rollup row: item, answer value (0 is "no opinion"), count.
answer_rows = st.lists(st.tuples(st.sampled_from(sorted(ITEM_ELEMENT)), st.integers(0, 5), counts), max_size=15)
# One rollup row of the overall question: score, count.
overall_rows = st.lists(st.tuples(st.integers(1, 5), counts), max_size=10)


def answers_frame(rows, **keys) -> pd.DataFrame:
    return pd.DataFrame(
        [{**keys, "item_code": c, "element": ITEM_ELEMENT[c], "value": v, "count": n} for c, v, n in rows],
        columns=[*keys, "item_code", "element", "value", "count"],
    )


def overall_frame(rows, **keys) -> pd.DataFrame:
    return pd.DataFrame([{**keys, "value": v, "count": n} for v, n in rows], columns=[*keys, "value", "count"])


def unit_figures(answer_rows, overall_rows) -> dict[str, float]:
    """Every figure of one unit as {index: value}."""
    figures = agg.entity_figures(
        answers_frame(answer_rows, unit_id=1), overall_frame(overall_rows, unit_id=1), ["unit_id"]
    )
    assert not figures["index"].duplicated().any()
    return dict(zip(figures["index"], figures["value"], strict=True))


def is_rate(value) -> bool:
    return value is None or math.isnan(value) or -EPSILON <= value <= 100 + EPSILON


# --- bounds ------------------------------------------------------------------------------------------------------


@property_test
@given(answer_rows, overall_rows)
def test_every_figure_of_a_unit_lies_in_its_range(answer_rows, overall_rows):
    figures = agg.entity_figures(
        answers_frame(answer_rows, unit_id=1), overall_frame(overall_rows, unit_id=1), ["unit_id"]
    )
    for row in figures.itertuples(index=False):
        if row.index == "mean_score":
            assert math.isnan(row.value) or 1 - EPSILON <= row.value <= 5 + EPSILON
            continue
        assert is_rate(row.value), row
        assert row.n >= 0
        if not math.isnan(row.value) and not math.isnan(row.ci_low):
            # Criteria, overall and dissatisfaction are proportions: the interval surrounds the rate.
            assert 0 <= row.ci_low <= row.value + EPSILON
            assert row.value - EPSILON <= row.ci_high <= 100


@scalar_test
@given(successes=st.integers(0, 10_000), failures=st.integers(0, 10_000))
def test_the_wilson_interval_surrounds_the_rate_within_0_and_100(successes, failures):
    n = successes + failures
    low, high = agg.wilson_interval(successes, n)
    if n == 0:
        assert (low, high) == (None, None)
        return
    rate = 100 * successes / n
    assert 0 <= low <= rate + EPSILON <= high + 2 * EPSILON <= 100 + 3 * EPSILON


@scalar_test
@given(rate=st.floats(-50, 200, allow_nan=False), more=st.floats(0, 50), max_points=st.floats(1, 20))
def test_decision_766_points_are_bounded_and_never_fall_with_the_rate(rate, more, max_points):
    points = agg.decision_766_points(rate, max_points=max_points, target=90.0)
    assert 0 <= points <= max_points
    assert agg.decision_766_points(rate + more, max_points=max_points, target=90.0) >= points


@scalar_test
@given(population=st.integers(1, 10_000_000), more=st.integers(0, 1_000_000))
def test_the_required_sample_never_exceeds_the_population_nor_falls_as_it_grows(population, more):
    required = agg.required_sample(population, 30)
    assert 1 <= required <= population
    assert required <= math.ceil(1 / agg.MARGIN_OF_ERROR**2)  # 400: the sample of an infinite population
    assert agg.required_sample(population + more, 30) >= required


# --- monotonicity ------------------------------------------------------------------------------------------------


@property_test
@given(answer_rows, overall_rows, st.sampled_from(sorted(ITEM_ELEMENT)), st.sampled_from([4, 5]))
def test_one_more_satisfied_answer_never_lowers_a_rate_or_an_index(answer_rows, overall_rows, item, value):
    before = unit_figures(answer_rows, overall_rows)
    after = unit_figures([*answer_rows, (item, value, 1)], overall_rows)
    for index in (f"criterion:{item}", f"element:{ITEM_ELEMENT[item]}", "sipas"):
        assert after[index] >= before.get(index, -math.inf) - EPSILON or math.isnan(before.get(index, math.nan))
    assert after[f"criterion:{item}"] > 0


@property_test
@given(answer_rows, overall_rows, st.sampled_from(sorted(ITEM_ELEMENT)), st.sampled_from([1, 2, 3]))
def test_one_more_unsatisfied_answer_never_raises_a_rate_or_an_index(answer_rows, overall_rows, item, value):
    before = unit_figures(answer_rows, overall_rows)
    after = unit_figures([*answer_rows, (item, value, 1)], overall_rows)
    for index in (f"criterion:{item}", f"element:{ITEM_ELEMENT[item]}", "sipas"):
        if index in before and not math.isnan(before[index]):
            assert after[index] <= before[index] + EPSILON


@property_test
@given(answer_rows, overall_rows, st.sampled_from([4, 5]))
def test_one_more_satisfied_overall_score_never_lowers_satisfaction_nor_raises_dissatisfaction(
    answer_rows, overall_rows, score
):
    before = unit_figures(answer_rows, overall_rows)
    after = unit_figures(answer_rows, [*overall_rows, (score, 1)])
    if overall_rows:
        assert after["overall"] >= before["overall"] - EPSILON
        assert after["dissatisfaction"] <= before["dissatisfaction"] + EPSILON
        assert after["mean_score"] >= min(before["mean_score"], score) - EPSILON
    else:
        assert (after["overall"], after["dissatisfaction"], after["mean_score"]) == (100.0, 0.0, float(score))


@property_test
@given(answer_rows, overall_rows)
def test_no_opinion_answers_change_no_rate(answer_rows, overall_rows):
    before = unit_figures(answer_rows, overall_rows)
    after = unit_figures([*answer_rows, *((item, 0, 7) for item in ITEM_ELEMENT)], overall_rows)
    for index, value in before.items():
        assert after[index] == pytest.approx(value, nan_ok=True)


# --- means of units ----------------------------------------------------------------------------------------------


@property_test
@given(
    st.lists(st.tuples(st.one_of(st.none(), st.floats(0, 100)), st.sampled_from(agg.STATUSES)), min_size=1, max_size=8)
)
def test_a_group_figure_lies_between_its_counted_units_figures(units):
    statuses = [agg.NO_DATA if value is None else status for value, status in units]
    figures = pd.DataFrame(
        {
            "unit_id": range(len(units)),
            **PERIOD,
            "index": "sipas",
            "value": [math.nan if value is None else value for value, _status in units],
            "n": 50,
            "ballots": 60,
            "status": statuses,
        }
    )
    mapping = pd.DataFrame({"unit_id": range(len(units)), "group_id": 7})
    group = agg.group_means(figures, membership=mapping, periods=figures).iloc[0]
    counted = [value for (value, _status), status in zip(units, statuses, strict=True) if status == agg.COUNTED]
    assert (group["units_counted"], group["units_total"]) == (len(counted), len(units))
    assert (group["n"], group["ballots"]) == (50 * len(counted), 60 * len(counted))
    if counted:
        assert min(counted) - EPSILON <= group["value"] <= max(counted) + EPSILON
    else:
        assert math.isnan(group["value"])


# --- order independence ------------------------------------------------------------------------------------------

counter_answer_rows = st.lists(
    st.tuples(st.integers(1, 4), st.sampled_from(sorted(ITEM_ELEMENT)), st.integers(0, 5), counts), max_size=20
)
counter_overall_rows = st.lists(st.tuples(st.integers(1, 4), st.integers(1, 5), counts), max_size=15)
# Counters 1-2 belong to unit 10 of group 100, counters 3-4 to unit 20 of group 200.
UNIT_OF_COUNTER = {1: 10, 2: 10, 3: 20, 4: 20}
UNIT_GROUPS = pd.DataFrame({"unit_id": [10, 20], "group_id": [100, 200]})


def snapshot(answer_rows, overall_rows, populations: pd.DataFrame | None = None) -> pd.DataFrame:
    answers = pd.DataFrame(
        [
            {"counter_id": k, "unit_id": UNIT_OF_COUNTER[k], **PERIOD, "item_code": c, "element": ITEM_ELEMENT[c]}
            | {"value": v, "count": n}
            for k, c, v, n in answer_rows
        ],
        columns=["counter_id", "unit_id", *PERIOD, "item_code", "element", "value", "count"],
    )
    overall = pd.DataFrame(
        [
            {"counter_id": k, "unit_id": UNIT_OF_COUNTER[k], **PERIOD, "value": v, "count": n}
            for k, v, n in overall_rows
        ],
        columns=["counter_id", "unit_id", *PERIOD, "value", "count"],
    )
    figures = agg.snapshot_figures(
        answers=answers, overall=overall, unit_groups=UNIT_GROUPS, populations=populations, minimum=30
    )
    key = ["level", "entity_id", "index"]
    assert not figures.duplicated(key).any()
    return figures.sort_values(key).reset_index(drop=True)


@snapshot_test
@given(counter_answer_rows, counter_overall_rows, st.randoms(use_true_random=False))
def test_the_order_of_the_rows_changes_no_figure(answer_rows, overall_rows, random):
    shuffled_answers, shuffled_overall = list(answer_rows), list(overall_rows)
    random.shuffle(shuffled_answers)
    random.shuffle(shuffled_overall)
    expected = snapshot(answer_rows, overall_rows)
    actual = snapshot(shuffled_answers, shuffled_overall)
    pd.testing.assert_frame_equal(actual, expected, check_exact=False, rtol=1e-12, atol=1e-9)


@snapshot_test
@given(counter_answer_rows, counter_overall_rows)
def test_every_stored_figure_lies_in_its_range(answer_rows, overall_rows):
    figures = snapshot(answer_rows, overall_rows)
    rates = figures[figures["index"] != "mean_score"]["value"].dropna()
    assert rates.between(-EPSILON, 100 + EPSILON).all()
    means = figures[figures["index"] == "mean_score"]["value"].dropna()
    assert means.between(1 - EPSILON, 5 + EPSILON).all()
    # A figure without a value is never adequate; the province's figures have entity 0.
    assert not (figures["adequate"] & figures["value"].isna()).any()
    assert set(figures.loc[figures["level"] == "province", "entity_id"]) <= {0}
