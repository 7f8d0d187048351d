"""Celery tasks for PAKN: each takes ids only and calls one function."""

from celery import shared_task

from . import deliveries, notifications


@shared_task
def notify_new_case_task(case_id: int) -> int:
    return notifications.notify_new_case(case_id)


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


@shared_task(bind=True, max_retries=None)
def send_delivery_task(self, delivery_id: int) -> str:
    """Send one citizen message; on failure Celery retries it after the delay the delivery service chose (the
    delivery row counts the attempts and stops at NOTIFY_MAX_ATTEMPTS). In eager mode nothing is retried inline,
    so that the citizen's request never waits: the periodic resend picks the message up."""
    attempt = deliveries.attempt_delivery(delivery_id=delivery_id)
    if attempt.retry_in is not None and not self.request.is_eager:
        raise self.retry(countdown=attempt.retry_in)
    return attempt.status


@shared_task
def resend_due_deliveries_task() -> int:
    """Periodic (CELERY_BEAT_SCHEDULE, every minute): citizen messages whose retry is overdue."""
    return deliveries.resend_due_deliveries()


@shared_task
def process_deadlines_task() -> dict[str, int]:
    """Periodic (CELERY_BEAT_SCHEDULE): reminders before deadlines, escalation of overdue cases."""
    from .services import process_deadlines

    return process_deadlines()


@shared_task
def request_ratings_task() -> int:
    """Periodic (CELERY_BEAT_SCHEDULE, hourly): ask citizens to rate answers they have not rated."""
    from .services import request_ratings

    return request_ratings()


@shared_task
def purge_personal_data_task() -> dict[str, int]:
    """Periodic (CELERY_BEAT_SCHEDULE, daily): remove personal data past its retention limit."""
    from .retention import purge_personal_data

    return purge_personal_data(trigger="beat").as_dict()
