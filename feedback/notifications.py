"""PAKN notifications, all through the channel layer (`feedback.channels`).

Staff hear by email of new cases, drafts to approve or returned, reminders and escalations (sent from their Celery
tasks). Citizens who left an email or a phone number with their consent get, on every channel that is on: the
receipt with the tracking link as soon as the case is filed, the answer once it is published, a request to rate
it a few days later (`PAKN_RATE_REQUEST_DAYS`) while unrated, and their tracking codes when they ask for them on
the tracking page. Citizen messages are `Delivery` rows queued in the transaction that causes them and sent with
retries (`feedback.deliveries`); they are always written in Vietnamese, addressing the citizen as "ông/bà".

Each email has three templates: `emails/<name>-subject.txt`, `-body.txt` and `-body.html`; the citizen's short
message for SMS and Zalo is `emails/<name>-sms.txt` (sent without diacritics by SMS, to fit one message).
"""

import datetime
import logging

from django.conf import settings
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from survey.models import User

from . import channels
from .deliveries import queue_delivery
from .models import Case, CaseContact, Delivery, Status

logger = logging.getLogger(__name__)


def send_templated_email(*, name: str, recipients: list[str], context: dict) -> int:
    """Render and send one staff message to each recipient separately (no addresses shared) on the email channel.
    Returns messages sent; one that cannot be sent is logged and the others still go."""
    subject = " ".join(render_to_string(f"emails/{name}-subject.txt", context).split())
    text = render_to_string(f"emails/{name}-body.txt", context)
    html = render_to_string(f"emails/{name}-body.html", context)
    sent = 0
    for address in dict.fromkeys(recipients):
        message = channels.Message(channel=channels.EMAIL, to=address, subject=subject, body=text, html_body=html)
        try:
            channels.send(message)
        except channels.DeliveryError:
            logger.exception("Staff email %s could not be sent", name)
        else:
            sent += 1
    return sent


def tracking_url(case: Case) -> str:
    return settings.PUBLIC_BASE_URL + reverse("feedback:case-track", args=[case.tracking_code])


def _queue_citizen_message(*, case: Case, kind: str, name: str, email: str, phone: str, context: dict) -> int:
    """Queue the message `name` to the citizen's email and phone on every channel that is on. Returns how many."""
    context = {"case": case, "url": tracking_url(case), **context}
    queued = 0
    # Citizens are written to in Vietnamese whatever language the staff member who caused the message uses.
    with translation.override(settings.LANGUAGE_CODE):
        if email and channels.is_enabled(channels.EMAIL):
            subject = " ".join(render_to_string(f"emails/{name}-subject.txt", context).split())
            body = render_to_string(f"emails/{name}-body.txt", context)
            html = render_to_string(f"emails/{name}-body.html", context)
            queue_delivery(
                case=case, kind=kind, channel=channels.EMAIL, to=email, subject=subject, body=body, html_body=html
            )
            queued += 1
        if phone:
            short = " ".join(render_to_string(f"emails/{name}-sms.txt", context).split())
            if channels.is_enabled(channels.SMS):
                queue_delivery(case=case, kind=kind, channel=channels.SMS, to=phone, body=channels.sms_text(short))
                queued += 1
            if channels.is_enabled(channels.ZALO):
                queue_delivery(case=case, kind=kind, channel=channels.ZALO, to=phone, body=short)
                queued += 1
    return queued


def _reply_contact(case: Case) -> CaseContact | None:
    contact = CaseContact.objects.filter(case=case).first()
    if contact is None or not contact.consent_reply or not (contact.email or contact.phone):
        return None
    return contact


def queue_receipt(case: Case) -> int:
    """The receipt with the tracking link, to a citizen who consented to be answered."""
    contact = _reply_contact(case)
    if contact is None:
        return 0
    return _queue_citizen_message(
        case=case,
        kind=Delivery.Kind.RECEIPT,
        name="pakn-receipt",
        email=contact.email,
        phone=contact.phone,
        context={},
    )


def queue_answer(case: Case) -> int:
    """The published answer (by email in full; by SMS and Zalo a short notice with the link), with consent only."""
    contact = _reply_contact(case)
    if contact is None:
        return 0
    return _queue_citizen_message(
        case=case, kind=Delivery.Kind.ANSWER, name="pakn-answer", email=contact.email, phone=contact.phone, context={}
    )


def queue_rate_request(case: Case) -> int:
    """The request to rate a published answer that the citizen has not rated yet."""
    contact = _reply_contact(case)
    if contact is None or not case.can_be_rated:
        return 0
    return _queue_citizen_message(
        case=case,
        kind=Delivery.Kind.RATE_REQUEST,
        name="pakn-rate-request",
        email=contact.email,
        phone=contact.phone,
        context={},
    )


def _same_phone(stored: str, typed: str) -> bool:
    return bool(stored) and channels.normalise_phone(stored) == channels.normalise_phone(typed)


def queue_tracking_codes(*, contact: str, limit: int = 3) -> int:
    """Send the tracking codes of the latest cases (at most `limit`, of the last `PAKN_CODE_REQUEST_DAYS`, default
    90) filed with `contact` (an email or a phone number) and the consent to be answered, to that same contact only.
    Returns how many messages were queued; the caller must not tell the visitor (nor by its timing reveal much)."""
    contact = contact.strip()
    days = int(getattr(settings, "PAKN_CODE_REQUEST_DAYS", 90))
    recent = CaseContact.objects.filter(
        consent_reply=True, case__created_at__gte=timezone.now() - datetime.timedelta(days=days)
    )
    if "@" in contact:
        matches = list(
            recent.filter(email__iexact=contact).select_related("case").order_by("-case__created_at")[:limit]
        )
        email, phone = contact, ""
    else:
        digits = channels.normalise_phone(contact)
        if len(digits) < 8:
            return 0
        # Typed numbers are grouped in many ways ("0912 345 678", "0912.345.678"): the last three digits narrow the
        # search in the database, the normalised number decides.
        candidates = recent.exclude(phone="").filter(phone__contains=digits[-3:])
        matches = [
            item
            for item in candidates.select_related("case").order_by("-case__created_at")
            if _same_phone(item.phone, contact)
        ][:limit]
        email, phone = "", contact
    queued = 0
    for item in matches:
        queued += _queue_citizen_message(
            case=item.case,
            kind=Delivery.Kind.TRACKING_CODE,
            name="pakn-tracking-code",
            email=email,
            phone=phone,
            context={},
        )
    return queued


def _staff_url(case: Case) -> str:
    return settings.PUBLIC_BASE_URL + reverse("feedback:case-detail", args=[case.pk])


def _unit_staff_emails(case: Case) -> list[str]:
    staff = User.objects.filter(
        unit_id=case.unit_id, is_active=True, role__in=[User.Role.OFFICER, User.Role.LEAD]
    ).exclude(email="")
    return list(staff.values_list("email", flat=True))


def _unit_lead_emails(case: Case) -> list[str]:
    leads = User.objects.filter(unit_id=case.unit_id, is_active=True, role=User.Role.LEAD).exclude(email="")
    return list(leads.values_list("email", flat=True))


def _province_emails() -> list[str]:
    people = User.objects.filter(is_active=True).filter(Q(role__in=[User.Role.PROVINCE, User.Role.ADMIN]))
    return list(people.exclude(email="").values_list("email", flat=True))


def _inspector_emails() -> list[str]:
    inspectors = User.objects.filter(is_active=True, role=User.Role.INSPECTOR).exclude(email="")
    return list(inspectors.values_list("email", flat=True))


def notify_new_case(case_id: int) -> int:
    """To the unit's staff; a complaint against officials also to the provincial inspectorate."""
    case = Case.objects.select_related("unit", "counter").get(pk=case_id)
    recipients = _unit_staff_emails(case) + (_inspector_emails() if case.concerns_inspectorate else [])
    return send_templated_email(
        name="pakn-new-case", recipients=recipients, context={"case": case, "url": _staff_url(case)}
    )


def notify_approval_request(case_id: int) -> int:
    """To the unit's leads (to provincial staff, who may approve too, when the unit has no lead to write to): an
    answer waits for approval. Nothing when the case has moved on meanwhile."""
    case = Case.objects.select_related("unit").filter(pk=case_id, status=Status.AWAITING_APPROVAL).first()
    if case is None:
        return 0
    return send_templated_email(
        name="pakn-approval-request",
        recipients=_unit_lead_emails(case) or _province_emails(),
        context={"case": case, "url": _staff_url(case)},
    )


def notify_draft_returned(case_id: int) -> int:
    """To the officer who wrote the draft: it was returned, with the reason. Nothing when the case has moved on."""
    case = Case.objects.select_related("unit").filter(pk=case_id, status=Status.IN_PROGRESS).first()
    returned = (
        case
        and case.events.filter(
            from_status__in=[Status.AWAITING_APPROVAL, Status.APPROVED], to_status=Status.IN_PROGRESS
        ).last()
    )
    drafted = case and case.events.filter(to_status=Status.AWAITING_APPROVAL).select_related("actor").last()
    if not (returned and drafted and drafted.actor and drafted.actor.email):
        return 0
    return send_templated_email(
        name="pakn-draft-returned",
        recipients=[drafted.actor.email],
        context={"case": case, "reason": returned.note, "url": _staff_url(case)},
    )


def notify_reminder(case_id: int) -> int:
    case = Case.objects.select_related("unit").get(pk=case_id)
    return send_templated_email(
        name="pakn-reminder", recipients=_unit_staff_emails(case), context={"case": case, "url": _staff_url(case)}
    )


def notify_escalation(case_id: int) -> int:
    case = Case.objects.select_related("unit").get(pk=case_id)
    return send_templated_email(
        name="pakn-escalation", recipients=_province_emails(), context={"case": case, "url": _staff_url(case)}
    )
