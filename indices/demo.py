"""Demo CCHC scores: 2016 and 2017 of the 37 units of the seed's report, and the two rated demo years.

The 2017 points are chosen so that the report reproduces the seed exactly: central agencies 87.46% (4 Tốt,
1 Khá), departments 73.93% (3 Tốt, 14 Khá, 4 Trung bình), district level 64.51% (5 Khá, 6 Trung bình) and the
province 75.3%. Every unit is scored out of 100 points, split over the index's fields. 2016 is somewhat lower.
The rated years (`survey.demo.demo_years`: 2024, before the reorganisation, and the latest year after it) get
scores too, so that their reports show CCHC, satisfaction and the composite side by side: 2024 a little above
2017, and after the reorganisation each commune near the mean of its districts' 2024 scores.
Idempotent: rows that are already right are left untouched.
"""

import datetime
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from survey.models import Unit

from .models import CchcField, CchcFieldScore, CchcScore

SCORES_2017 = {
    # Central agencies located in the province: 4 Tốt, 1 Khá, mean 87.46.
    "bhxh": "93.10",
    "hai-quan": "91.45",
    "nhnn": "90.20",
    "kho-bac": "87.80",
    "cuc-thue": "74.75",
    # Specialised agencies of the provincial People's Committee: 3 Tốt, 14 Khá, 4 Trung bình, mean 73.93.
    "so-noi-vu": "84.05",
    "vp-ubnd": "82.36",
    "so-tu-phap": "80.52",
    "so-khdt": "79.10",
    "so-tai-chinh": "78.45",
    "so-tttt": "77.80",
    "so-cong-thuong": "77.02",
    "so-tnmt": "76.55",
    "so-xay-dung": "75.90",
    "so-ldtbxh": "75.31",
    "so-nnptnt": "74.68",
    "so-gtvt": "74.20",
    "so-khcn": "73.75",
    "thanh-tra": "73.10",
    "so-y-te": "73.04",
    "so-gddt": "72.60",
    "so-du-lich": "71.92",
    "ban-dan-toc": "66.20",
    "so-ngoai-vu": "64.85",
    "so-vhtt": "62.40",
    "bql-kkt": "58.73",
    # District-level People's Committees: 5 Khá, 6 Trung bình, mean 64.51.
    "quy-nhon": "76.84",
    "tuy-phuoc": "74.12",
    "hoai-nhon": "72.65",
    "an-nhon": "71.90",
    "an-lao": "70.38",
    "phu-cat": "63.40",
    "tay-son": "61.25",
    "phu-my": "58.70",
    "hoai-an": "55.12",
    "vinh-thanh": "53.40",
    "van-canh": "51.85",
}
MAXIMUM = Decimal("100.00")
CENT = Decimal("0.01")


def demo_scores(seed: int = 2016) -> dict[int, dict[str, Decimal]]:
    """Points (out of 100) by year and unit code: 2017 as in the seed, 2016 lower by 0.5 to 6 points, and the
    rated demo years (the units in force in each)."""
    from survey.demo import DISTRICT_SUCCESSORS, demo_years

    rng = random.Random(seed)
    scores_2016 = {
        code: (Decimal(points) - Decimal(str(round(rng.uniform(0.5, 6.0), 2)))).quantize(CENT)
        for code, points in SCORES_2017.items()
    }
    scores = {2016: scores_2016, 2017: {code: Decimal(points) for code, points in SCORES_2017.items()}}
    before, after = demo_years()

    def moved(points: Decimal, low: float, high: float) -> Decimal:
        return min(Decimal("98.50"), (points + Decimal(str(round(rng.uniform(low, high), 2)))).quantize(CENT))

    scores[before] = {code: moved(Decimal(points), 0.5, 7.0) for code, points in SCORES_2017.items()}
    scores[after] = {
        code: moved(points, -1.0, 4.0) for code, points in scores[before].items() if code not in DISTRICT_SUCCESSORS
    }
    for district, (commune, _name, _short) in DISTRICT_SUCCESSORS.items():
        scores[after][commune] = moved(scores[before][district], -3.0, 5.0)
    return scores


def split_over_fields(points: Decimal, fields: list[CchcField], rng: random.Random) -> list[Decimal]:
    """Spread a unit's points over the fields in proportion to their maxima, with a little variety."""
    total_max = sum(f.default_max for f in fields)
    ratio = points / total_max
    shares = []
    for cchc_field in fields[:-1]:
        share = cchc_field.default_max * ratio * Decimal(str(rng.uniform(0.93, 1.07)))
        shares.append(min(share, cchc_field.default_max).quantize(CENT))
    last = points - sum(shares)
    if not Decimal(0) <= last <= fields[-1].default_max:
        shares = [(f.default_max * ratio).quantize(CENT) for f in fields[:-1]]
        last = points - sum(shares)
    return [*shares, last]


@transaction.atomic
def load_cchc_demo(*, seed: int = 2016) -> dict[str, int]:
    """Create or correct the demo CCHC scores (and their field split). Returns how many rows were written."""
    scores_by_year = demo_scores(seed)
    codes = {code for scores in scores_by_year.values() for code in scores}
    units = {u.code: u for u in Unit.objects.filter(code__in=codes)}
    fields = list(CchcField.objects.filter(is_active=True))
    fields = fields if sum(f.default_max for f in fields) == MAXIMUM else []
    written = {"cchc scores": 0, "cchc field scores": 0}
    for year, scores in scores_by_year.items():
        rng = random.Random(seed * 1000 + year)
        for code, points in scores.items():
            unit = units.get(code)
            if unit is None:
                continue
            score, created = CchcScore.objects.get_or_create(
                unit=unit, year=year, defaults={"points": points, "max_points": MAXIMUM}
            )
            if not created and (score.points, score.max_points) != (points, MAXIMUM):
                score.points, score.max_points = points, MAXIMUM
                score.save(update_fields=["points", "max_points", "updated_at"])
                created = True
            written["cchc scores"] += created
            if not fields:
                continue
            wanted = {
                f.pk: (share, f.default_max)
                for f, share in zip(fields, split_over_fields(points, fields, rng), strict=True)
            }
            existing = {fs.field_id: (fs.points, fs.max_points) for fs in score.fields.all()}
            if existing != wanted:
                score.fields.all().delete()
                CchcFieldScore.objects.bulk_create(
                    [
                        CchcFieldScore(score=score, field_id=field_id, points=share, max_points=maximum)
                        for field_id, (share, maximum) in wanted.items()
                    ]
                )
                written["cchc field scores"] += len(wanted)
    return written


def compute_demo_indices():
    """Rebuild the rollups and store the snapshots of every month, quarter and year of the rated demo years (and
    the current ones), so that the dashboards and the report show figures at once."""
    from survey.demo import demo_years

    from .periods import month, periods_containing
    from .services import compute_indices

    today = timezone.localdate()
    periods = set(periods_containing(today))
    for rated in demo_years(today):
        for number in range(1, 13):
            if datetime.date(rated, number, 1) <= today:
                periods.update(periods_containing(month(rated, number).start))
    return compute_indices(periods=sorted(periods), rebuild=True, trigger="demo")
