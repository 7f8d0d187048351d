"""Plain factory functions for tests: each makes one object with sensible defaults."""

import datetime
import itertools

from survey.models import Counter, Unit, UnitGroup, User

_sequence = itertools.count(1)


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


# --- indices (issue 6): questionnaires and ratings made directly with the ORM --------------------------------------


def make_questionnaire(*, items: list[tuple[str, str]] | None = None, **fields):
    """A questionnaire with items given as (code, element); by default one item per SIPAS element."""
    from survey.models import Questionnaire, QuestionnaireItem

    n = next(_sequence)
    fields.setdefault("family", f"family-{n}")
    fields.setdefault("name", f"Phiếu {n}")
    fields.setdefault("is_active", True)
    questionnaire = Questionnaire.objects.create(**fields)
    items = items or [("SA", "access"), ("SP", "procedure"), ("SS", "civil_servant"), ("SR", "result"),
                      ("SF", "feedback_handling")]  # fmt: skip
    for position, (code, element) in enumerate(items):
        QuestionnaireItem.objects.create(
            questionnaire=questionnaire, code=code, element=element, text=f"Câu {code}", position=position
        )
    return questionnaire


def make_rating(*, counter: Counter, score: int, questionnaire=None, answers: dict | None = None, **fields):
    """A rating of the counter with answers given as {item code: value or None}."""
    import uuid

    from survey.models import Questionnaire, Rating, RatingAnswer

    questionnaire = questionnaire or Questionnaire.objects.first() or make_questionnaire()
    fields.setdefault("idempotency_key", uuid.uuid4())
    rating = Rating.objects.create(
        counter=counter, unit_id=counter.unit_id, questionnaire=questionnaire, score=score, **fields
    )
    items = {item.code: item for item in questionnaire.items.all()} if answers else {}
    for code, value in (answers or {}).items():
        RatingAnswer.objects.create(rating=rating, item=items[code], value=value)
    return rating
