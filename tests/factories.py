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


def make_questionnaire(*, items: int = 2, **fields):
    """A questionnaire with `items` items (one per SIPAS element in turn)."""
    from survey.models import Element, Questionnaire, QuestionnaireItem

    n = next(_sequence)
    fields.setdefault("family", f"phieu-{n}")
    fields.setdefault("name", f"Phiếu khảo sát {n}")
    fields.setdefault("is_active", True)
    questionnaire = Questionnaire.objects.create(**fields)
    elements = list(Element.values)
    for position in range(items):
        QuestionnaireItem.objects.create(
            questionnaire=questionnaire,
            code=f"C{position + 1}",
            element=elements[position % len(elements)],
            text=f"Câu hỏi {position + 1}",
            position=position,
        )
    return questionnaire
