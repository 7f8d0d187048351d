"""Email notifications for PAKN. Each message has three templates: `emails/<name>-subject.txt`, `-body.txt`
and `-body.html`. The backend is the console by default and SMTP when the environment configures it."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse

from survey.models import User

from .models import Case, Status


def send_templated_email(*, name: str, recipients: list[str], context: dict) -> int:
    """Render and send one message to each recipient separately (no addresses shared). Returns messages sent."""
    subject = " ".join(render_to_string(f"emails/{name}-subject.txt", context).split())
    text = render_to_string(f"emails/{name}-body.txt", context)
    html = render_to_string(f"emails/{name}-body.html", context)
    sent = 0
    for address in dict.fromkeys(recipients):
        message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [address])
        message.attach_alternative(html, "text/html")
        sent += message.send()
    return sent


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


def notify_new_case(case_id: int) -> int:
    case = Case.objects.select_related("unit", "counter").get(pk=case_id)
    return send_templated_email(
        name="pakn-new-case", recipients=_unit_staff_emails(case), context={"case": case, "url": _staff_url(case)}
    )


def notify_answer(case_id: int) -> int:
    """Only to a citizen who consented to be answered by email."""
    case = Case.objects.select_related("unit", "contact").filter(pk=case_id).first()
    contact = getattr(case, "contact", None) if case else None
    if contact is None or not contact.consent_reply or not contact.email:
        return 0
    url = settings.PUBLIC_BASE_URL + reverse("feedback:case-track", args=[case.tracking_code])
    return send_templated_email(name="pakn-answer", recipients=[contact.email], context={"case": case, "url": url})


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
