"""How long personal data is kept, and its removal: the periodic purge per data class, and the citizen's requests
to see or erase the contact details they gave.

Data classes and their limits (settings, read at call time; defaults and reasons in docs/privacy.md):

- contact details of a case in a final state (`CaseContact`), `PRIVACY_CONTACT_RETENTION_DAYS` after the case
  reached it (closed, rejected, or answered and left there), together with the contact data typed into the case's
  text (masked with `feedback.masking.mask_personal_data`);
- attachments of a case in a final state (`Attachment` rows and their files), `PRIVACY_ATTACHMENT_RETENTION_DAYS`
  after it reached it;
- the salted IP hash of a rating (`survey.models.Rating.ip_hash`), blanked `PRIVACY_RATING_IP_HASH_DAYS` after the
  rating (the abuse window).

A case finished when it last moved into a final state (from its event log); a case with no such event falls back to
its last update. The case itself, its (masked) text, its public answer and its event log stay: they are the unit's
record.

Every purge run writes one `PurgeLog` and one audit entry (`privacy.purge`) with the counts per class (an empty
run too, which shows that the purge keeps running); a dry run only counts. Erasure at the citizen's request writes
one audit entry (`privacy.erase_contact`) and one internal case event; it removes the contact, the attachments and
the contact data in the case's text at once. No citizen's IP address, even hashed, goes
into the (permanent) audit log.
"""

import datetime
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from survey.audit import record_audit
from survey.models import Rating, User

from .deliveries import forget_case_recipients
from .masking import mask_personal_data
from .models import FINISHED_STATUSES, Attachment, Case, CaseContact, CaseEvent, DataRequest, PurgeLog, Status

logger = logging.getLogger(__name__)

ACTION_PURGE = "privacy.purge"
ACTION_SEE = "privacy.see_contact"
ACTION_ERASE = "privacy.erase_contact"
ACTION_RECORD = "privacy.record_request"
ACTION_PROVIDE = "privacy.provide_contact"


@dataclass(frozen=True)
class RetentionPeriods:
    """The limits in force, in days (hours for the request deadline)."""

    contact_days: int
    attachment_days: int
    rating_ip_hash_days: int
    request_deadline_hours: int

    def as_dict(self) -> dict[str, int]:
        return {
            "contacts": self.contact_days,
            "attachments": self.attachment_days,
            "rating_ip_hashes": self.rating_ip_hash_days,
        }


def retention_periods() -> RetentionPeriods:
    def days(name: str, default: int) -> int:
        return max(0, int(getattr(settings, name, default)))

    return RetentionPeriods(
        contact_days=days("PRIVACY_CONTACT_RETENTION_DAYS", 90),
        attachment_days=days("PRIVACY_ATTACHMENT_RETENTION_DAYS", 365),
        rating_ip_hash_days=days("PRIVACY_RATING_IP_HASH_DAYS", 7),
        request_deadline_hours=max(1, int(getattr(settings, "PRIVACY_REQUEST_DEADLINE_HOURS", 72))),
    )


# The purge --------------------------------------------------------------------------------------------------------


@dataclass
class PurgeResult:
    contacts: int = 0
    attachments: int = 0
    rating_ip_hashes: int = 0
    dry_run: bool = False
    log: PurgeLog | None = field(default=None, repr=False)

    def as_dict(self) -> dict[str, int]:
        return {"contacts": self.contacts, "attachments": self.attachments, "rating_ip_hashes": self.rating_ip_hashes}

    @property
    def total(self) -> int:
        return self.contacts + self.attachments + self.rating_ip_hashes


# The states a case can stay in for good: finished (closed, rejected), and answered (a citizen who never rates the
# answer leaves the case there). Retention counts from the last move into one of them; an appeal moves the case out
# again, and its clock restarts when it comes back.
RETENTION_FINAL_STATUSES = (*FINISHED_STATUSES, Status.ANSWERED)


def _cases_finished_before(cutoff: datetime.datetime) -> QuerySet:
    """Cases in a final state whose end (the last move into a final state) is before `cutoff`, as a pk subquery."""
    final = RETENTION_FINAL_STATUSES
    into_finished = Q(events__to_status__in=final) & ~Q(events__from_status__in=final)
    return (
        Case.objects.filter(status__in=final)
        .annotate(finished_at=Coalesce(Max("events__created_at", filter=into_finished), "updated_at"))
        .filter(finished_at__lt=cutoff)
        .values("pk")
    )


def _delete_files(names: list[str]) -> None:
    storage = Attachment._meta.get_field("file").storage
    for name in names:
        try:
            storage.delete(name)
        except OSError:
            logger.warning("Retention purge: could not delete the file %s", name, exc_info=True)


@transaction.atomic
def purge_personal_data(
    *, now: datetime.datetime | None = None, dry_run: bool = False, trigger: str = "command"
) -> PurgeResult:
    """Remove the personal data past its retention limit (see the module docstring) and return the counts per
    class. Unless `dry_run`, writes one `PurgeLog` and one `privacy.purge` audit entry (also when nothing was removed);
    attachment files are deleted from storage after the commit. A dry run writes nothing."""
    now = now or timezone.now()
    periods = retention_periods()
    contacts = CaseContact.objects.filter(
        case__in=_cases_finished_before(now - datetime.timedelta(days=periods.contact_days))
    )
    attachments = Attachment.objects.filter(
        case__in=_cases_finished_before(now - datetime.timedelta(days=periods.attachment_days))
    )
    ratings = Rating.objects.filter(created_at__lt=now - datetime.timedelta(days=periods.rating_ip_hash_days)).exclude(
        ip_hash=""
    )
    if dry_run:
        return PurgeResult(
            contacts=contacts.count(), attachments=attachments.count(), rating_ip_hashes=ratings.count(), dry_run=True
        )

    # Plain querysets: Rating.updated_at is auto_now, and update() leaves it alone, so blanking a hash does not
    # make the rollups think a rating changed.
    result = PurgeResult(rating_ip_hashes=ratings.update(ip_hash=""))
    # The contact details typed into the text go with the contact record.
    for contact in contacts.select_related("case"):
        mask_case_texts(case=contact.case, also=[contact.name, contact.email, contact.phone])
    result.contacts = contacts.delete()[1].get(CaseContact._meta.label, 0)
    result.attachments = _remove_attachments(attachments)
    # A log of every run, even an empty one: it shows that the purge keeps running.
    result.log = PurgeLog.objects.create(
        ran_at=now,
        trigger=trigger,
        contacts_removed=result.contacts,
        attachments_removed=result.attachments,
        rating_ip_hashes_cleared=result.rating_ip_hashes,
        retention_days=periods.as_dict(),
    )
    record_audit(
        actor=None,
        action=ACTION_PURGE,
        target=result.log,
        changes={"removed": result.as_dict(), "retention_days": periods.as_dict()},
    )
    logger.info("Retention purge (%s): %s", trigger, result.as_dict())
    return result


# Citizens' requests -----------------------------------------------------------------------------------------------


class DataRequestError(ValueError):
    """A request that cannot be recorded or handled; the message is shown to staff."""

    @property
    def message(self) -> str:
        return str(self.args[0])


def _given_fields(contact: CaseContact) -> list[str]:
    # The audit log says which details existed, never their values: it is kept for good.
    return [name for name in ("name", "email", "phone") if getattr(contact, name)]


CASE_TEXT_FIELDS = ("text", "appeal_text", "rejection_reason", "public_answer", "draft_answer")


def mask_case_texts(*, case: Case, also: list[str] = ()) -> list[str]:
    """Mask the personal data typed into the case's free text and its events' notes (`mask_personal_data`, with
    the extra strings of `also`, such as the contact's name); returns the names of what changed. The tracking page
    and staff pages then show the masked text. Plain updates: the case's `updated_at` (which the retention schedule
    falls back on) stays."""
    changed = {}
    for name in CASE_TEXT_FIELDS:
        value = getattr(case, name)
        masked = mask_personal_data(value, also=also)
        if masked != value:
            changed[name] = masked
    if changed:
        Case.objects.filter(pk=case.pk).update(**changed)
        for name, value in changed.items():
            setattr(case, name, value)
    notes = []
    for event in CaseEvent.objects.filter(case=case).exclude(note="").only("pk", "note"):
        masked = mask_personal_data(event.note, also=also)
        if masked != event.note:
            CaseEvent.objects.filter(pk=event.pk).update(note=masked)
            notes.append(event.pk)
    return sorted(changed) + (["event_notes"] if notes else [])


def _remove_attachments(attachments: QuerySet) -> int:
    """Delete the attachment rows, and their files once the transaction commits; returns the number of rows."""
    files = [name for name in attachments.values_list("file", flat=True) if name]
    removed = attachments.delete()[1].get(Attachment._meta.label, 0)
    if files:
        transaction.on_commit(lambda: _delete_files(files))
    return removed


@transaction.atomic
def erase_case_contact(*, case: Case, by: User | None = None, data_request: DataRequest | None = None) -> bool:
    """Erase the citizen's personal data from `case`, at their request: the contact details and consents (its
    `CaseContact`), the attachments (photos, documents; files deleted after the commit), and what looks like
    contact data in the case's text, appeal, answers and event notes (masked with `mask_personal_data`, also the
    name, e-mail and phone number the citizen gave).

    The case, its (masked) text, its public answer and its events stay. Returns False when there was nothing left
    to erase. Otherwise writes one internal "privacy" case event and exactly one `privacy.erase_contact` audit
    entry (naming what was erased, never the values)."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    contact = CaseContact.objects.filter(case=case).first()
    given = _given_fields(contact) if contact else []
    also = [getattr(contact, name) for name in ("name", "email", "phone")] if contact else []
    masked = mask_case_texts(case=case, also=also)
    attachments = _remove_attachments(Attachment.objects.filter(case=case))
    if contact is None and not masked and not attachments:
        return False
    if contact is not None:
        contact.delete()
    forget_case_recipients(case=case)
    CaseEvent.objects.create(
        case=case,
        kind=CaseEvent.Kind.PRIVACY,
        actor=by,
        from_status=case.status,
        to_status=case.status,
        note=_("Đã xóa thông tin liên hệ của người dân theo yêu cầu của họ."),
    )
    record_audit(
        actor=by,
        action=ACTION_ERASE,
        target=case,
        changes={
            "contact": {"before": (given or ["consent"]) if contact else [], "after": []},
            "masked": masked,
            "attachments_removed": attachments,
            "data_request": data_request.pk if data_request else None,
        },
    )
    return True


def _due(received_at: datetime.datetime) -> datetime.datetime:
    return received_at + datetime.timedelta(hours=retention_periods().request_deadline_hours)


@transaction.atomic
def answer_web_data_request(*, case: Case, kind: str) -> tuple[DataRequest, CaseContact | None]:
    """A request made on the website by someone who gave the case's tracking code together with the contact stored
    with it (checked beforehand by `selectors.case_for_data_request`). Handled at once and recorded as handled:

    - "see" returns the stored `CaseContact` to show (one `privacy.see_contact` audit entry);
    - "delete" erases it with `erase_case_contact` (its audit entry is the only one) and returns None.
    """
    if kind not in DataRequest.Kind.values:
        raise DataRequestError(_("Loại yêu cầu không hợp lệ."))
    now = timezone.now()
    request = DataRequest(case=case, kind=kind, channel=DataRequest.Channel.WEB, received_at=now, due_at=_due(now))
    if kind == DataRequest.Kind.SEE:
        contact = CaseContact.objects.filter(case=case).first()
        request.handled_at, request.outcome = (
            now,
            (DataRequest.Outcome.SHOWN if contact else DataRequest.Outcome.NO_DATA),
        )
        request.save()
        record_audit(actor=None, action=ACTION_SEE, target=case, changes={"data_request": request.pk})
        return request, contact
    request.save()
    erased = erase_case_contact(case=case, data_request=request)
    request.handled_at = timezone.now()
    request.outcome = DataRequest.Outcome.ERASED if erased else DataRequest.Outcome.NO_DATA
    request.save(update_fields=["handled_at", "outcome"])
    return request, None


@transaction.atomic
def record_data_request(*, case: Case, kind: str, by: User, note: str = "") -> DataRequest:
    """Staff record a request received through another channel (a letter, a call, at the counter) after checking
    who is asking; it stays pending until `complete_data_request`, due `PRIVACY_REQUEST_DEADLINE_HOURS` after now.
    One `privacy.record_request` audit entry."""
    if kind not in DataRequest.Kind.values:
        raise DataRequestError(_("Loại yêu cầu không hợp lệ."))
    now = timezone.now()
    request = DataRequest.objects.create(
        case=case,
        kind=kind,
        channel=DataRequest.Channel.OFFLINE,
        received_at=now,
        due_at=_due(now),
        recorded_by=by,
        note=note.strip()[:300],
    )
    record_audit(actor=by, action=ACTION_RECORD, target=request, changes={"kind": kind, "case": case.pk})
    return request


@transaction.atomic
def complete_data_request(*, data_request: DataRequest, by: User) -> DataRequest:
    """Staff handle a pending request: a "delete" erases the contact (`erase_case_contact`, whose audit entry is the
    only one); a "see" is marked as provided to the citizen through the channel it came by (one
    `privacy.provide_contact` audit entry). A request already handled raises `DataRequestError`."""
    request = DataRequest.objects.select_for_update().select_related("case").get(pk=data_request.pk)
    if not request.is_pending:
        raise DataRequestError(_("Yêu cầu này đã được xử lý."))
    has_contact = CaseContact.objects.filter(case_id=request.case_id).exists()
    if request.kind == DataRequest.Kind.DELETE:
        erased = erase_case_contact(case=request.case, by=by, data_request=request)
        request.outcome = DataRequest.Outcome.ERASED if erased else DataRequest.Outcome.NO_DATA
    else:
        request.outcome = DataRequest.Outcome.PROVIDED if has_contact else DataRequest.Outcome.NO_DATA
        record_audit(actor=by, action=ACTION_PROVIDE, target=request.case, changes={"data_request": request.pk})
    request.handled_at = timezone.now()
    request.handled_by = by
    request.save(update_fields=["handled_at", "handled_by", "outcome"])
    return request
