"""Messages to citizens as durable rows (`Delivery`): queued in the same transaction as what they report, sent by a
Celery task after commit, retried with a growing delay until `NOTIFY_MAX_ATTEMPTS` (default 6), then marked failed.

Nothing is lost silently: a message that cannot be sent stays in the database with its error, is logged (a warning
per failed attempt, an error once it has failed for good) and is shown to staff on the case page and in the admin.
Nothing blocks the citizen: sending happens in the worker, never in the request. When the broker was down or a
worker lost the retry, the periodic job `resend_due_deliveries` (every minute, and `manage.py resend_deliveries`)
sends what is overdue. Each attempt locks its row, so two workers never send the same message twice.
"""

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from config.celery import enqueue_on_commit, send_task_safely

from . import channels
from .models import Case, Delivery

logger = logging.getLogger(__name__)


def max_attempts() -> int:
    return max(1, int(getattr(settings, "NOTIFY_MAX_ATTEMPTS", 6)))


def retry_delay(attempts: int) -> int:
    """Seconds before the next attempt after `attempts` failed ones: NOTIFY_RETRY_SECONDS doubled each time, at
    most an hour."""
    base = max(0, int(getattr(settings, "NOTIFY_RETRY_SECONDS", 60)))
    return min(3600, base * 2 ** max(0, attempts - 1))


def mask(recipient: str) -> str:
    """What staff need to recognise an address without holding it: "d***@example.vn", "*******678"."""
    if "@" in recipient:
        local, _at, domain = recipient.partition("@")
        return f"{local[:1]}***@{domain}"
    return "*" * max(0, len(recipient) - 3) + recipient[-3:]


def queue_delivery(
    *, kind: str, channel: str, to: str, body: str, case: Case | None = None, subject: str = "", html_body: str = ""
) -> Delivery:
    """Store one message and send it after the current transaction commits."""
    now = timezone.now()
    delivery = Delivery.objects.create(
        case=case,
        kind=kind,
        channel=channel,
        recipient=to,
        subject=subject[:200],
        body=body,
        html_body=html_body,
        next_attempt_at=now,
        created_at=now,
    )
    from .tasks import send_delivery_task

    enqueue_on_commit(send_delivery_task, delivery.pk)
    return delivery


@dataclass(frozen=True)
class Attempt:
    status: str  # "sent", "retry", "failed" or "skipped" (already sent, failed, or being sent by another worker)
    retry_in: int | None = None


def attempt_delivery(*, delivery_id: int) -> Attempt:
    """Try to send one pending message now; record the outcome on its row."""
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(pk=delivery_id, status=Delivery.Status.PENDING)
            .first()
        )
        if delivery is None:
            return Attempt("skipped")
        message = channels.Message(
            channel=delivery.channel,
            to=delivery.recipient,
            subject=delivery.subject,
            body=delivery.body,
            html_body=delivery.html_body,
            reference=str(delivery.pk),
            extra={"tracking_url": _tracking_url(delivery.case)} if delivery.case_id else {},
        )
        now = timezone.now()
        delivery.attempts += 1
        try:
            channels.send(message)
        except channels.DeliveryError as error:
            delivery.last_error = f"{now:%Y-%m-%d %H:%M:%S} {error}"[:1000]
            if delivery.attempts >= max_attempts():
                delivery.status = Delivery.Status.FAILED
                delivery.recipient = mask(delivery.recipient)
                delivery.next_attempt_at = None
                delivery.save()
                logger.error(
                    "Notification %s (%s, %s, case %s) failed for good after %d attempts: %s",
                    delivery.pk,
                    delivery.kind,
                    delivery.channel,
                    delivery.case_id,
                    delivery.attempts,
                    error,
                )
                return Attempt("failed")
            delay = retry_delay(delivery.attempts)
            delivery.next_attempt_at = now + datetime.timedelta(seconds=delay)
            delivery.save()
            logger.warning(
                "Notification %s (%s, %s, case %s) attempt %d failed, retrying in %d s: %s",
                delivery.pk,
                delivery.kind,
                delivery.channel,
                delivery.case_id,
                delivery.attempts,
                delay,
                error,
            )
            return Attempt("retry", retry_in=delay)
        delivery.status = Delivery.Status.SENT
        delivery.sent_at = now
        delivery.next_attempt_at = None
        delivery.recipient = mask(delivery.recipient)
        delivery.save()
        return Attempt("sent")


def forget_case_recipients(*, case: Case) -> int:
    """The citizen's contact is erased: messages still waiting for `case` are dropped (failed, with the reason) and
    every stored address of the case is masked. Returns how many pending messages were dropped."""
    dropped = 0
    for delivery in Delivery.objects.select_for_update().filter(case=case):
        if delivery.status == Delivery.Status.PENDING:
            delivery.status, delivery.next_attempt_at = Delivery.Status.FAILED, None
            delivery.last_error = "contact erased at the citizen's request"
            dropped += 1
        delivery.recipient = mask(delivery.recipient)  # Masking a masked address changes nothing.
        delivery.save(update_fields=["status", "next_attempt_at", "last_error", "recipient"])
    return dropped


def resend_due_deliveries(*, now: datetime.datetime | None = None, grace_seconds: int = 60) -> int:
    """Send again every pending message whose next attempt is overdue by more than `grace_seconds` (its task was
    lost, or Celery runs in eager mode where no retry is scheduled). Returns how many were handed to Celery."""
    due = Delivery.objects.due((now or timezone.now()) - datetime.timedelta(seconds=grace_seconds))
    from .tasks import send_delivery_task

    sent = 0
    for pk in list(due.values_list("pk", flat=True)[:1000]):
        sent += send_task_safely(send_delivery_task, pk)
    return sent


def _tracking_url(case: Case) -> str:
    from django.urls import reverse

    return settings.PUBLIC_BASE_URL + reverse("feedback:case-track", args=[case.tracking_code])
