"""The periodic deadline job: reminders before a deadline, escalation of overdue cases, task and command."""

import datetime
import io

import pytest
from django.core import mail
from django.core.management import call_command

from feedback.models import Case, CaseEvent
from feedback.services import process_deadlines
from feedback.tasks import process_deadlines_task
from feedback.workdays import is_working_day
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def staffed(world):
    for user, email in [
        (world.officer_a, "a@so.vn"),
        (world.province, "tinh@gialai.vn"),
        (world.officer_b, "b@so.vn"),
    ]:
        user.email = email
        user.save()
    return world


def test_overdue_escalation_runs_from_the_periodic_task(staffed, eager_celery, django_capture_on_commit_callbacks):
    # given a case whose classification deadline has passed
    case = factories.make_pakn_case(unit=staffed.unit_a)
    Case.objects.filter(pk=case.pk).update(due_date=datetime.date(2020, 1, 6))
    mail.outbox.clear()
    # when the periodic task runs
    with django_capture_on_commit_callbacks(execute=True):
        result = process_deadlines_task.apply().get()
    # then the case is escalated once, with one event, and provincial staff are told
    assert result == {"reminded": 0, "escalated": 1}
    case.refresh_from_db()
    assert case.escalation_reason == "overdue" and case.escalated_at is not None
    assert case.events.filter(kind=CaseEvent.Kind.ESCALATED).count() == 1
    assert [m.to for m in mail.outbox] == [["tinh@gialai.vn"]]
    assert f"#{case.pk}" in mail.outbox[0].subject
    # and running again escalates nothing more
    assert process_deadlines_task.apply().get() == {"reminded": 0, "escalated": 0}
    assert case.events.filter(kind=CaseEvent.Kind.ESCALATED).count() == 1


def test_beat_schedule_runs_the_task():
    from django.conf import settings

    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "feedback.tasks.process_deadlines_task" in tasks


def test_reminder_before_the_deadline_goes_to_the_unit_once(staffed, eager_celery, django_capture_on_commit_callbacks):
    case = factories.make_pakn_case(unit=staffed.unit_a)
    mail.outbox.clear()
    day_before = case.due_date - datetime.timedelta(days=1)
    while not is_working_day(day_before):
        day_before -= datetime.timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert process_deadlines(today=day_before) == {"reminded": 1, "escalated": 0}
    assert [m.to for m in mail.outbox] == [["a@so.vn"]]
    assert "sắp đến hạn" in mail.outbox[0].subject
    assert process_deadlines(today=day_before) == {"reminded": 0, "escalated": 0}


def test_no_reminder_long_before_the_deadline_and_nothing_for_finished_cases(staffed):
    case = factories.make_pakn_case(unit=staffed.unit_a)
    assert process_deadlines(today=case.received_on - datetime.timedelta(days=30)) == {"reminded": 0, "escalated": 0}
    Case.objects.filter(pk=case.pk).update(status="closed")
    assert process_deadlines(today=case.due_date + datetime.timedelta(days=30)) == {"reminded": 0, "escalated": 0}


def test_management_command_calls_the_same_service(staffed):
    case = factories.make_pakn_case(unit=staffed.unit_a)
    out = io.StringIO()
    later = case.due_date + datetime.timedelta(days=10)
    call_command("process_deadlines", "--date", later.isoformat(), stdout=out)
    assert out.getvalue().strip() == "reminded=0 escalated=1"
    case.refresh_from_db()
    assert case.escalation_reason == "overdue"


def _approved(world):
    from feedback import services

    case = factories.make_pakn_case(unit=world.unit_a)
    services.change_case_status(case=case, by=world.officer_a, to="accepted")
    services.change_case_status(case=case, by=world.officer_a, to="in_progress")
    services.answer_case(case=case, by=world.officer_a, text="Dự thảo trả lời")
    return services.approve_answer(case=case, by=world.lead_a)


def test_an_approved_answer_is_reminded_before_its_publication_deadline(
    staffed, eager_celery, django_capture_on_commit_callbacks
):
    case = _approved(staffed)
    assert case.due_date < case.answer_due  # the publication deadline, not the answer's
    mail.outbox.clear()
    day_before = case.due_date - datetime.timedelta(days=1)
    while not is_working_day(day_before):
        day_before -= datetime.timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert process_deadlines(today=day_before) == {"reminded": 1, "escalated": 0}
    assert [m.to for m in mail.outbox] == [["a@so.vn"]]
    assert "Đã phê duyệt, chờ công bố" in mail.outbox[0].body


def test_an_approved_answer_not_published_in_time_is_escalated(
    staffed, eager_celery, django_capture_on_commit_callbacks
):
    # given an approved answer whose publication deadline is today: not overdue yet
    case = _approved(staffed)
    assert process_deadlines(today=case.due_date)["escalated"] == 0
    mail.outbox.clear()
    # when the job runs the next day and the answer is still unpublished
    with django_capture_on_commit_callbacks(execute=True):
        result = process_deadlines(today=case.due_date + datetime.timedelta(days=1))
    # then the case is escalated once, with one event, and provincial staff are told
    assert result == {"reminded": 0, "escalated": 1}
    case.refresh_from_db()
    assert (case.status, case.escalation_reason) == ("approved", "overdue")
    event = case.events.get(kind=CaseEvent.Kind.ESCALATED)
    assert event.from_status == "approved" and case.due_date.strftime("%d/%m/%Y") in event.note
    assert [m.to for m in mail.outbox] == [["tinh@gialai.vn"]]
