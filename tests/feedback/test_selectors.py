"""`pakn_outcomes_by_unit`: the contract the indices app relies on."""

import datetime

import pytest
from django.utils import timezone

from feedback import services
from feedback.models import Case, Status
from feedback.selectors import pakn_outcomes_by_unit
from tests import factories

pytestmark = pytest.mark.django_db

D = datetime.date
TZ = timezone.get_current_timezone()


def _at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, tzinfo=TZ)


def _case(unit, *, created: datetime.date, answer_due: datetime.date, answered=None, rated=None, satisfied=None):
    case = factories.make_pakn_case(unit=unit)
    Case.objects.filter(pk=case.pk).update(
        created_at=_at(created),
        answer_due=answer_due,
        first_answered_at=_at(answered) if answered else None,
        answered_at=_at(answered) if answered else None,
        citizen_rated_at=_at(rated) if rated else None,
        citizen_satisfied=satisfied,
        status=Status.ANSWERED if answered else Status.RECEIVED,
    )
    return case


def test_outcomes_per_unit_have_exactly_the_documented_keys_and_counts(world):
    a, b = world.unit_a, world.unit_b
    # unit A in March 2026: 3 received; 3 due in March (2 on time, one late); 2 rated (1 satisfied)
    _case(
        a,
        created=D(2026, 3, 2),
        answer_due=D(2026, 3, 20),
        answered=D(2026, 3, 20),
        rated=D(2026, 3, 21),
        satisfied=True,
    )
    _case(
        a,
        created=D(2026, 3, 3),
        answer_due=D(2026, 3, 23),
        answered=D(2026, 3, 24),
        rated=D(2026, 3, 25),
        satisfied=False,
    )
    _case(a, created=D(2026, 3, 4), answer_due=D(2026, 3, 24))
    # unit A: created in February, due in March, answered early; rated in April (outside)
    _case(
        a,
        created=D(2026, 2, 26),
        answer_due=D(2026, 3, 19),
        answered=D(2026, 3, 5),
        rated=D(2026, 4, 2),
        satisfied=True,
    )
    # unit B: only a case received on the last day of March, due in April
    _case(b, created=D(2026, 3, 31), answer_due=D(2026, 4, 21))
    # a unit with cases only outside the period does not appear
    other = factories.make_unit(group=world.group)
    _case(other, created=D(2026, 1, 5), answer_due=D(2026, 1, 26))

    rows = pakn_outcomes_by_unit(start=D(2026, 3, 1), end=D(2026, 3, 31))

    assert rows == [
        {
            "unit_id": a.pk,
            "received": 3,
            "answer_due": 4,
            "answered_on_time": 2,
            "rejected": 0,
            "rated": 2,
            "rated_satisfied": 1,
        },
        {
            "unit_id": b.pk,
            "received": 1,
            "answer_due": 0,
            "answered_on_time": 0,
            "rejected": 0,
            "rated": 0,
            "rated_satisfied": 0,
        },
    ]


def test_period_bounds_use_local_dates(world):
    # 23:30 local time on 31 March is still March, although it is 16:30 UTC
    case = factories.make_pakn_case(unit=world.unit_a)
    Case.objects.filter(pk=case.pk).update(
        created_at=_at(D(2026, 3, 31), 23).replace(minute=30), answer_due=D(2026, 4, 21)
    )
    assert pakn_outcomes_by_unit(start=D(2026, 4, 1), end=D(2026, 4, 30))[0]["received"] == 0
    assert pakn_outcomes_by_unit(start=D(2026, 3, 1), end=D(2026, 3, 31))[0]["received"] == 1


def test_an_answer_after_an_appeal_does_not_change_the_on_time_count(world):
    case = factories.make_pakn_case(unit=world.unit_a)
    services.change_case_status(case=case, by=world.officer_a, to=Status.ACCEPTED)
    services.change_case_status(case=case, by=world.officer_a, to=Status.IN_PROGRESS)
    factories.publish_pakn_answer(case, officer=world.officer_a, lead=world.lead_a, text="Lần 1")
    services.rate_answer(case=case, satisfied=False)
    services.appeal_case(case=case, text="Chưa thỏa đáng")
    Case.objects.filter(pk=case.pk).update(appealed_at=timezone.now())
    services.answer_case(case=case, by=world.province, text="Lần 2")
    case.refresh_from_db()
    rows = pakn_outcomes_by_unit(start=case.answer_due, end=case.answer_due)
    assert rows[0]["answer_due"] == 1 and rows[0]["answered_on_time"] == 1


def test_empty_period_gives_no_rows(world):
    assert pakn_outcomes_by_unit(start=D(2001, 1, 1), end=D(2001, 12, 31)) == []


def test_on_time_means_published_by_the_answer_deadline_not_drafted_or_approved(world, monkeypatch):
    # given an answer drafted and approved on its deadline day, but published the working day after
    case = factories.make_pakn_case(unit=world.unit_a)
    services.change_case_status(case=case, by=world.officer_a, to=Status.ACCEPTED)
    services.change_case_status(case=case, by=world.officer_a, to=Status.IN_PROGRESS)
    deadline = _at(case.answer_due, 10)
    monkeypatch.setattr(timezone, "now", lambda: deadline)
    services.answer_case(case=case, by=world.officer_a, text="Trả lời")
    services.approve_answer(case=case, by=world.lead_a)
    rows = pakn_outcomes_by_unit(start=case.answer_due, end=case.answer_due)
    assert rows[0]["answer_due"] == 1 and rows[0]["answered_on_time"] == 0  # approved is not answered
    monkeypatch.setattr(timezone, "now", lambda: deadline + datetime.timedelta(days=1))
    case = services.publish_answer(case=case, by=world.officer_a)
    # then the answer counts as late
    assert timezone.localdate(case.first_answered_at) > case.answer_due
    rows = pakn_outcomes_by_unit(start=case.answer_due, end=case.answer_due)
    assert rows[0]["answer_due"] == 1 and rows[0]["answered_on_time"] == 0


def test_an_answer_published_on_its_deadline_day_is_on_time(world, monkeypatch):
    case = factories.make_pakn_case(unit=world.unit_a)
    services.change_case_status(case=case, by=world.officer_a, to=Status.ACCEPTED)
    services.change_case_status(case=case, by=world.officer_a, to=Status.IN_PROGRESS)
    monkeypatch.setattr(timezone, "now", lambda: _at(case.answer_due, 16))
    factories.publish_pakn_answer(case, officer=world.officer_a, lead=world.lead_a)
    rows = pakn_outcomes_by_unit(start=case.answer_due, end=case.answer_due)
    assert rows[0]["answer_due"] == 1 and rows[0]["answered_on_time"] == 1
