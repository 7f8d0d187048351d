"""Plain factory functions for tests: each makes one object with sensible defaults."""

import datetime
import itertools
from dataclasses import dataclass

from survey.models import Counter, Unit, UnitGroup, User

_sequence = itertools.count(1)
# Tests hash passwords with MD5: the production hasher costs about half a second per user.
FAST_PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def make_group(**fields) -> UnitGroup:
    n = next(_sequence)
    fields.setdefault("code", f"group-{n}")
    fields.setdefault("name", f"Khối {n}")
    fields.setdefault("position", n)
    return UnitGroup.objects.create(**fields)


def make_unit(*, group: UnitGroup | None = None, **fields) -> Unit:
    n = next(_sequence)
    fields.setdefault("code", f"unit-{n}")
    fields.setdefault("name", f"Sở Thử nghiệm {n}")
    fields.setdefault("short_name", f"Sở {n}")
    fields.setdefault("valid_from", datetime.date(2000, 1, 1))
    return Unit.objects.create(group=group or make_group(), **fields)


def make_counter(*, unit: Unit | None = None, **fields) -> Counter:
    n = next(_sequence)
    fields.setdefault("name", f"Quầy số {n}")
    return Counter.objects.create(unit=unit or make_unit(), **fields)


def make_user(*, role: str = User.Role.OFFICER, unit: Unit | None = None, password: str = "pass-word-123", **fields):
    n = next(_sequence)
    fields.setdefault("username", f"{role}-{n}")
    if role == User.Role.ADMIN:
        fields.setdefault("is_staff", True)
        fields.setdefault("is_superuser", True)
    return User.objects.create_user(password=password, role=role, unit=unit, **fields)


# --- Ratings and PAKN cases -------------------------------------------------------------------------------------


def make_questionnaire(*, items: int | list[tuple[str, str]] | None = None, **fields):
    """A questionnaire with its items: a number gives C1..Cn over the SIPAS elements in turn, a list gives
    (code, element) pairs, and nothing gives one item per SIPAS element (SA, SP, SS, SR, SF)."""
    from survey.models import Element, Questionnaire, QuestionnaireItem

    n = next(_sequence)
    fields.setdefault("family", f"phieu-{n}")
    fields.setdefault("name", f"Phiếu khảo sát {n}")
    fields.setdefault("is_active", True)
    questionnaire = Questionnaire.objects.create(**fields)
    if isinstance(items, int):
        elements = list(Element.values)
        items = [(f"C{position + 1}", elements[position % len(elements)]) for position in range(items)]
    items = items or [("SA", "access"), ("SP", "procedure"), ("SS", "civil_servant"), ("SR", "result"),
                      ("SF", "feedback_handling")]  # fmt: skip
    for position, (code, element) in enumerate(items):
        QuestionnaireItem.objects.create(
            questionnaire=questionnaire, code=code, element=element, text=f"Câu hỏi {code}", position=position
        )
    return questionnaire


def make_rating(*, counter: Counter | None = None, questionnaire=None, answers: dict | None = None, **fields):
    """A stored rating made with the ORM; by default accepted, 5 stars, now. Pass `status`, `flags`,
    `created_at` as needed, and `answers` as {item code: value or None}."""
    import uuid

    from survey.models import Questionnaire, Rating, RatingAnswer

    counter = counter or make_counter()
    if questionnaire is None:
        questionnaire = Questionnaire.objects.filter(is_active=True).first() or make_questionnaire()
    fields.setdefault("idempotency_key", uuid.uuid4())
    fields.setdefault("score", 5)
    rating = Rating.objects.create(counter=counter, unit_id=counter.unit_id, questionnaire=questionnaire, **fields)
    items = {item.code: item for item in questionnaire.items.all()} if answers else {}
    for code, value in (answers or {}).items():
        RatingAnswer.for_rating(rating, item_id=items[code].pk, value=value).save()
    return rating


def make_pakn_case(*, unit: Unit, text: str = "Cán bộ hẹn trả kết quả nhưng trễ ba ngày.", **fields):
    """A PAKN case filed through the service (deadlines and the first event included)."""
    from feedback.services import submit_case

    fields.setdefault("category", "late_result")
    return submit_case(unit=unit, text=text, **fields)


def publish_pakn_answer(case, *, officer, lead, text: str = "Đơn vị đã xử lý và xin lỗi ông/bà."):
    """Answer a case in progress through the approval workflow, as it happens by default: the officer drafts the
    answer, a lead of the unit approves it, the officer publishes it. Returns the answered case."""
    from feedback.services import answer_case, approve_answer, publish_answer

    case = answer_case(case=case, by=officer, text=text)
    case = approve_answer(case=case, by=lead)
    return publish_answer(case=case, by=officer)


def ensure_seed_data() -> None:
    """Re-create the questionnaires and chips that migration survey 0003 seeds (idempotent).

    Transactional tests (browser tests) flush the database after each test, which removes migration data;
    call this at the start of such a test when it records ratings.
    """
    from importlib import import_module

    from django.apps import apps

    import_module("survey.migrations.0003_seed_questionnaires").seed(apps, None)


# --- Reporting module (indices: CCHC scores and stored satisfaction snapshots) ---------------------------------


def make_cchc_score(*, unit: Unit, year: int, points, max_points=100):
    from decimal import Decimal

    from indices.models import CchcScore

    return CchcScore.objects.create(
        unit=unit, year=year, points=Decimal(str(points)), max_points=Decimal(str(max_points))
    )


def make_unit_snapshot(
    *,
    unit: Unit,
    value: float | None,
    n: int = 120,
    adequate: bool = True,
    year: int = 2017,
    quarter: int | None = None,
    index: str = "sipas",
    ci: tuple[float, float] | None = None,
    status: str | None = None,
    ballots: int | None = None,
):
    """A stored unit-level satisfaction figure for a year (or a quarter), as the snapshot job writes it."""
    from indices.models import IndexSnapshot, SnapshotRun

    run = SnapshotRun.objects.first() or SnapshotRun.objects.create(formula_version="test")
    if quarter:
        start = datetime.date(year, 3 * (quarter - 1) + 1, 1)
        end = (start + datetime.timedelta(days=92)).replace(day=1) - datetime.timedelta(days=1)
        kind = IndexSnapshot.PeriodKind.QUARTER
    else:
        start, end, kind = datetime.date(year, 1, 1), datetime.date(year, 12, 31), IndexSnapshot.PeriodKind.YEAR
    low, high = ci if ci else ((value - 4, value + 4) if value is not None else (None, None))
    if status is None:
        status = "no_data" if value is None else ("counted" if adequate else "insufficient")
    snapshot = IndexSnapshot.objects.create(
        level=IndexSnapshot.Level.UNIT,
        entity_id=unit.pk,
        period_kind=kind,
        period_start=start,
        period_end=end,
        index=index,
        value=value,
        n=n,
        ballots=n if ballots is None else ballots,
        ci_low=low,
        ci_high=high,
        adequate=adequate,
        status=status,
        run=run,
    )
    store_benchmark_snapshots(kind=kind, start=start, end=end, index=index)
    return snapshot


def store_benchmark_snapshots(*, kind: str, start: datetime.date, end: datetime.date, index: str) -> None:
    """Write the group and province figures of a period and index from the stored unit figures, with the
    definitions the snapshot job uses (`aggregation.group_means`, `province_means`), as the job would."""
    import pandas as pd

    from indices import aggregation
    from indices.models import IndexSnapshot, SnapshotRun

    run = SnapshotRun.objects.first() or SnapshotRun.objects.create(formula_version="test")
    period = {"period_kind": kind, "period_start": start, "period_end": end}
    units = pd.DataFrame(
        list(
            IndexSnapshot.objects.filter(level="unit", index=index, **period).values(
                "entity_id", "value", "n", "ballots", "status"
            )
        )
    ).rename(columns={"entity_id": "unit_id"})
    units = units.assign(index=index, **period)
    membership = pd.DataFrame(
        list(Unit.objects.values("id", "group_id", "valid_from", "valid_to")),
        columns=["id", "group_id", "valid_from", "valid_to"],
    ).rename(columns={"id": "unit_id"})
    groups = aggregation.group_means(units, membership=membership, periods=units)
    province = aggregation.province_means(groups).assign(level="province")
    rows = pd.concat([groups.rename(columns={"group_id": "entity_id"}).assign(level="group"), province])
    IndexSnapshot.objects.filter(level__in=["group", "province"], index=index, **period).delete()
    for row in rows.to_dict("records"):
        IndexSnapshot.objects.create(
            level=row["level"],
            entity_id=int(row["entity_id"]),
            index=index,
            value=None if pd.isna(row["value"]) else float(row["value"]),
            n=int(row["n"]),
            ballots=int(row["ballots"]),
            units_counted=int(row["units_counted"]),
            units_total=int(row["units_total"]),
            adequate=bool(row["adequate"]),
            status=row["status"],
            run=run,
            **period,
        )


def make_snapshot(*, level: str, entity_id: int, period: str = "2025-Q1", index: str = "sipas", value=85.0, n=120):
    """A stored figure of any level (counter, unit, group, province with entity_id 0) for a period given as text
    (2025, 2025-Q1, 2025-03 or 2025-01-01..2025-03-15), as the snapshot job writes it."""
    from indices.models import IndexSnapshot, SnapshotRun
    from indices.periods import parse_period

    run = SnapshotRun.objects.first() or SnapshotRun.objects.create(formula_version="test")
    span = parse_period(period)
    return IndexSnapshot.objects.create(
        level=level,
        entity_id=entity_id,
        period_kind=span.kind,
        period_start=span.start,
        period_end=span.end,
        index=index,
        value=value,
        n=n,
        ci_low=None if value is None else value - 3,
        ci_high=None if value is None else value + 3,
        adequate=value is not None and n >= 100,
        run=run,
    )


@dataclass
class World:
    """The named world of `tests/conftest.py`: two units of one group, their staff, a province reviewer, an admin,
    and the provincial inspectorate (which sees only the complaints against officials)."""

    group: UnitGroup
    unit_a: Unit
    unit_b: Unit
    counter_a: Counter
    counter_b: Counter
    officer_a: User
    lead_a: User
    officer_b: User
    province: User
    admin: User
    inspector: User


def make_world() -> World:
    group = make_group(code="so-nganh", name="Cơ quan chuyên môn thuộc UBND tỉnh")
    unit_a = make_unit(group=group, code="so-tu-phap", name="Sở Tư pháp", short_name="Sở Tư pháp")
    unit_b = make_unit(group=group, code="so-y-te", name="Sở Y tế", short_name="Sở Y tế")
    return World(
        group=group,
        unit_a=unit_a,
        unit_b=unit_b,
        counter_a=make_counter(unit=unit_a, name="Quầy số 1"),
        counter_b=make_counter(unit=unit_b, name="Quầy số 1"),
        officer_a=make_user(username="officer-a", role=User.Role.OFFICER, unit=unit_a),
        lead_a=make_user(username="lead-a", role=User.Role.LEAD, unit=unit_a),
        officer_b=make_user(username="officer-b", role=User.Role.OFFICER, unit=unit_b),
        province=make_user(username="province", role=User.Role.PROVINCE),
        admin=make_user(username="admin", role=User.Role.ADMIN),
        inspector=make_user(username="thanh-tra", role=User.Role.INSPECTOR),
    )
