"""Satisfaction index formulas, as pure pandas functions (DataFrame in, DataFrame out).

No models, no settings, no database: `indices/services.py` fetches rollup counts with `.values()`, calls these
functions and stores what they return. The formulas are those of DESIGN.md section 6:

- criterion rate = 100 x #(answers 4 or 5) / #(answers 1..5); "no opinion" (value 0 here) is excluded;
- element index = mean of its criteria rates; SIPAS = mean of the element indices;
- overall-question rate (% of overall scores 4-5), mean score, dissatisfaction rate (% of overall scores 1-2);
- a 95% Wilson interval for every rate; sample adequacy n >= N / (1 + N x 0.05^2) with N the dossiers handled
  when known, else a configured minimum;
- a group's figure is the unweighted mean of its units' figures, the province's the unweighted mean of its groups'
  figures, with the pooled rate (all ratings together) beside;
- Decision 766/QĐ-TTg satisfaction group: on-time PAKN rate, PAKN answer satisfaction and TTHC satisfaction, with
  points = min(Pmax, R x Pmax / T).

An empty denominator gives NaN (stored as null, shown as "N/A"), never 0.

Figures come out in "long" form, one row per entity x period x index, with the columns of `FIGURE_COLUMNS`
after the key columns. Index names: `criterion:<item code>`, `element:<element>`, `sipas`, `overall`,
`mean_score`, `dissatisfaction`, `pooled_sipas`, `pooled_overall`, `d766:*` (see `decision_766`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

Z95 = 1.959963984540054
MARGIN_OF_ERROR = 0.05
FIGURE_COLUMNS = ["index", "value", "n", "ci_low", "ci_high"]
PERIOD_KEYS = ["period_kind", "period_start", "period_end"]

# Decision 766 defaults: maximum points and the target rate that earns them.
D766_PARAMETERS = {
    "pakn_on_time": {"max_points": 6.0, "target": 100.0},
    "pakn_satisfaction": {"max_points": 6.0, "target": 100.0},
    "tthc_satisfaction": {"max_points": 6.0, "target": 90.0},
}


# --- single numbers ----------------------------------------------------------------------------------------------


def wilson_interval(successes: float, n: float, z: float = Z95) -> tuple[float | None, float | None]:
    """The 95% Wilson score interval of a proportion, in percent; (None, None) when n is 0."""
    if not n:
        return None, None
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return 100 * max(0.0, centre - half), 100 * min(1.0, centre + half)


def required_sample(population: float | None, minimum: int) -> int:
    """The adequate sample size: N / (1 + N e^2) rounded up with e = 5% when N is known (> 0), else `minimum`."""
    if population is None or pd.isna(population) or population <= 0:
        return minimum
    return math.ceil(population / (1 + population * MARGIN_OF_ERROR**2) - 1e-9)


def decision_766_points(rate: float | None, *, max_points: float, target: float) -> float | None:
    """min(Pmax, R x Pmax / T); None when the rate is unknown."""
    if rate is None or pd.isna(rate):
        return None
    return min(max_points, max(0.0, rate) * max_points / target)


# --- vectorised helpers ------------------------------------------------------------------------------------------


def _ratio(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    """100 x numerator / denominator, NaN where the denominator is 0."""
    denominator = denominator.astype(float)
    return (100 * numerator.astype(float) / denominator.where(denominator > 0)).astype(float)


def _wilson(successes: pd.Series, n: pd.Series) -> tuple[pd.Series, pd.Series]:
    n = n.astype(float).where(n > 0)
    p = successes.astype(float) / n
    z2 = Z95 * Z95
    denominator = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denominator
    half = Z95 * np.sqrt((p * (1 - p) / n + z2 / (4 * n * n)).clip(lower=0)) / denominator
    return 100 * (centre - half).clip(lower=0), 100 * (centre + half).clip(upper=1)


def _empty_figures(keys: Sequence[str]) -> pd.DataFrame:
    return pd.DataFrame(columns=[*keys, *FIGURE_COLUMNS])


def _figures(frame: pd.DataFrame, keys: Sequence[str], index: str | pd.Series) -> pd.DataFrame:
    out = frame[list(keys)].copy()
    out["index"] = index
    for column in ("value", "n", "ci_low", "ci_high"):
        out[column] = frame[column].to_numpy() if column in frame else np.nan
    out["n"] = out["n"].fillna(0).astype(int)
    return out


# --- periods -----------------------------------------------------------------------------------------------------


def expand_periods(monthly: pd.DataFrame, periods: Sequence[tuple[str, object, object]]) -> pd.DataFrame:
    """Assign month-level rows to every period that contains them, and sum.

    In: `monthly` with a `month` column (the first day of the month, datetime64 or date), a `count` column and
    any other key columns; `periods` as (kind, start, end) with whole months. Out: the key columns (without
    `month`) + `period_kind`, `period_start`, `period_end`, `count`. A month may land in several periods (its
    month, its quarter, its year).
    """
    keys = [c for c in monthly.columns if c not in ("month", "count")]
    month = pd.to_datetime(monthly["month"])
    parts = []
    for kind, start, end in periods:
        mask = (month >= pd.Timestamp(start)) & (month <= pd.Timestamp(end))
        part = monthly.loc[mask, [*keys, "count"]].copy()
        part["period_kind"], part["period_start"], part["period_end"] = kind, start, end
        parts.append(part)
    if not parts:
        return pd.DataFrame(columns=[*keys, *PERIOD_KEYS, "count"])
    out = pd.concat(parts, ignore_index=True)
    group = [*keys, *PERIOD_KEYS]
    return out.groupby(group, as_index=False, dropna=False, sort=False)["count"].sum()


# --- survey figures ----------------------------------------------------------------------------------------------


def criterion_rates(answers: pd.DataFrame, keys: Sequence[str]) -> pd.DataFrame:
    """Per criterion: how many answered 1..5 (`n`), how many 4-5 (`satisfied`), the rate and its interval.

    In: `keys` + `item_code`, `element`, `value` (0 = no opinion, 1..5), `count`.
    Out: `keys` + `item_code`, `element`, `n`, `satisfied`, `rate`, `ci_low`, `ci_high`. A criterion answered
    only with "no opinion" has n 0 and a NaN rate.
    """
    keys = list(keys)
    if answers.empty:
        return pd.DataFrame(columns=[*keys, "item_code", "element", "n", "satisfied", "rate", "ci_low", "ci_high"])
    frame = answers.assign(
        n=answers["count"].where(answers["value"].between(1, 5), 0),
        satisfied=answers["count"].where(answers["value"].between(4, 5), 0),
    )
    out = frame.groupby([*keys, "item_code", "element"], as_index=False, sort=False)[["n", "satisfied"]].sum()
    out["rate"] = _ratio(out["satisfied"], out["n"])
    out["ci_low"], out["ci_high"] = _wilson(out["satisfied"], out["n"])
    return out


def element_indices(criteria: pd.DataFrame, keys: Sequence[str]) -> pd.DataFrame:
    """Element index = mean of its criteria rates (criteria without a rate are left out).

    In: the output of `criterion_rates`. Out: `keys` + `element`, `value`, `n`, `ci_low`, `ci_high`, where `n`
    is the largest criterion n of the element (its respondents) and the interval is Wilson's at that n (an
    approximation: the index is a mean of rates).
    """
    keys = list(keys)
    out = criteria.groupby([*keys, "element"], as_index=False, sort=False).agg(value=("rate", "mean"), n=("n", "max"))
    out["value"] = out["value"].astype(float)
    out["ci_low"], out["ci_high"] = _wilson(out["value"] / 100 * out["n"], out["n"])
    return out


def sipas_index(elements: pd.DataFrame, keys: Sequence[str]) -> pd.DataFrame:
    """SIPAS = mean of the element indices that have a value.

    In: the output of `element_indices`. Out: `keys` + `value`, `n`, `ci_low`, `ci_high`; `n` is the smallest n
    among the elements with a value (every element must rest on the sample), 0 when none has one.
    """
    keys = list(keys)
    valued = elements.assign(n=elements["n"].where(elements["value"].notna()))
    out = valued.groupby(keys, as_index=False, sort=False).agg(value=("value", "mean"), n=("n", "min"))
    out["value"] = out["value"].astype(float)
    out["n"] = out["n"].fillna(0).astype(int)
    out["ci_low"], out["ci_high"] = _wilson(out["value"] / 100 * out["n"], out["n"])
    return out


def overall_figures(overall: pd.DataFrame, keys: Sequence[str]) -> pd.DataFrame:
    """Figures of the overall question.

    In: `keys` + `value` (the overall score 1..5), `count`. Out: long figures (`keys` + FIGURE_COLUMNS) for
    `overall` (% of 4-5), `dissatisfaction` (% of 1-2), both with Wilson intervals, and `mean_score` (1..5).
    """
    keys = list(keys)
    if overall.empty:
        return _empty_figures(keys)
    frame = overall.assign(
        satisfied=overall["count"].where(overall["value"] >= 4, 0),
        dissatisfied=overall["count"].where(overall["value"] <= 2, 0),
        points=overall["count"] * overall["value"],
    )
    sums = frame.groupby(keys, as_index=False, sort=False)[["count", "satisfied", "dissatisfied", "points"]].sum()
    sums["n"] = sums["count"]
    parts = []
    for index, successes in (("overall", "satisfied"), ("dissatisfaction", "dissatisfied")):
        part = sums.assign(value=_ratio(sums[successes], sums["n"]))
        part["ci_low"], part["ci_high"] = _wilson(part[successes], part["n"])
        parts.append(_figures(part, keys, index))
    mean = sums.assign(value=sums["points"] / sums["n"].where(sums["n"] > 0))
    parts.append(_figures(mean, keys, "mean_score"))
    return pd.concat(parts, ignore_index=True)


def entity_figures(
    answers: pd.DataFrame, overall: pd.DataFrame, keys: Sequence[str], *, criteria: bool = True
) -> pd.DataFrame:
    """Every survey figure of each entity, pooled over its ratings.

    In: `answers` as for `criterion_rates`, `overall` as for `overall_figures`, both keyed by `keys`.
    Out: long figures (`keys` + FIGURE_COLUMNS): `criterion:<code>` (when `criteria`), `element:<element>`,
    `sipas` (one row for every entity that has any rating, NaN without answers), `overall`, `mean_score`,
    `dissatisfaction`.
    """
    keys = list(keys)
    parts = [overall_figures(overall, keys)]
    rates = criterion_rates(answers, keys)
    if criteria and not rates.empty:
        parts.append(
            _figures(rates.rename(columns={"rate": "value"}), keys, "criterion:" + rates["item_code"].astype(str))
        )
    elements = element_indices(rates, keys) if not rates.empty else pd.DataFrame(columns=[*keys, "element"])
    if not elements.empty:
        parts.append(_figures(elements, keys, "element:" + elements["element"].astype(str)))
    sipas = sipas_index(elements, keys) if not elements.empty else pd.DataFrame(columns=keys)
    entities = pd.concat([answers[keys], overall[keys]], ignore_index=True).drop_duplicates()
    if not entities.empty:
        sipas = entities.merge(sipas, on=keys, how="left") if keys else sipas
        parts.append(_figures(sipas, keys, "sipas"))
    parts = [p for p in parts if not p.empty]
    return pd.concat(parts, ignore_index=True) if parts else _empty_figures(keys)


def apply_adequacy(
    figures: pd.DataFrame, keys: Sequence[str], *, populations: pd.DataFrame | None, minimum: int
) -> pd.DataFrame:
    """Add `required` and `adequate`: n >= N / (1 + N x 0.05^2) with N = `population` when known, else `minimum`.

    In: long figures keyed by `keys`; `populations` with `keys` + `population` (dossiers handled), or None.
    Out: the figures + `required` (int) + `adequate` (bool). A figure without a value is never adequate.
    """
    keys = list(keys)
    out = figures.copy()
    if populations is not None and not populations.empty and not out.empty:
        out = out.merge(populations[[*keys, "population"]], on=keys, how="left")
    else:
        out["population"] = np.nan
    out["required"] = [required_sample(p, minimum) for p in out["population"]]
    out["adequate"] = (out["n"] >= out["required"]) & out["value"].notna()
    return out.drop(columns="population")


def mean_of_children(
    figures: pd.DataFrame, *, child: str, parent: str, mapping: pd.DataFrame, keys: Sequence[str] = ()
) -> pd.DataFrame:
    """The unweighted mean of the children's figures (units -> group, groups -> province).

    In: long figures with `keys` + `child` + FIGURE_COLUMNS (+ `adequate`); `mapping` with `child` and `parent`.
    Out: `keys` + `parent` + FIGURE_COLUMNS + `adequate` + `children` (how many figures went into the mean). Children
    without a value are left out; `n` is the sum of the children's n; intervals are NaN (a mean of figures has
    no Wilson interval; see the pooled figures); a mean is adequate when every child in it is.
    """
    keys = list(keys)
    frame = figures.merge(mapping[[child, parent]], on=child, how="inner")
    if "adequate" not in frame:
        frame["adequate"] = frame["value"].notna()
    frame = frame.assign(
        valued=frame["value"].notna(),
        ok=frame["adequate"] | frame["value"].isna(),
    )
    out = frame.groupby([*keys, parent, "index"], as_index=False, sort=False).agg(
        value=("value", "mean"), n=("n", "sum"), children=("valued", "sum"), all_ok=("ok", "all")
    )
    out["value"] = out["value"].astype(float)
    out["adequate"] = out["all_ok"] & (out["children"] > 0)
    out["ci_low"] = np.nan
    out["ci_high"] = np.nan
    return out[[*keys, parent, *FIGURE_COLUMNS, "adequate", "children"]]


def pooled_figures(answers: pd.DataFrame, overall: pd.DataFrame, keys: Sequence[str]) -> pd.DataFrame:
    """`pooled_sipas` and `pooled_overall`: the figures over all the ratings of the entity taken together.

    In/out as `entity_figures` (only those two indices, with Wilson intervals).
    """
    figures = entity_figures(answers, overall, keys, criteria=False)
    figures = figures[figures["index"].isin(["sipas", "overall"])].copy()
    figures["index"] = "pooled_" + figures["index"]
    return figures


# --- Decision 766 ------------------------------------------------------------------------------------------------


def decision_766(frame: pd.DataFrame, keys: Sequence[str], parameters: dict | None = None) -> pd.DataFrame:
    """The Decision 766 satisfaction group per entity and period.

    In: `keys` + `received` (PAKN received), `answer_due` (PAKN whose answer fell due), `answered_on_time`,
    `rated` (answers the citizen rated), `rated_satisfied`, `handled` (dossiers handled; NaN when unknown),
    `late` (dossiers resolved late), `dislikes` (overall ratings 1-2).
    Out: long figures (`keys` + FIGURE_COLUMNS) for
    - `d766:pakn_on_time` = 100 x answered_on_time / answer_due (n = answer_due);
    - `d766:pakn_satisfaction` = 100 x rated_satisfied / rated (n = rated);
    - `d766:tthc_satisfaction` = 100 - (100 x late / handled + 100 x min(handled, received + dislikes) / handled),
      clipped to 0..100 (n = handled);
    - `d766:<each of the three>_points` = min(Pmax, R x Pmax / T) (T = 100, 100 and 90 by default);
    - `d766:points`, the sum of the three when all three are known.
    Rates carry Wilson intervals; TTHC satisfaction and the points do not.
    """
    parameters = parameters or D766_PARAMETERS
    keys = list(keys)
    if frame.empty:
        return _empty_figures(keys)
    f = frame.copy()
    for column in ("received", "answer_due", "answered_on_time", "rated", "rated_satisfied", "dislikes"):
        f[column] = f[column].fillna(0) if column in f else 0
    handled = f["handled"].astype(float) if "handled" in f else pd.Series(np.nan, index=f.index)
    late = f["late"].astype(float) if "late" in f else pd.Series(np.nan, index=f.index)
    rates = {
        "pakn_on_time": (f["answered_on_time"], f["answer_due"]),
        "pakn_satisfaction": (f["rated_satisfied"], f["rated"]),
    }
    parts, points = [], {}
    for name, (successes, n) in rates.items():
        part = f[keys].assign(value=_ratio(successes, n), n=n)
        part["ci_low"], part["ci_high"] = _wilson(successes, n)
        parts.append(_figures(part, keys, f"d766:{name}"))
        points[name] = part["value"]
    affected = np.minimum(handled, f["received"] + f["dislikes"])
    tthc = (100 - _ratio(late.fillna(0), handled) - _ratio(affected, handled)).clip(0, 100)
    tthc = tthc.where(handled > 0)
    parts.append(_figures(f[keys].assign(value=tthc, n=handled.fillna(0)), keys, "d766:tthc_satisfaction"))
    points["tthc_satisfaction"] = tthc
    point_columns = []
    for name, rate in points.items():
        p = parameters[name]
        value = (rate.clip(lower=0) * p["max_points"] / p["target"]).clip(upper=p["max_points"])
        point_columns.append(value)
        parts.append(_figures(f[keys].assign(value=value), keys, f"d766:{name}_points"))
    total = sum(point_columns)  # NaN as soon as one of the three is unknown
    parts.append(_figures(f[keys].assign(value=total), keys, "d766:points"))
    return pd.concat(parts, ignore_index=True)


# --- every level at once -----------------------------------------------------------------------------------------

SNAPSHOT_COLUMNS = ["level", "entity_id", *PERIOD_KEYS, *FIGURE_COLUMNS, "adequate"]
COUNTER_INDICES = ("sipas", "overall", "mean_score", "dissatisfaction")


def snapshot_figures(
    *,
    answers: pd.DataFrame,
    overall: pd.DataFrame,
    unit_groups: pd.DataFrame,
    populations: pd.DataFrame | None = None,
    pakn: pd.DataFrame | None = None,
    dossiers: pd.DataFrame | None = None,
    minimum: int = 30,
) -> pd.DataFrame:
    """All the figures to store for some periods: counters, units, groups and the province.

    In:
    - `answers`: `counter_id`, `unit_id`, PERIOD_KEYS, `item_code`, `element`, `value` (0..5), `count`;
    - `overall`: `counter_id`, `unit_id`, PERIOD_KEYS, `value` (1..5), `count`;
    - `unit_groups`: `unit_id`, `group_id` (every unit that belongs to a group);
    - `populations`: `unit_id`, PERIOD_KEYS, `population` (dossiers handled), only where known;
    - `pakn`: `unit_id`, PERIOD_KEYS, `received`, `answer_due`, `answered_on_time`, `rated`, `rated_satisfied`;
    - `dossiers`: `unit_id`, PERIOD_KEYS, `handled`, `late`.
    Out: SNAPSHOT_COLUMNS, `entity_id` 0 for the province. Counters get the overall figures, SIPAS and elements;
    units everything (criteria, Decision 766); groups and the province the unweighted means of their children
    plus `pooled_sipas` and `pooled_overall`.
    """
    p = list(PERIOD_KEYS)
    parts = []

    counter = entity_figures(answers, overall, ["counter_id", *p], criteria=False)
    counter = counter[counter["index"].isin(COUNTER_INDICES) | counter["index"].str.startswith("element:")]
    counter = apply_adequacy(counter, ["counter_id", *p], populations=None, minimum=minimum)
    parts.append(counter.rename(columns={"counter_id": "entity_id"}).assign(level="counter"))

    unit_answers = answers.drop(columns="counter_id")
    unit_overall = overall.drop(columns="counter_id")
    unit = entity_figures(unit_answers, unit_overall, ["unit_id", *p])
    unit = apply_adequacy(unit, ["unit_id", *p], populations=populations, minimum=minimum)

    d766_input = _decision_766_input(unit_overall, pakn, dossiers)
    if not d766_input.empty:
        d766 = decision_766(d766_input, ["unit_id", *p])
        d766["adequate"] = d766["value"].notna()
        unit = pd.concat([unit.drop(columns="required"), d766], ignore_index=True)
    else:
        unit = unit.drop(columns="required")
    parts.append(unit.rename(columns={"unit_id": "entity_id"}).assign(level="unit"))

    group = mean_of_children(unit, child="unit_id", parent="group_id", mapping=unit_groups, keys=p)
    parts.append(group.rename(columns={"group_id": "entity_id"}).assign(level="group"))
    province = mean_of_children(
        group.drop(columns="children"),
        child="group_id",
        parent="province_id",
        mapping=unit_groups[["group_id"]].drop_duplicates().assign(province_id=0),
        keys=p,
    )
    parts.append(province.rename(columns={"province_id": "entity_id"}).assign(level="province"))

    group_keys = unit_groups[["unit_id", "group_id"]]
    pooled_group = pooled_figures(
        unit_answers.merge(group_keys, on="unit_id").drop(columns="unit_id"),
        unit_overall.merge(group_keys, on="unit_id").drop(columns="unit_id"),
        ["group_id", *p],
    )
    parts.append(pooled_group.rename(columns={"group_id": "entity_id"}).assign(level="group"))
    pooled_province = pooled_figures(
        unit_answers.drop(columns="unit_id").assign(entity_id=0),
        unit_overall.drop(columns="unit_id").assign(entity_id=0),
        ["entity_id", *p],
    )
    parts.append(pooled_province.assign(level="province"))

    parts = [part for part in parts if not part.empty]
    if not parts:
        return pd.DataFrame(columns=SNAPSHOT_COLUMNS)
    out = pd.concat(parts, ignore_index=True)
    out["adequate"] = out["adequate"].fillna(False).astype(bool) if "adequate" in out else False
    pooled = out["index"].str.startswith("pooled_")
    out.loc[pooled, "adequate"] = out.loc[pooled, "n"] >= minimum
    out["adequate"] = out["adequate"] & out["value"].notna()
    return out[SNAPSHOT_COLUMNS].reset_index(drop=True)


def _decision_766_input(
    unit_overall: pd.DataFrame, pakn: pd.DataFrame | None, dossiers: pd.DataFrame | None
) -> pd.DataFrame:
    """One row per unit and period that has PAKN figures or dossier statistics, with its dislikes counted."""
    keys = ["unit_id", *PERIOD_KEYS]
    frames = [f for f in (pakn, dossiers) if f is not None and not f.empty]
    if not frames:
        return pd.DataFrame(columns=keys)
    base = pd.concat([f[keys] for f in frames], ignore_index=True).drop_duplicates()
    for f in frames:
        base = base.merge(f, on=keys, how="left")
    low = unit_overall[unit_overall["value"] <= 2]
    dislikes = low.groupby(keys, as_index=False)["count"].sum().rename(columns={"count": "dislikes"})
    return base.merge(dislikes, on=keys, how="left")
