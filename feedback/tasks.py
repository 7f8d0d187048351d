"""Celery tasks for PAKN: each takes ids only and calls one function."""

from celery import shared_task

from . import notifications


@shared_task
def notify_new_case_task(case_id: int) -> int:
    return notifications.notify_new_case(case_id)


@shared_task
def notify_answer_task(case_id: int) -> int:
    return notifications.notify_answer(case_id)


@shared_task
def notify_approval_request_task(case_id: int) -> int:
    return notifications.notify_approval_request(case_id)


@shared_task
def notify_draft_returned_task(case_id: int) -> int:
    return notifications.notify_draft_returned(case_id)


@shared_task
def notify_reminder_task(case_id: int) -> int:
    return notifications.notify_reminder(case_id)


@shared_task
def notify_escalation_task(case_id: int) -> int:
    return notifications.notify_escalation(case_id)


@shared_task
def process_deadlines_task() -> dict[str, int]:
    """Periodic (CELERY_BEAT_SCHEDULE): reminders before deadlines, escalation of overdue cases."""
    from .services import process_deadlines

    return process_deadlines()


@shared_task
def purge_personal_data_task() -> dict[str, int]:
    """Periodic (CELERY_BEAT_SCHEDULE, daily): remove personal data past its retention limit."""
    from .retention import purge_personal_data

    return purge_personal_data(trigger="beat").as_dict()
