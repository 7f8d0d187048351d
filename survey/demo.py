"""The demo world: Bình Định as in the 2017 CCHC report, with the 2025 reorganisation.

Everything here is idempotent: objects are looked up by their stable codes and only created or corrected when
they differ, so running `load_demo` twice changes nothing.
"""

import csv
import datetime
import random
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from . import selectors
from .models import Counter, Rating, RatingAnswer, ReasonChip, ServiceField, Unit, UnitGroup, User

DATA_DIR = Path(__file__).resolve().parent / "data"
DEFAULT_DEMO_PASSWORD = "hailong-demo-2026"
REORGANISATION_END = datetime.date(2025, 6, 30)
REORGANISATION_START = datetime.date(2025, 7, 1)

GROUPS = [
    ("trung-uong", "Cơ quan Trung ương đóng trên địa bàn tỉnh", "Central agencies located in the province"),
    ("so-nganh", "Cơ quan chuyên môn thuộc UBND tỉnh", "Specialised agencies of the provincial People's Committee"),
    ("cap-huyen", "UBND huyện, thị xã, thành phố", "District-level People's Committees"),
    ("cap-xa", "UBND xã, phường", "Commune-level People's Committees"),
]
GROUP_BY_KIND = {"central": "trung-uong", "department": "so-nganh", "district": "cap-huyen"}

# Stable codes and short names, in the order of the reference file.
UNIT_CODES = {
    "Bảo hiểm xã hội tỉnh Bình Định": ("bhxh", "BHXH tỉnh"),
    "Cục Hải quan tỉnh Bình Định": ("hai-quan", "Cục Hải quan"),
    "Ngân hàng Nhà nước Việt Nam - Chi nhánh tỉnh Bình Định": ("nhnn", "NHNN chi nhánh"),
    "Kho bạc Nhà nước Bình Định": ("kho-bac", "Kho bạc"),
    "Cục Thuế tỉnh Bình Định": ("cuc-thue", "Cục Thuế"),
    "Văn phòng UBND tỉnh": ("vp-ubnd", "VP UBND tỉnh"),
    "Sở Nội vụ": ("so-noi-vu", "Sở Nội vụ"),
    "Sở Tư pháp": ("so-tu-phap", "Sở Tư pháp"),
    "Sở Kế hoạch và Đầu tư": ("so-khdt", "Sở KH&ĐT"),
    "Sở Tài chính": ("so-tai-chinh", "Sở Tài chính"),
    "Sở Công Thương": ("so-cong-thuong", "Sở Công Thương"),
    "Sở Nông nghiệp và Phát triển nông thôn": ("so-nnptnt", "Sở NN&PTNT"),
    "Sở Giao thông vận tải": ("so-gtvt", "Sở GTVT"),
    "Sở Xây dựng": ("so-xay-dung", "Sở Xây dựng"),
    "Sở Tài nguyên và Môi trường": ("so-tnmt", "Sở TN&MT"),
    "Sở Thông tin và Truyền thông": ("so-tttt", "Sở TT&TT"),
    "Sở Lao động - Thương binh và Xã hội": ("so-ldtbxh", "Sở LĐ-TB&XH"),
    "Sở Văn hóa và Thể thao": ("so-vhtt", "Sở VH&TT"),
    "Sở Du lịch": ("so-du-lich", "Sở Du lịch"),
    "Sở Khoa học và Công nghệ": ("so-khcn", "Sở KH&CN"),
    "Sở Giáo dục và Đào tạo": ("so-gddt", "Sở GD&ĐT"),
    "Sở Y tế": ("so-y-te", "Sở Y tế"),
    "Sở Ngoại vụ": ("so-ngoai-vu", "Sở Ngoại vụ"),
    "Thanh tra tỉnh": ("thanh-tra", "Thanh tra tỉnh"),
    "Ban Dân tộc": ("ban-dan-toc", "Ban Dân tộc"),
    "Ban Quản lý Khu kinh tế": ("bql-kkt", "BQL Khu kinh tế"),
    "UBND thành phố Quy Nhơn": ("quy-nhon", "TP Quy Nhơn"),
    "UBND thị xã An Nhơn": ("an-nhon", "TX An Nhơn"),
    "UBND huyện Hoài Nhơn": ("hoai-nhon", "Hoài Nhơn"),
    "UBND huyện Tuy Phước": ("tuy-phuoc", "Tuy Phước"),
    "UBND huyện Phù Cát": ("phu-cat", "Phù Cát"),
    "UBND huyện Phù Mỹ": ("phu-my", "Phù Mỹ"),
    "UBND huyện Tây Sơn": ("tay-son", "Tây Sơn"),
    "UBND huyện Hoài Ân": ("hoai-an", "Hoài Ân"),
    "UBND huyện An Lão": ("an-lao", "An Lão"),
    "UBND huyện Vĩnh Thạnh": ("vinh-thanh", "Vĩnh Thạnh"),
    "UBND huyện Vân Canh": ("van-canh", "Vân Canh"),
}

# From 1 July 2025 the district level is abolished: each district's one-stop work passes to the commune or
# ward that carries its name in the merged province of Gia Lai.
DISTRICT_SUCCESSORS = {
    "quy-nhon": ("phuong-quy-nhon", "UBND phường Quy Nhơn", "Phường Quy Nhơn"),
    "an-nhon": ("phuong-an-nhon", "UBND phường An Nhơn", "Phường An Nhơn"),
    "hoai-nhon": ("phuong-hoai-nhon", "UBND phường Hoài Nhơn", "Phường Hoài Nhơn"),
    "tuy-phuoc": ("xa-tuy-phuoc", "UBND xã Tuy Phước", "Xã Tuy Phước"),
    "phu-cat": ("xa-phu-cat", "UBND xã Phù Cát", "Xã Phù Cát"),
    "phu-my": ("xa-phu-my", "UBND xã Phù Mỹ", "Xã Phù Mỹ"),
    "tay-son": ("xa-tay-son", "UBND xã Tây Sơn", "Xã Tây Sơn"),
    "hoai-an": ("xa-hoai-an", "UBND xã Hoài Ân", "Xã Hoài Ân"),
    "an-lao": ("xa-an-lao", "UBND xã An Lão", "Xã An Lão"),
    "vinh-thanh": ("xa-vinh-thanh", "UBND xã Vĩnh Thạnh", "Xã Vĩnh Thạnh"),
    "van-canh": ("xa-van-canh", "UBND xã Vân Canh", "Xã Vân Canh"),
}

SERVICE_FIELDS = [
    ("dat-dai", "Đất đai", "Land"),
    ("ho-tich", "Hộ tịch", "Civil status"),
    ("dang-ky-kinh-doanh", "Đăng ký kinh doanh", "Business registration"),
    ("xay-dung", "Xây dựng", "Construction"),
    ("bao-hiem", "Bảo hiểm", "Insurance"),
    ("thue", "Thuế", "Tax"),
    ("chung-thuc", "Chứng thực", "Certification"),
    ("lao-dong", "Lao động, việc làm", "Labour and employment"),
    ("giao-thong", "Giao thông", "Transport"),
    ("y-te", "Y tế", "Health"),
]


@dataclass
class DemoReport:
    created: dict[str, int] = field(default_factory=dict)
    accounts: list[str] = field(default_factory=list)

    def count(self, what: str, was_created: bool) -> None:
        self.created.setdefault(what, 0)
        if was_created:
            self.created[what] += 1


def read_reference_units() -> list[dict[str, str]]:
    with open(DATA_DIR / "binh-dinh-2017-units.csv", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _upsert(model, lookup: dict, values: dict, report: DemoReport, label: str):
    """Create the object or correct the fields that differ; never touch an object that is already right."""
    obj, created = model.objects.get_or_create(**lookup, defaults=values)
    if not created:
        changed = [name for name, value in values.items() if getattr(obj, name) != value]
        for name in changed:
            setattr(obj, name, values[name])
        if changed:
            obj.save(update_fields=changed)
    report.count(label, created)
    return obj


def _ensure_account(username: str, *, role: str, unit: Unit | None, password: str, report: DemoReport) -> None:
    user, created = User.objects.get_or_create(username=username, defaults={"role": role, "unit": unit})
    is_admin = role == User.Role.ADMIN
    wanted = {"role": role, "unit_id": unit.pk if unit else None, "is_staff": is_admin, "is_superuser": is_admin}
    changed = [name for name, value in wanted.items() if getattr(user, name) != value]
    for name in changed:
        setattr(user, name, wanted[name])
    # Only a new account gets the demo password: an existing one (an administrator who changed it, a real account
    # with a demo name) keeps its own.
    if created:
        user.set_password(password)
        changed.append("password")
    if changed:
        user.save()
    report.count("accounts", created)
    report.accounts.append(username)


@transaction.atomic
def load_demo_world(*, password: str = DEFAULT_DEMO_PASSWORD, seed: int = 2017) -> DemoReport:
    """Build the demo organisation, counters and accounts. Idempotent for a given seed."""
    rng = random.Random(seed)
    report = DemoReport()

    groups = {}
    for position, (code, name, name_en) in enumerate(GROUPS, start=1):
        groups[code] = _upsert(
            UnitGroup, {"code": code}, {"name": name, "name_en": name_en, "position": position}, report, "groups"
        )

    fields = [
        _upsert(ServiceField, {"code": code}, {"name": name, "name_en": name_en}, report, "service fields")
        for code, name, name_en in SERVICE_FIELDS
    ]

    units: list[Unit] = []
    for row in read_reference_units():
        code, short_name = UNIT_CODES[row["name"]]
        kind = row["kind"]
        values = {
            "name": row["name"],
            "short_name": short_name,
            "kind": kind,
            "group": groups[GROUP_BY_KIND[kind]],
            "valid_from": datetime.date(2000, 1, 1),
            "valid_to": REORGANISATION_END if kind == "district" else None,
        }
        units.append(_upsert(Unit, {"code": code}, values, report, "units"))

    for district in [u for u in units if u.kind == Unit.Kind.DISTRICT]:
        code, name, short_name = DISTRICT_SUCCESSORS[district.code]
        values = {
            "name": name,
            "short_name": short_name,
            "kind": Unit.Kind.COMMUNE,
            "group": groups["cap-xa"],
            "valid_from": REORGANISATION_START,
            "valid_to": None,
        }
        successor = _upsert(Unit, {"code": code}, values, report, "successor units")
        district.successors.add(successor)
        units.append(successor)

    for unit in units:
        for number in range(1, rng.randint(1, 6) + 1):
            service = rng.choice(fields)
            counter = _upsert(
                Counter,
                {"unit": unit, "name": f"Quầy số {number}"},
                {"is_active": True},
                report,
                "counters",
            )
            counter.fields.add(service)

    _ensure_account("admin", role=User.Role.ADMIN, unit=None, password=password, report=report)
    _ensure_account("province", role=User.Role.PROVINCE, unit=None, password=password, report=report)
    for unit in units:
        _ensure_account(f"officer-{unit.code}", role=User.Role.OFFICER, unit=unit, password=password, report=report)
        _ensure_account(f"lead-{unit.code}", role=User.Role.LEAD, unit=unit, password=password, report=report)
    return report


# Demo ratings carry keys derived from the seed and their position, so a second run finds them and adds nothing.
DEMO_RATING_NAMESPACE = uuid.UUID("6f1c2d0e-8a4b-4d7e-9a51-3c2f0b7d5e11")
# The year before the reorganisation, rated at the 37 units of the seed's report.
DEMO_YEAR_BEFORE = 2024
# Office hours of a one-stop shop (local time): a busier morning, a quieter afternoon.
MORNING = (7 * 60 + 30, 11 * 60 + 30)
AFTERNOON = (13 * 60 + 30, 17 * 60)
# Satisfaction levels of the units, spread evenly over this range (provinces publish around 80%; some units reach
# the 90% target, some fall well short), then shuffled over the units with the seed.
SATISFACTION_RANGE = (0.62, 0.97)
# Elements differ a little, as in published surveys: handling of feedback is usually the weakest.
ELEMENT_OFFSET = {
    "access": 0.01,
    "procedure": -0.03,
    "civil_servant": 0.03,
    "result": 0.02,
    "feedback_handling": -0.06,
}
# A few units get a fifth of the usual ratings: too few for an adequate sample, as happens in real years.
SHORT_SAMPLE_UNITS = 3
ANSWER_SHARE = 0.66
NO_OPINION_SHARE = 0.03


def demo_years(today: datetime.date | None = None) -> tuple[int, int]:
    """The two rated years: 2024 (before the July 2025 reorganisation) and the latest year after it (the last
    complete one, or the current year so far while 2026 is not over)."""
    today = today or timezone.localdate()
    return DEMO_YEAR_BEFORE, max(REORGANISATION_START.year + 1, today.year - 1 if today.month < 12 else today.year)


def demo_rating_key(seed: int, index: int) -> uuid.UUID:
    return uuid.uuid5(DEMO_RATING_NAMESPACE, f"{seed}:{index}")


def unit_satisfaction(seed: int, units: list[Unit]) -> dict[int, float]:
    """Each unit's share of satisfied answers: evenly spread over SATISFACTION_RANGE, shuffled by the seed."""
    codes = sorted(u.code for u in units)
    random.Random(f"quality:{seed}").shuffle(codes)
    low, high = SATISFACTION_RANGE
    step = (high - low) / max(len(codes) - 1, 1)
    level = {code: low + step * position for position, code in enumerate(codes)}
    return {u.pk: level[u.code] for u in units}


def _office_time(rng: random.Random, day: datetime.date) -> datetime.datetime:
    start, end = MORNING if rng.random() < 0.6 else AFTERNOON
    minute = int(rng.triangular(start, end, start + (end - start) * 0.4))
    naive = datetime.datetime.combine(day, datetime.time(minute // 60, minute % 60, rng.randrange(60)))
    return timezone.make_aware(naive)


def _answer(rng: random.Random, satisfied: float) -> int:
    """A 1..5 answer that is 4 or 5 with probability `satisfied`."""
    if rng.random() < satisfied:
        return 5 if rng.random() < 0.5 else 4
    draw = rng.random()
    return 3 if draw < 0.45 else (2 if draw < 0.8 else 1)


def generate_demo_ratings(*, count: int, seed: int = 2017) -> int:
    """Add synthetic ratings in the two demo years until `count` demo ratings of this seed exist.

    Realistic shape: half the ratings in each of `demo_years()`, weekdays only (up to today), office hours,
    counters of the units active on the day (the seed's districts before the July 2025 reorganisation, their
    successor communes after), each unit with its own level of satisfaction (`unit_satisfaction`, around 80%)
    and the elements a little apart; about two thirds of the ratings answer the items of their questionnaire
    (a few "no opinion"), low ratings often carry "why" chips, and a few units in each year have too few ratings
    for an adequate sample. Rows are built as `services.submit_rating` and `answer_rating` build them (unit from
    the counter, the unit's active questionnaire, no IP hash) and inserted in bulk. Returns the number of ratings
    added. Needs the demo world (counters).
    """
    counters = list(Counter.objects.filter(is_active=True).select_related("unit").order_by("unit__code", "name"))
    if count <= 0 or not counters:
        return 0
    keys = [demo_rating_key(seed, index) for index in range(count)]
    existing: set[uuid.UUID] = set()
    for start in range(0, count, 2000):
        chunk = keys[start : start + 2000]
        existing.update(Rating.objects.filter(idempotency_key__in=chunk).values_list("idempotency_key", flat=True))
    if len(existing) == count:
        return 0

    rng = random.Random(seed)
    today = timezone.localdate()
    years = demo_years(today)
    workdays: dict[int, list[datetime.date]] = {}
    for year in years:
        day, days = datetime.date(year, 1, 1), []
        while day.year == year and day <= today:
            if day.weekday() < 5:
                days.append(day)
            day += datetime.timedelta(days=1)
        workdays[year] = days
    # Per year: the units in force all year long, each with its counters and its share of the ratings.
    plans = {}
    for year in years:
        if not workdays[year]:
            continue
        first, last = workdays[year][0], workdays[year][-1]
        by_unit: dict[int, list[Counter]] = {}
        for counter in counters:
            if counter.unit.is_active_on(first) and counter.unit.is_active_on(last):
                by_unit.setdefault(counter.unit_id, []).append(counter)
        unit_ids = sorted(by_unit)
        short = set(random.Random(f"short:{seed}:{year}").sample(unit_ids, k=min(SHORT_SAMPLE_UNITS, len(unit_ids))))
        weights = [0.2 if unit_id in short else rng.uniform(0.85, 1.25) for unit_id in unit_ids]
        plans[year] = (unit_ids, weights, by_unit)
    if not plans:
        return 0
    levels = unit_satisfaction(seed, list({c.unit_id: c.unit for c in counters}.values()))
    questionnaires: dict[int, tuple[int, list[tuple[int, str]]]] = {}
    chips = list(ReasonChip.objects.filter(is_active=True).values_list("code", flat=True))
    channels = [Rating.Channel.QR] * 16 + [Rating.Channel.KIOSK] * 3 + [Rating.Channel.WEB]
    planned_years = sorted(plans)

    ratings: list[Rating] = []
    answers: dict[uuid.UUID, list[tuple[int, int | None]]] = {}
    for index, key in enumerate(keys):
        year = planned_years[index % len(planned_years)]
        unit_ids, weights, by_unit = plans[year]
        unit_id = rng.choices(unit_ids, weights=weights)[0]
        counter = rng.choice(by_unit[unit_id])
        day = rng.choice(workdays[year])
        created_at = _office_time(rng, day)
        level = min(0.99, levels[unit_id] + (0.03 if year > REORGANISATION_START.year else 0.0))
        score = _answer(rng, level - 0.02)
        channel = rng.choice(channels)
        answered = rng.random() < ANSWER_SHARE
        draws = [rng.random() for _i in range(40)]
        reasons = rng.sample(chips, k=rng.randint(1, 2)) if chips and score <= 2 and rng.random() < 0.7 else []
        if key in existing:
            continue
        if unit_id not in questionnaires:
            questionnaire = selectors.find_active_questionnaire(unit_id=unit_id)
            if questionnaire is None:
                return 0
            questionnaires[unit_id] = (questionnaire.pk, list(questionnaire.items.values_list("pk", "element")))
        questionnaire_id, items = questionnaires[unit_id]
        ratings.append(
            Rating(
                idempotency_key=key,
                counter=counter,
                unit_id=unit_id,
                questionnaire_id=questionnaire_id,
                score=score,
                channel=channel,
                reasons=[code for code in chips if code in reasons],
                created_at=created_at,
            )
        )
        if answered:
            item_rng = random.Random(draws[0])
            answers[key] = [
                (
                    item_id,
                    None
                    if draws[1 + position % 39] < NO_OPINION_SHARE
                    else _answer(item_rng, level + ELEMENT_OFFSET.get(element, 0.0)),
                )
                for position, (item_id, element) in enumerate(items)
            ]

    with transaction.atomic():
        Rating.objects.bulk_create(ratings, batch_size=1000)
        RatingAnswer.objects.bulk_create(
            (
                RatingAnswer.for_rating(rating, item_id=item_id, value=value)
                for rating in ratings
                for item_id, value in answers.get(rating.idempotency_key, [])
            ),
            batch_size=2000,
        )
    return len(ratings)
