"""Satisfaction index formulas, as pure pandas functions (DataFrame in, DataFrame out).

No models, no settings, no database: `indices/services.py` fetches rollup counts with `.values()`, calls these
functions and stores what they return. The formulas are those of DESIGN.md section 6:

- criterion rate = 100 x #(answers 4 or 5) / #(answers 1..5); "no opinion" (value 0 here) is excluded;
- element index = mean of its criteria rates; SIPAS = mean of the element indices;
- overall-question rate (% of overall scores 4-5), mean score, dissatisfaction rate (% of overall scores 1-2);
- a 95% Wilson interval for every rate; sample adequacy n >= N / (1 + N x 0.05^2) with N the dossiers handled
  when known, else a configured minimum;
- a group's figure is the unweighted mean of the figures of its *counted* units: units in force on the period's
  last day whose figure is adequate (and, for SIPAS, complete: every element has a value); it carries "k of n
  units counted" (`units_counted` of `units_total`, the units in force on that day). The province's figure is the
  unweighted mean of its groups' figures (groups without a counted unit are left out), with k and n summed over
  the groups. The pooled rate (all ratings together) is kept beside, named as such (`group_means`);
- counts keep distinct names: `ballots` (citizens who rated: every rating answers the overall question) and `n`
  (the answers behind the figure: for SIPAS the answers of its least-answered element; for the overall-question
  figures the ballots). Adequacy tests `n`;
- the composite of a unit, a group or the province is weights x (its CCHC index, its satisfaction), both of the
  same level (`composite`); figures are rounded half up to 2 decimals for display (`round_half_up`) and a band is
  given on the rounded value;
- Decision 766/QĐ-TTg satisfaction group: on-time PAKN rate, PAKN answer satisfaction and TTHC satisfaction, with
  points = min(Pmax, R x Pmax / T).

An empty denominator gives NaN (stored as null, shown as "N/A"), never 0.

Figures come out in "long" form, one row per entity x period x index, with the columns of `FIGURE_COLUMNS`
after the key columns. Index names: `criterion:<item code>`, `element:<element>`, `sipas`, `overall`,
`mean_score`, `dissatisfaction`, `pooled_sipas`, `pooled_overall`, `d766:*` (see `decision_766`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd

Z95 = 1.959963984540054
MARGIN_OF_ERROR = 0.05
FIGURE_COLUMNS = ["index", "value", "n", "ci_low", "ci_high"]
PERIOD_KEYS = ["period_kind", "period_start", "period_end"]
# The five SIPAS elements (survey.models.Element, whose values a test compares with these).
SIPAS_ELEMENTS = ("access", "procedure", "civil_servant", "result", "feedback_handling")

# Why a figure is or is not counted in its group's mean (stored with every snapshot as `status`).
COUNTED = "counted"
INSUFFICIENT = "insufficient"  # the sample is below the adequate size
INCOMPLETE = "incomplete"  # SIPAS with an element that has no answer 1..5
INACTIVE = "inactive"  # the unit is not in force on the period's last day
NO_DATA = "no_data"  # nothing to count (value null)
STATUSES = (COUNTED, INSUFFICIENT, INCOMPLETE, INACTIVE, NO_DATA)

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


def round_half_up(value, places: int = 2) -> Decimal | None:
    """A figure as it is shown and exported: Decimal, rounded half up (73.125 -> 73.13), on every database.

    A float is read through its shortest text form (`repr`), the decimal number it stands for, so that 73.125 is
    73.125 and not the binary neighbour below it. None and NaN are None ("N/A")."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    number = value if isinstance(value, Decimal) else Decimal(repr(float(value)))
    return number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def shown(value) -> float | None:
    """The rounded figure as a float (for JSON, spreadsheets and charts)."""
    rounded = round_half_up(value)
    return None if rounded is None else float(rounded)


def mean_of_counted(values: Iterable[float | Decimal | None]) -> tuple[float | None, int]:
    """The unweighted mean of the values that are not None, and how many there were (the k of "k of n")."""
    present = [float(v) for v in values if v is not None and not (isinstance(v, float) and math.isnan(v))]
    return (math.fsum(present) / len(present) if present else None), len(present)


def composite(cchc: float | None, satisfaction: float | None, *, cchc_weight: float, satisfaction_weight: float):
    """The composite score: cchc_weight x CCHC% + satisfaction_weight x satisfaction%, None unless both exist.

    The same formula at every level: a group's (the province's) composite combines the group's (province's) CCHC
    figure with its satisfaction figure, each the mean of its own counted units (groups). It is not the mean of
    the units' composites, which would rest only on the units that happen to have both figures."""
    if cchc is None or satisfaction is None:
        return None
    return cchc_weight * float(cchc) + satisfaction_weight * float(satisfaction)


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


def unit_statuses(
    figures: pd.DataFrame, keys: Sequence[str], *, active: pd.Series, elements: Sequence[str] = SIPAS_ELEMENTS
) -> pd.Series:
    """Why each figure of `figures` is counted in its group's mean or not (one of STATUSES).

    In: long figures with `keys` + FIGURE_COLUMNS + `adequate`; `active` aligned with `figures` (the entity is in
    force on the period's last day). SIPAS is incomplete when the entity has fewer element figures with a value
    than `elements` (an element answered only with "no opinion"): its value is kept and shown, marked, but it is
    neither ranked nor counted. Order of precedence: no data, incomplete, insufficient, inactive, counted.
    """
    keys = list(keys)
    status = pd.Series(COUNTED, index=figures.index, dtype=object)
    if figures.empty:
        return status
    is_element = figures["index"].str.startswith("element:") & figures["value"].notna()
    valued = figures[is_element].groupby(keys, dropna=False).size().rename("valued_elements").reset_index()
    sipas = figures["index"] == "sipas"
    elements_of = figures[keys].merge(valued, on=keys, how="left")["valued_elements"].fillna(0).to_numpy()
    incomplete = sipas.to_numpy() & (elements_of < len(elements))
    status[~active.to_numpy()] = INACTIVE
    status[~figures["adequate"].fillna(False).astype(bool).to_numpy()] = INSUFFICIENT
    status[incomplete] = INCOMPLETE
    status[figures["value"].isna().to_numpy()] = NO_DATA
    return status


def in_force_at_end(units: pd.DataFrame, period_end: pd.Series) -> pd.Series:
    """Whether each unit is in force on its row's period end: valid_from <= end and (no valid_to or end <= it).

    In: `units` with `valid_from`, `valid_to` (dates or NaT), aligned with `period_end`. Units without validity
    columns are always in force."""
    if "valid_from" not in units:
        return pd.Series(True, index=units.index)
    end = pd.to_datetime(period_end)
    start_ok = pd.to_datetime(units["valid_from"]).le(end) | units["valid_from"].isna()
    valid_to = pd.to_datetime(units["valid_to"])
    return (start_ok & (valid_to.isna() | end.le(valid_to))).astype(bool)


def group_means(
    units: pd.DataFrame, *, membership: pd.DataFrame, periods: pd.DataFrame, parent: str = "group_id"
) -> pd.DataFrame:
    """THE definition of a group's figure: the unweighted mean over its counted units, with k of n.

    In: `units`: long unit figures with `unit_id`, PERIOD_KEYS, `index`, `value`, `n`, `ballots`, `status`;
    `membership`: `unit_id`, `parent` and optionally `valid_from`, `valid_to` (every unit and its group);
    `periods`: the PERIOD_KEYS x `index` pairs to give every group a row for.
    Out: PERIOD_KEYS + `parent` + `index`, `value` (mean of the counted units' values, NaN when none), `n` and
    `ballots` (summed over the counted units), `units_counted` (k), `units_total` (n: the group's units in force
    on the period's last day, with a figure or not), `adequate` (k > 0), `status`, null intervals.
    """
    p = list(PERIOD_KEYS)
    columns = [*p, parent, *FIGURE_COLUMNS, "ballots", "units_counted", "units_total", "adequate", "status"]
    if periods.empty or membership.empty:
        return pd.DataFrame(columns=columns)
    # Every group x period x index, with the group's units in force on the period's last day.
    pairs = periods[[*p, "index"]].drop_duplicates()
    frame = pairs.merge(membership, how="cross")
    frame = frame[in_force_at_end(frame, frame["period_end"]).to_numpy()]
    totals = frame.groupby([*p, "index", parent], as_index=False, sort=False).agg(units_total=("unit_id", "size"))
    counted = units[units["status"] == COUNTED][[*p, "index", "unit_id", "value", "n", "ballots"]]
    counted = frame[[*p, "index", "unit_id", parent]].merge(counted, on=[*p, "index", "unit_id"], how="inner")
    sums = counted.groupby([*p, "index", parent], as_index=False, sort=False).agg(
        value=("value", "mean"), n=("n", "sum"), ballots=("ballots", "sum"), units_counted=("unit_id", "size")
    )
    out = totals.merge(sums, on=[*p, "index", parent], how="left")
    out["value"] = out["value"].astype(float)
    for column in ("n", "ballots", "units_counted"):
        out[column] = out[column].fillna(0).astype(int)
    out["adequate"] = out["units_counted"] > 0
    out["status"] = np.where(out["adequate"], COUNTED, NO_DATA)
    out["ci_low"] = np.nan
    out["ci_high"] = np.nan
    return out[columns]


def province_means(groups: pd.DataFrame, *, parent: str = "group_id") -> pd.DataFrame:
    """THE definition of the province's figure: the unweighted mean of its group figures (the seed's 75.3 = mean of
    87.46, 73.93, 64.51), groups without a value left out; k and n are the sums of the groups' k and n.

    In: the output of `group_means`. Out: the same columns with `entity_id` 0 in place of `parent`.
    """
    p = list(PERIOD_KEYS)
    columns = [*p, "entity_id", *FIGURE_COLUMNS, "ballots", "units_counted", "units_total", "adequate", "status"]
    if groups.empty:
        return pd.DataFrame(columns=columns)
    valued = groups.assign(valued_value=groups["value"].where(groups["units_counted"] > 0))
    out = valued.groupby([*p, "index"], as_index=False, sort=False).agg(
        value=("valued_value", "mean"),
        n=("n", "sum"),
        ballots=("ballots", "sum"),
        units_counted=("units_counted", "sum"),
        units_total=("units_total", "sum"),
    )
    out["value"] = out["value"].astype(float)
    out["entity_id"] = 0
    out["adequate"] = out["units_counted"] > 0
    out["status"] = np.where(out["adequate"], COUNTED, NO_DATA)
    out["ci_low"] = np.nan
    out["ci_high"] = np.nan
    return out[columns]


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
    - `d766:pakn_on_time` = 100 x answered_on_time / answer_due (n = answer_due); rejected (inadmissible) cases
      owe no answer and are not in `answer_due`: they are counted on their own as `pakn:rejected` (value = their
      number, n = the cases due including them) when the input has a `rejected` column;
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
    # Capped at the dossiers handled; without them (NaN) there is no cap, and no TTHC figure below.
    affected = (f["received"] + f["dislikes"]).astype(float).clip(upper=handled)
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
    if "rejected" in f:
        rejected = f["rejected"].fillna(0)
        part = f[keys].assign(value=rejected.astype(float), n=rejected + f["answer_due"])
        parts.append(_figures(part, keys, "pakn:rejected"))
    return pd.concat(parts, ignore_index=True)


# --- every level at once -----------------------------------------------------------------------------------------

SNAPSHOT_COLUMNS = [
    "level",
    "entity_id",
    *PERIOD_KEYS,
    *FIGURE_COLUMNS,
    "adequate",
    "ballots",
    "units_counted",
    "units_total",
    "status",
]
COUNTER_INDICES = ("sipas", "overall", "mean_score", "dissatisfaction")


def _ballots(overall: pd.DataFrame, keys: Sequence[str]) -> pd.DataFrame:
    """Citizens who rated, per entity: every counted rating answers the overall question once."""
    keys = list(keys)
    if overall.empty:
        return pd.DataFrame(columns=[*keys, "ballots"])
    return overall.groupby(keys, as_index=False, sort=False)["count"].sum().rename(columns={"count": "ballots"})


def _with_ballots(figures: pd.DataFrame, overall: pd.DataFrame, keys: Sequence[str]) -> pd.DataFrame:
    out = figures.merge(_ballots(overall, keys), on=list(keys), how="left") if not figures.empty else figures
    out["ballots"] = out["ballots"].fillna(0).astype(int) if "ballots" in out else 0
    return out


def snapshot_figures(
    *,
    answers: pd.DataFrame,
    overall: pd.DataFrame,
    unit_groups: pd.DataFrame,
    populations: pd.DataFrame | None = None,
    pakn: pd.DataFrame | None = None,
    dossiers: pd.DataFrame | None = None,
    minimum: int = 30,
    elements: Sequence[str] = SIPAS_ELEMENTS,
) -> pd.DataFrame:
    """All the figures to store for some periods: counters, units, groups and the province.

    In:
    - `answers`: `counter_id`, `unit_id`, PERIOD_KEYS, `item_code`, `element`, `value` (0..5), `count`;
    - `overall`: `counter_id`, `unit_id`, PERIOD_KEYS, `value` (1..5), `count`;
    - `unit_groups`: `unit_id`, `group_id` and optionally `valid_from`, `valid_to` (every unit that belongs to a
      group, with its validity; without validity every unit is in force);
    - `populations`: `unit_id`, PERIOD_KEYS, `population` (dossiers handled), only where known;
    - `pakn`: `unit_id`, PERIOD_KEYS, `received`, `answer_due`, `answered_on_time`, `rated`, `rated_satisfied`;
    - `dossiers`: `unit_id`, PERIOD_KEYS, `handled`, `late`.
    Out: SNAPSHOT_COLUMNS, `entity_id` 0 for the province. Counters get the overall figures, SIPAS and elements;
    units everything (criteria, Decision 766), each with its `ballots` and `status`; groups and the province the
    means of `group_means` and `province_means` (with k of n), plus `pooled_sipas` and `pooled_overall`.
    """
    p = list(PERIOD_KEYS)
    parts = []

    counter = entity_figures(answers, overall, ["counter_id", *p], criteria=False)
    counter = counter[counter["index"].isin(COUNTER_INDICES) | counter["index"].str.startswith("element:")]
    counter = apply_adequacy(counter, ["counter_id", *p], populations=None, minimum=minimum)
    counter = _with_ballots(counter, overall.drop(columns="unit_id"), ["counter_id", *p])
    counter["status"] = unit_statuses(
        counter, ["counter_id", *p], active=pd.Series(True, index=counter.index), elements=elements
    )
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
    unit = _with_ballots(unit, unit_overall, ["unit_id", *p])
    membership = unit_groups.drop_duplicates("unit_id")
    validity = unit[["unit_id"]].merge(membership, on="unit_id", how="left")
    validity.index = unit.index
    active = in_force_at_end(validity, unit["period_end"]) & validity["group_id"].notna()
    unit["status"] = unit_statuses(unit, ["unit_id", *p], active=active, elements=elements)
    parts.append(unit.rename(columns={"unit_id": "entity_id"}).assign(level="unit"))

    group = group_means(unit, membership=membership, periods=unit[[*p, "index"]])
    parts.append(group.rename(columns={"group_id": "entity_id"}).assign(level="group"))
    parts.append(province_means(group).assign(level="province"))

    group_keys = membership[["unit_id", "group_id"]]
    pooled_group = pooled_figures(
        unit_answers.merge(group_keys, on="unit_id").drop(columns="unit_id"),
        unit_overall.merge(group_keys, on="unit_id").drop(columns="unit_id"),
        ["group_id", *p],
    )
    pooled_group = _with_ballots(
        pooled_group, unit_overall.merge(group_keys, on="unit_id").drop(columns="unit_id"), ["group_id", *p]
    )
    parts.append(pooled_group.rename(columns={"group_id": "entity_id"}).assign(level="group"))
    province_overall = unit_overall.drop(columns="unit_id").assign(entity_id=0)
    pooled_province = pooled_figures(
        unit_answers.drop(columns="unit_id").assign(entity_id=0), province_overall, ["entity_id", *p]
    )
    parts.append(_with_ballots(pooled_province, province_overall, ["entity_id", *p]).assign(level="province"))

    parts = [part for part in parts if not part.empty]
    if not parts:
        return pd.DataFrame(columns=SNAPSHOT_COLUMNS)
    out = pd.concat(parts, ignore_index=True)
    out["adequate"] = out["adequate"].fillna(False).astype(bool) if "adequate" in out else False
    pooled = out["index"].str.startswith("pooled_")
    out.loc[pooled, "adequate"] = out.loc[pooled, "n"] >= minimum
    out["adequate"] = out["adequate"] & out["value"].notna()
    out.loc[pooled, "status"] = np.where(
        out.loc[pooled, "value"].isna(), NO_DATA, np.where(out.loc[pooled, "adequate"], COUNTED, INSUFFICIENT)
    )
    out["ballots"] = out["ballots"].fillna(0).astype(int)
    out["n"] = out["n"].fillna(0).astype(int)
    for column in ("units_counted", "units_total"):
        out[column] = out[column].astype("Int64") if column in out else pd.array([pd.NA] * len(out), "Int64")
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
