"""Complaint figures the indices rest on: a rejected (inadmissible) case owes no answer, so it is not counted
against the on-time rate but on its own; a deadline, once set, never moves when the calendar is edited later."""

import datetime

import pytest
from django.utils import timezone

from feedback import services
from feedback.models import CalendarDay, Case, Status
from feedback.selectors import pakn_outcomes_by_unit
from indices import services as index_services
from indices.models import IndexSnapshot
from indices.periods import month
from indices.selectors import unit_dashboard
from tests import factories

pytestmark = pytest.mark.django_db

D = datetime.date


def _due_in_march(unit, *, status: str, answered: bool = False) -> Case:
    case = factories.make_pakn_case(unit=unit)
    at = datetime.datetime(2026, 3, 10, 10, tzinfo=timezone.get_current_timezone())
    Case.objects.filter(pk=case.pk).update(
        answer_due=D(2026, 3, 20),
        status=status,
        rejection_reason="Không thuộc thẩm quyền" if status == Status.REJECTED else "",
        first_answered_at=at if answered else None,
    )
    return case


def test_rejected_cases_leave_the_on_time_denominator_and_are_counted_on_their_own(world):
    # given 4 cases due in March: 1 answered on time, 1 not answered, 2 rejected as inadmissible
    _due_in_march(world.unit_a, status=Status.ANSWERED, answered=True)
    _due_in_march(world.unit_a, status=Status.IN_PROGRESS)
    _due_in_march(world.unit_a, status=Status.REJECTED)
    _due_in_march(world.unit_a, status=Status.REJECTED)

    # when
    (row,) = pakn_outcomes_by_unit(start=D(2026, 3, 1), end=D(2026, 3, 31))
    index_services.compute_snapshots(periods=[month(2026, 3)])

    # then the rate is 1 of 2, not 1 of 4; the 2 rejected cases are shown apart
    assert (row["answer_due"], row["answered_on_time"], row["rejected"]) == (2, 1, 2)
    on_time = IndexSnapshot.objects.get(level="unit", entity_id=world.unit_a.pk, index="d766:pakn_on_time")
    assert (on_time.value, on_time.n) == (50.0, 2)
    rejected = IndexSnapshot.objects.get(level="unit", entity_id=world.unit_a.pk, index="pakn:rejected")
    assert (rejected.value, rejected.n) == (2.0, 4)
    table = unit_dashboard(unit=world.unit_a, period=month(2026, 3)).tables["d766"]
    assert ["PAKN không thụ lý (không tính vào tỷ lệ đúng hạn)", None, 2, None, None] in table.rows


def test_a_calendar_edit_after_an_appeal_does_not_move_the_promised_deadline(world):
    # given an answered case the citizen found unsatisfactory and appealed
    case = factories.make_pakn_case(unit=world.unit_a)
    case = services.change_case_status(case=case, by=world.officer_a, to=Status.ACCEPTED, note="Thụ lý")
    case = services.change_case_status(case=case, by=world.officer_a, to=Status.IN_PROGRESS, note="Đang xử lý")
    case = services.answer_case(case=case, by=world.lead_a, text="Đơn vị đã xử lý.")
    if case.status != Status.ANSWERED:
        case = services.publish_answer(case=case, by=world.lead_a)
    case = services.rate_answer(case=case, satisfied=False)
    case = services.appeal_case(case=case, text="Chưa thỏa đáng")
    promised = case.appeal_answer_due
    assert promised is not None and case.due_date == promised == case.public_deadline

    # when the province later declares every day up to the deadline a day off
    today = timezone.localdate()
    for offset in range(0, (promised - today).days + 1):
        CalendarDay.objects.create(date=today + datetime.timedelta(days=offset), kind=CalendarDay.Kind.DAY_OFF)
    # and the case moves on (an officer's draft awaits approval: the deadline is looked up again)
    case = services.answer_case(case=case, by=world.officer_a, text="Dự thảo trả lời sau xem xét lại.")

    # then the deadline promised on the day of the appeal stands
    case.refresh_from_db()
    assert case.appeal_answer_due == promised
    assert case.answer_deadline() == promised
    assert case.due_date == promised
