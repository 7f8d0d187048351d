"""Writes with consequences for PAKN cases: submission, the workflow (with the approval and publication of
answers), the citizen's rating and appeal, and the deadline job.

Every public function is atomic. Transitions lock the case row (`select_for_update`), check that the move is
allowed from the case's current state (raising `TransitionError` with a Vietnamese message otherwise, leaving
nothing changed) and write exactly one `CaseEvent`. A move that the actor's role does not allow (approving an
answer) raises Django's `PermissionDenied` with a Vietnamese message. Notifications are enqueued as Celery tasks
after commit.

Answers go through a unit lead: while `PAKN_ANSWER_APPROVAL` is on (the default), an officer's answer is a draft
(awaiting approval); a lead of the unit, provincial staff or an administrator approves it (possibly editing it) or
returns it with a reason; any staff of the unit then publishes it within the "publish" working-day deadline. An
answer written by someone who may approve is published at once.
"""

import datetime
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from config.celery import enqueue_on_commit
from survey.models import Counter, Rating, Unit, User

from . import notifications, selectors, tasks
from .attachments import CheckedFile
from .models import (
    PRIVACY_NOTICE_VERSION,
    Attachment,
    Case,
    CaseContact,
    CaseEvent,
    Category,
    Status,
)
from .workdays import WorkCalendar, deadline_days


class TransitionError(ValueError):
    """A change that the case's state or the rules do not allow; the message is shown to the user."""

    @property
    def message(self) -> str:
        return str(self.args[0])


@dataclass(frozen=True)
class ContactInput:
    """What the citizen chose to give: any consent makes a stored record; none stores nothing."""

    name: str = ""
    email: str = ""
    phone: str = ""
    consent_reply: bool = False
    consent_publish: bool = False

    @property
    def is_empty(self) -> bool:
        return not (self.consent_reply or self.consent_publish or self.name or self.email or self.phone)


# Moves that staff make with `change_case_status`. Answering (with its approval and publication), the citizen's
# rating and the appeal have their own functions because they carry more than a note or need a role.
STAFF_TRANSITIONS: dict[str, set[str]] = {
    Status.RECEIVED: {Status.ACCEPTED, Status.REJECTED, Status.NEEDS_INFORMATION},
    Status.NEEDS_INFORMATION: {Status.IN_PROGRESS, Status.REJECTED},
    Status.ACCEPTED: {Status.IN_PROGRESS},
    Status.ANSWERED: {Status.CLOSED},
}
ANSWERABLE = {Status.IN_PROGRESS}
# A drafted or approved answer must be returned (or published) first: a transfer would leave it behind.
TRANSFERABLE = {Status.RECEIVED, Status.ACCEPTED, Status.NEEDS_INFORMATION, Status.IN_PROGRESS}
RETURNABLE = {Status.AWAITING_APPROVAL, Status.APPROVED}


def _locked(case: Case) -> Case:
    return Case.objects.select_for_update().get(pk=case.pk)


def _event(case: Case, *, kind: str, by: User | None, from_status: str, note: str = "", public: bool = False):
    return CaseEvent.objects.create(
        case=case,
        kind=kind,
        actor=by,
        from_status=from_status,
        to_status=case.status,
        note=note,
        is_public=public,
    )


def _current_due(case: Case, calendar: WorkCalendar) -> datetime.date | None:
    if case.status == Status.RECEIVED:
        return case.classify_due
    if case.status in (Status.ACCEPTED, Status.IN_PROGRESS, Status.AWAITING_APPROVAL):
        return case.answer_deadline(calendar)
    if case.status == Status.APPROVED:
        # Both obligations hold: publish within the days allowed after approval, and by the answer deadline.
        publish_by = calendar.add_working_days(timezone.localdate(case.approved_at), deadline_days("publish"))
        return min(publish_by, case.answer_deadline(calendar))
    return None


def approval_required() -> bool:
    """Whether officers' answers need a lead's approval before publication (`PAKN_ANSWER_APPROVAL`, default on)."""
    return bool(getattr(settings, "PAKN_ANSWER_APPROVAL", True))


def answer_needs_approval(*, case: Case, by: User) -> bool:
    """Whether an answer that `by` writes for `case` becomes a draft awaiting approval (else it is published)."""
    return approval_required() and not case.can_be_approved_by(by)


def _check_approver(case: Case, by: User) -> None:
    if not case.can_be_approved_by(by):
        raise PermissionDenied(
            _("Chỉ lãnh đạo đơn vị, cán bộ cấp tỉnh hoặc quản trị viên được phê duyệt hoặc trả lại dự thảo trả lời.")
        )


def _set_deadlines_from(case: Case, day: datetime.date, calendar: WorkCalendar) -> None:
    case.received_on = day
    case.classify_due = calendar.add_working_days(day, deadline_days("classify"))
    case.information_due = calendar.add_working_days(day, deadline_days("information"))
    case.answer_due = calendar.add_working_days(day, deadline_days("answer"))


def _enqueue(task, *args) -> None:
    # A broker outage is logged, never an error for the citizen: the case is stored, and the deadline job
    # reminds the unit before the first deadline in any case.
    enqueue_on_commit(task, *args)


@transaction.atomic
def submit_case(
    *,
    unit: Unit,
    category: str,
    text: str,
    counter: Counter | None = None,
    rating: Rating | None = None,
    files: list[CheckedFile] | tuple = (),
    contact: ContactInput | None = None,
    idempotency_key: uuid.UUID | None = None,
    device_hash: str = "",
) -> Case:
    """File a citizen's case with the unit. Files must already be checked (`attachments.check_attachments`).
    Stores contact details and consents with the notice version only when the citizen gave a consent.
    Writes the "submitted" event, queues the receipt to the citizen (with consent) and notifies the unit's staff
    after commit.

    Idempotent: a known `idempotency_key` returns the case filed with it and changes nothing (a resubmitted form,
    a retried API call). A likely duplicate of a case of the last day (`selectors.likely_duplicate`) is filed all
    the same, linked to it for the officer (`duplicate_of`)."""
    if idempotency_key is not None:
        existing = Case.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing
    if category not in Category.values:
        raise TransitionError(_("Loại phản ánh không hợp lệ."))
    if not text.strip():
        raise TransitionError(_("Hãy nhập nội dung phản ánh."))
    if counter is not None and counter.unit_id != unit.pk:
        raise TransitionError(_("Quầy không thuộc đơn vị đã chọn."))
    if rating is not None and rating.counter_id != getattr(counter, "pk", None):
        raise TransitionError(_("Đánh giá không khớp với quầy."))
    if contact is not None and not contact.is_empty and not (contact.consent_reply or contact.consent_publish):
        raise TransitionError(_("Thông tin liên hệ chỉ được lưu khi bạn đồng ý nhận trả lời qua email/SMS."))
    now = timezone.now()
    calendar = WorkCalendar()
    case = Case(
        unit=unit,
        counter=counter,
        rating=rating,
        category=category,
        text=text.strip(),
        created_at=now,
        idempotency_key=idempotency_key,
        device_hash=device_hash,
    )
    reply = contact if contact is not None and contact.consent_reply else ContactInput()
    case.duplicate_of = selectors.likely_duplicate(
        unit_id=unit.pk, text=case.text, device_hash=device_hash, email=reply.email, phone=reply.phone
    )
    _set_deadlines_from(case, timezone.localdate(now), calendar)
    case.due_date = case.classify_due
    try:
        # A savepoint: two simultaneous posts with the same key both pass the check above; one wins here.
        with transaction.atomic():
            case.save()
    except IntegrityError:
        if idempotency_key is None:
            raise
        return Case.objects.get(idempotency_key=idempotency_key)
    for checked in files:
        Attachment.objects.create(
            case=case,
            file=ContentFile(checked.data, name=f"upload.{checked.extension}"),
            original_name=checked.original_name,
            content_type=checked.content_type,
            size=len(checked.data),
        )
    if contact is not None and not contact.is_empty:
        CaseContact.objects.create(
            case=case,
            name=contact.name.strip() if contact.consent_reply else "",
            email=contact.email.strip() if contact.consent_reply else "",
            phone=contact.phone.strip() if contact.consent_reply else "",
            consent_reply=contact.consent_reply,
            consent_publish=contact.consent_publish,
            notice_version=PRIVACY_NOTICE_VERSION,
            consented_at=now,
        )
    _event(case, kind=CaseEvent.Kind.SUBMITTED, by=None, from_status="", public=True)
    notifications.queue_receipt(case)
    _enqueue(tasks.notify_new_case_task, case.pk)
    return case


@transaction.atomic
def change_case_status(*, case: Case, by: User, to: str, note: str = "") -> Case:
    """Move a case along the workflow (accept, reject with a reason, ask for information, start, close)."""
    case = _locked(case)
    allowed = STAFF_TRANSITIONS.get(case.status, set())
    if to not in allowed:
        raise TransitionError(
            _("Không thể chuyển phản ánh từ “%(from)s” sang “%(to)s”.")
            % {"from": case.get_status_display(), "to": Status(to).label if to in Status.values else to}
        )
    note = note.strip()
    if to == Status.REJECTED:
        if not note:
            raise TransitionError(_("Hãy nêu lý do không thụ lý."))
        case.rejection_reason = note
    if to == Status.NEEDS_INFORMATION and not note:
        raise TransitionError(_("Hãy nêu thông tin cần người dân bổ sung."))
    from_status, case.status = case.status, to
    case.due_date = _current_due(case, WorkCalendar())
    case.save()
    # The reason for a rejection and the request for information are addressed to the citizen.
    _event(
        case,
        kind=CaseEvent.Kind.TRANSITION,
        by=by,
        from_status=from_status,
        note=note,
        public=to in (Status.REJECTED, Status.NEEDS_INFORMATION, Status.CLOSED),
    )
    return case


def _publish(case: Case, *, by: User, text: str) -> None:
    """Publish `text` as the case's answer (the caller has locked the case): one public event, and the citizen is
    emailed if they consented."""
    now = timezone.now()
    from_status = case.status
    case.status = Status.ANSWERED
    case.public_answer = text
    case.draft_answer = ""
    case.answered_at = now
    # On-time figures count the first publication against the answer deadline (`answer_due`).
    case.first_answered_at = case.first_answered_at or now
    case.citizen_satisfied = None
    case.citizen_rated_at = None
    case.rate_requested_at = None
    case.due_date = None
    case.save()
    _event(case, kind=CaseEvent.Kind.TRANSITION, by=by, from_status=from_status, note=text, public=True)
    notifications.queue_answer(case)


@transaction.atomic
def answer_case(*, case: Case, by: User, text: str) -> Case:
    """Answer a case in progress. When the answer needs approval (`answer_needs_approval`), it is stored as a draft
    (awaiting approval, one internal event) and the unit's leads are emailed after commit. Otherwise it is published
    on the tracking page at once (one public event) and emailed to the citizen if they consented."""
    case = _locked(case)
    if case.status not in ANSWERABLE:
        raise TransitionError(
            _("Chỉ trả lời được phản ánh đang xử lý (hiện tại: “%(status)s”).") % {"status": case.get_status_display()}
        )
    text = text.strip()
    if not text:
        raise TransitionError(_("Hãy nhập nội dung trả lời."))
    if answer_needs_approval(case=case, by=by):
        from_status = case.status
        case.status = Status.AWAITING_APPROVAL
        case.draft_answer = text
        case.approved_by = case.approved_at = None
        case.due_date = _current_due(case, WorkCalendar())
        case.save()
        _event(case, kind=CaseEvent.Kind.TRANSITION, by=by, from_status=from_status, note=text)
        _enqueue(tasks.notify_approval_request_task, case.pk)
        return case
    # Written by someone who may approve it: the answer is approved as it is published.
    case.approved_by, case.approved_at = (by, timezone.now()) if case.can_be_approved_by(by) else (None, None)
    _publish(case, by=by, text=text)
    return case


@transaction.atomic
def approve_answer(*, case: Case, by: User, text: str | None = None) -> Case:
    """A lead of the case's unit, provincial staff or an administrator approves the drafted answer, possibly editing
    it (`text`). The case then waits for publication, due within the "publish" working-day deadline counted from
    today. One internal event (its note is the approved text when it was edited). Raises PermissionDenied for
    anyone else."""
    case = _locked(case)
    _check_approver(case, by)
    if case.status != Status.AWAITING_APPROVAL:
        raise TransitionError(
            _("Chỉ phê duyệt được trả lời đang chờ phê duyệt (hiện tại: “%(status)s”).")
            % {"status": case.get_status_display()}
        )
    text = case.draft_answer if text is None else text.strip()
    if not text:
        raise TransitionError(_("Hãy nhập nội dung trả lời."))
    # A browser sends line breaks as CRLF, the API as LF: the same words are not an edit.
    edited = text.replace("\r\n", "\n") != case.draft_answer.replace("\r\n", "\n")
    from_status = case.status
    case.status = Status.APPROVED
    case.draft_answer = text
    case.approved_by, case.approved_at = by, timezone.now()
    case.reminded_for = None
    case.due_date = _current_due(case, WorkCalendar())
    case.save()
    _event(case, kind=CaseEvent.Kind.TRANSITION, by=by, from_status=from_status, note=text if edited else "")
    return case


@transaction.atomic
def return_answer(*, case: Case, by: User, note: str) -> Case:
    """The approver sends a drafted (or approved, not yet published) answer back to the unit with the reason: the
    case is in progress again, due by its answer deadline; the draft is kept for the officer to revise, who is
    emailed. One internal event. Raises PermissionDenied for anyone who may not approve."""
    case = _locked(case)
    _check_approver(case, by)
    if case.status not in RETURNABLE:
        raise TransitionError(
            _("Chỉ trả lại được dự thảo trả lời chưa công bố (hiện tại: “%(status)s”).")
            % {"status": case.get_status_display()}
        )
    note = note.strip()
    if not note:
        raise TransitionError(_("Hãy nêu lý do trả lại dự thảo."))
    from_status = case.status
    case.status = Status.IN_PROGRESS
    case.approved_by = case.approved_at = None
    case.due_date = _current_due(case, WorkCalendar())
    case.save()
    _event(case, kind=CaseEvent.Kind.TRANSITION, by=by, from_status=from_status, note=note)
    _enqueue(tasks.notify_draft_returned_task, case.pk)
    return case


@transaction.atomic
def publish_answer(*, case: Case, by: User) -> Case:
    """Publish the approved answer on the tracking page (one public event) and email it to the citizen if they
    consented; the case is answered and has no deadline left."""
    case = _locked(case)
    if case.status != Status.APPROVED:
        raise TransitionError(
            _("Chỉ công bố được trả lời đã được phê duyệt (hiện tại: “%(status)s”).")
            % {"status": case.get_status_display()}
        )
    _publish(case, by=by, text=case.draft_answer)
    return case


@transaction.atomic
def assign_case(*, case: Case, by: User, officer: User) -> Case:
    """Give the case to an officer or lead of the case's unit."""
    case = _locked(case)
    if case.is_finished:
        raise TransitionError(_("Phản ánh đã kết thúc, không phân công được."))
    if not (officer.is_active and officer.is_unit_staff and officer.unit_id == case.unit_id):
        raise TransitionError(_("Chỉ phân công được cho cán bộ của đơn vị đang xử lý phản ánh."))
    case.assigned_to = officer
    case.save(update_fields=["assigned_to", "updated_at"])
    _event(case, kind=CaseEvent.Kind.ASSIGNED, by=by, from_status=case.status, note=officer.get_username())
    return case


@transaction.atomic
def transfer_case(*, case: Case, by: User, unit: Unit, reason: str) -> Case:
    """Hand the case to another unit with a reason; it is received afresh there and its deadlines restart."""
    case = _locked(case)
    if case.status not in TRANSFERABLE:
        raise TransitionError(
            _("Không thể chuyển đơn vị khi phản ánh ở trạng thái “%(status)s”.")
            % {"status": case.get_status_display()}
        )
    if unit.pk == case.unit_id or not unit.is_active_on(timezone.localdate()):
        raise TransitionError(_("Hãy chọn một đơn vị khác đang hoạt động."))
    if not reason.strip():
        raise TransitionError(_("Hãy nêu lý do chuyển đơn vị."))
    calendar = WorkCalendar()
    from_status = case.status
    old_unit = case.unit
    case.unit, case.counter, case.assigned_to = unit, None, None
    # A draft returned by the old unit's lead is not the new unit's to send.
    case.draft_answer, case.approved_by, case.approved_at = "", None, None
    case.status = Status.RECEIVED
    _set_deadlines_from(case, timezone.localdate(), calendar)
    case.due_date = case.classify_due
    case.reminded_for = None
    case.save()
    _event(
        case,
        kind=CaseEvent.Kind.TRANSFERRED,
        by=by,
        from_status=from_status,
        note=f"{old_unit.short_name} → {unit.short_name}: {reason.strip()}",
        public=True,
    )
    _enqueue(tasks.notify_new_case_task, case.pk)
    return case


@transaction.atomic
def add_internal_note(*, case: Case, by: User, note: str) -> CaseEvent:
    """A note for staff only: never shown on the tracking page."""
    case = _locked(case)
    if not note.strip():
        raise TransitionError(_("Hãy nhập nội dung ghi chú."))
    return _event(case, kind=CaseEvent.Kind.NOTE, by=by, from_status=case.status, note=note.strip())


@transaction.atomic
def add_citizen_information(*, case: Case, text: str) -> CaseEvent:
    """The citizen answers a request for information; staff then continue the case."""
    case = _locked(case)
    if case.status != Status.NEEDS_INFORMATION:
        raise TransitionError(_("Phản ánh này hiện không cần bổ sung thông tin."))
    if not text.strip():
        raise TransitionError(_("Hãy nhập thông tin bổ sung."))
    return _event(
        case, kind=CaseEvent.Kind.INFORMATION, by=None, from_status=case.status, note=text.strip(), public=True
    )


@transaction.atomic
def rate_answer(*, case: Case, satisfied: bool) -> Case:
    """The citizen rates the answer once; a satisfied citizen closes the case."""
    case = _locked(case)
    if not case.can_be_rated:
        raise TransitionError(_("Phản ánh này chưa có trả lời để đánh giá, hoặc bạn đã đánh giá rồi."))
    from_status = case.status
    case.citizen_satisfied = satisfied
    case.citizen_rated_at = timezone.now()
    if satisfied:
        case.status = Status.CLOSED
    case.save()
    _event(
        case,
        kind=CaseEvent.Kind.RATED,
        by=None,
        from_status=from_status,
        note=_("Hài lòng") if satisfied else _("Không hài lòng"),
        public=True,
    )
    return case


@transaction.atomic
def appeal_case(*, case: Case, text: str) -> Case:
    """The one appeal of an unsatisfactory answer: the case goes back in progress, escalated to provincial
    staff, with a fresh answer deadline; provincial staff are notified."""
    case = _locked(case)
    if not case.can_be_appealed:
        raise TransitionError(_("Chỉ đề nghị xem xét lại được một lần, sau khi đánh giá không hài lòng với trả lời."))
    if not text.strip():
        raise TransitionError(_("Hãy nêu lý do đề nghị xem xét lại."))
    now = timezone.now()
    from_status = case.status
    case.status = Status.IN_PROGRESS
    case.appeal_text = text.strip()
    case.appealed_at = now
    calendar = WorkCalendar()
    # Stored now: the promise made on the day of the appeal, whatever later edits of the calendar say.
    case.appeal_answer_due = calendar.add_working_days(timezone.localdate(now), deadline_days("answer"))
    case.escalated_at = now
    case.escalation_reason = "appeal"
    case.reminded_for = None
    case.due_date = _current_due(case, calendar)
    case.save()
    _event(case, kind=CaseEvent.Kind.APPEALED, by=None, from_status=from_status, note=case.appeal_text, public=True)
    _enqueue(tasks.notify_escalation_task, case.pk)
    return case


def process_deadlines(*, today: datetime.date | None = None) -> dict[str, int]:
    """The periodic deadline job: remind the unit before a deadline (once per deadline, within
    `PAKN_REMINDER_WORKING_DAYS`, default 1) and escalate each overdue case to provincial staff once (one
    "escalated" event each). The deadline is the one of the case's state, the publication of an approved answer
    included. Returns how many cases were reminded and escalated."""
    today = today or timezone.localdate()
    calendar = WorkCalendar()
    window = int(getattr(settings, "PAKN_REMINDER_WORKING_DAYS", 1))
    reminded = escalated = 0
    candidates = Case.objects.open().filter(due_date__isnull=False).values_list("pk", flat=True)
    for pk in list(candidates):
        with transaction.atomic():
            case = Case.objects.select_for_update().get(pk=pk)
            if case.due_date is None or case.is_finished:
                continue
            if case.due_date < today:
                if case.escalated_at is None:
                    case.escalated_at = timezone.now()
                    case.escalation_reason = "overdue"
                    case.save(update_fields=["escalated_at", "escalation_reason", "updated_at"])
                    _event(
                        case,
                        kind=CaseEvent.Kind.ESCALATED,
                        by=None,
                        from_status=case.status,
                        note=_("Quá hạn ngày %(date)s.") % {"date": case.due_date.strftime("%d/%m/%Y")},
                    )
                    _enqueue(tasks.notify_escalation_task, case.pk)
                    escalated += 1
            elif case.reminded_for != case.due_date and calendar.working_days_between(today, case.due_date) <= window:
                case.reminded_for = case.due_date
                case.save(update_fields=["reminded_for", "updated_at"])
                _enqueue(tasks.notify_reminder_task, case.pk)
                reminded += 1
    return {"reminded": reminded, "escalated": escalated}


def request_ratings(*, now: datetime.datetime | None = None) -> int:
    """Queue the request to rate each answer published `PAKN_RATE_REQUEST_DAYS` (default 3) days ago or more that
    its citizen has not rated yet, once per published answer. Returns how many cases had a request queued."""
    now = now or timezone.now()
    days = int(getattr(settings, "PAKN_RATE_REQUEST_DAYS", 3))
    due = Case.objects.filter(
        status=Status.ANSWERED,
        citizen_satisfied__isnull=True,
        rate_requested_at__isnull=True,
        answered_at__lte=now - datetime.timedelta(days=days),
        contact__consent_reply=True,
    )
    asked = 0
    for pk in list(due.values_list("pk", flat=True)):
        with transaction.atomic():
            case = Case.objects.select_for_update().get(pk=pk)
            if case.rate_requested_at is not None or not case.can_be_rated:
                continue
            case.rate_requested_at = now
            case.save(update_fields=["rate_requested_at", "updated_at"])
            asked += bool(notifications.queue_rate_request(case))
    return asked


def request_tracking_codes(*, contact: str) -> None:
    """The citizen asks for their tracking codes to be sent to `contact` (an email or a phone number): the codes of
    their recent cases filed with that contact and the consent to be answered go to that contact only. Says nothing
    about whether any case matched."""
    with transaction.atomic():
        notifications.queue_tracking_codes(contact=contact)
