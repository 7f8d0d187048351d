"""Writes of the survey app: ratings, counter codes, dossier links, kiosk tokens, questionnaires and posters.

Every function is keyword-only and atomic. Errors a citizen or a staff member can cause raise a subclass of
`SurveyError` whose `message` is a Vietnamese sentence the view can show as it is.
"""

import datetime
import logging
import time
import uuid
from collections.abc import Iterable, Mapping, Sequence
from functools import partial

from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import integrity, qrcodes, selectors
from .audit import record_audit
from .masking import mask_personal_data
from .models import (
    COMMENT_MAX_LENGTH,
    Counter,
    DossierLink,
    KioskToken,
    PosterBatch,
    Questionnaire,
    QuestionnaireItem,
    Rating,
    RatingAnswer,
    RetiredCounterCode,
    Unit,
    User,
    new_public_code,
)

log = logging.getLogger(__name__)

# Seconds between two progress updates of a poster batch.
PROGRESS_INTERVAL = 0.5

# After this long a rating's optional answers can no longer be changed (the key in the page is the only
# credential, so its power is kept short).
ANSWER_WINDOW = datetime.timedelta(hours=2)

# A rating kept on a device while the network was down (the kiosk's and the rating page's queue) keeps the time it
# was given, when it arrives within this window; a device clock ahead of the server's by up to CLOCK_SKEW is
# taken as now.
OFFLINE_WINDOW = datetime.timedelta(hours=72)
CLOCK_SKEW = datetime.timedelta(minutes=5)


class SurveyError(Exception):
    message = _("Yêu cầu không hợp lệ.")

    def __init__(self, message=None):
        if message is not None:
            self.message = message
        super().__init__(str(self.message))


class InvalidRating(SurveyError):
    message = _("Vui lòng chọn một mức hài lòng từ 1 đến 5.")


class CounterUnavailable(SurveyError):
    message = _("Quầy này hiện không nhận đánh giá.")


class NoActiveQuestionnaire(SurveyError):
    message = _("Chưa có phiếu khảo sát nào đang dùng cho đơn vị này.")


class DossierLinkUsed(SurveyError):
    message = _("Hồ sơ này đã được đánh giá. Cảm ơn ông/bà!")


class DossierLinkExpired(SurveyError):
    message = _("Liên kết đánh giá của hồ sơ này đã hết hạn.")


class DossierCodeTaken(SurveyError):
    message = _("Mã hồ sơ này đã có liên kết đánh giá.")


class RatingClosed(SurveyError):
    message = _("Đã hết thời gian bổ sung ý kiến cho lượt đánh giá này.")


class InvalidAnswer(SurveyError):
    message = _("Câu trả lời không hợp lệ. Vui lòng chọn lại.")


class RatingTooOld(SurveyError):
    message = _("Đánh giá này được ghi quá 72 giờ trước nên không thể nhận nữa.")


def rating_time(*, given_at: datetime.datetime | None, now: datetime.datetime) -> datetime.datetime:
    """The time a rating is stored with: the time it was given on the device when it says so (a rating sent
    late from an offline queue), else now. Older than `OFFLINE_WINDOW` raises `RatingTooOld`; later than now (a
    clock ahead, within `CLOCK_SKEW`) is now."""
    if given_at is None or given_at >= now:
        if given_at is not None and given_at - now > CLOCK_SKEW:
            raise SurveyError(_("Thời điểm đánh giá không hợp lệ (đồng hồ của thiết bị sai)."))
        return now
    if now - given_at > OFFLINE_WINDOW:
        raise RatingTooOld()
    return given_at


class RatingThrottled(SurveyError):
    """A hard throttle refused the submission: nothing was stored. `verdict` says for how long (Retry-After)."""

    message = _("Có quá nhiều lượt đánh giá trong thời gian ngắn. Vui lòng thử lại sau ít phút.")

    def __init__(self, verdict: integrity.Verdict):
        self.verdict = verdict
        super().__init__()


class _Replay(Exception):
    """Raised inside a transaction to roll it back when the insert meets an idempotency key stored before."""

    def __init__(self, rating: Rating):
        self.rating = rating


def submit_rating(
    *,
    counter: Counter,
    score: int,
    idempotency_key: uuid.UUID,
    channel: str = Rating.Channel.QR,
    questionnaire: Questionnaire | None = None,
    dossier_link: DossierLink | None = None,
    client: integrity.ClientInfo | None = None,
    now: datetime.datetime | None = None,
    given_at: datetime.datetime | None = None,
) -> Rating:
    """Record a citizen's overall rating at once and return it.

    Idempotent: a second call with the same `idempotency_key` returns the rating stored by the first, whatever
    else it carries (the database's unique constraint decides, so concurrent double taps are safe too), and the
    integrity layers do not count it again. The unit is the counter's; the questionnaire is the unit's active one
    unless given.

    Integrity: a new submission is assessed (`survey.integrity`) with `client` (address and device; None when the
    caller knows neither, so only the per-counter layers apply) and stored with the verdict's status, flags and
    IP hash; `integrity.record_outcome` runs on commit. A hard throttle raises `RatingThrottled` and stores
    nothing. With a `dossier_link` the rating is verified and the link is claimed (once, even under concurrent
    requests); a link used or expired meanwhile raises `DossierLinkUsed` or `DossierLinkExpired`.

    On the plain QR path this costs one INSERT (in autocommit, no BEGIN and COMMIT) and no other query once the
    cache is warm (the active questionnaire id, the integrity settings and the counter's rhythm are cached), and
    two cache round trips: the questionnaire id with the integrity settings, and one pipeline for every count.

    Delayed ratings: `given_at`, the time the citizen gave the rating on a device that was offline, becomes the
    rating's time (`rating_time`: within 72 hours). The integrity layers then count it at that time, in the
    counter's rhythm as it was: a queue flushed at once when the network returns is not a burst.
    """
    if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
        raise InvalidRating()
    if not counter.is_active:
        raise CounterUnavailable()
    if channel not in Rating.Channel.values:
        raise SurveyError(_("Kênh đánh giá không hợp lệ."))
    if dossier_link is not None and dossier_link.counter_id != counter.pk:
        raise SurveyError(_("Liên kết hồ sơ không thuộc quầy này."))
    # The active questionnaire's id and the integrity settings, both cached, in one round trip.
    questionnaire_key = selectors.active_questionnaire_cache_key(counter.unit_id)
    cached = _cached(questionnaire_key, integrity.CONFIG_CACHE_KEY)
    questionnaire_id = (
        questionnaire.pk
        if questionnaire
        else selectors.active_questionnaire_id(unit_id=counter.unit_id, cached=cached.get(questionnaire_key))
    )
    if questionnaire_id is None:
        raise NoActiveQuestionnaire()
    now = now or timezone.now()
    given = rating_time(given_at=given_at, now=now)

    # Integrity step. Assessing before the one insert keeps the happy path at one query; if the insert then
    # meets a stored key (a retry), the assessment is withdrawn and the stored rating returned.
    verdict = integrity.assess_submission(
        counter=counter,
        client=client or integrity.ClientInfo(ip=None, device_id=None),
        dossier_verified=dossier_link is not None,
        now=given,
        submission_key=str(idempotency_key),
        cached_config=cached.get(integrity.CONFIG_CACHE_KEY),
    )
    if verdict.throttled:
        # A retry of a stored rating still gets its rating back, never a 429 (one query, only when throttled).
        stored = Rating.objects.filter(idempotency_key=idempotency_key).first()
        if stored is None:
            raise RatingThrottled(verdict)
        integrity.withdraw_assessment(verdict)
        return stored

    rating = Rating(
        idempotency_key=idempotency_key,
        counter=counter,
        unit_id=counter.unit_id,
        questionnaire_id=questionnaire_id,
        score=score,
        channel=channel,
        status=verdict.status,
        flags=verdict.flags,
        ip_hash=verdict.ip_hash,
        created_at=given,
    )
    try:
        stored = _insert_once(rating) if dossier_link is None else _insert_verified(rating, dossier_link, now=now)
    except Exception:
        integrity.withdraw_assessment(verdict)
        raise
    if stored is not rating:
        integrity.withdraw_assessment(verdict)
        return stored
    transaction.on_commit(partial(integrity.record_outcome, rating=rating, verdict=verdict))
    return rating


def _cached(*keys: str) -> dict:
    """Several cached values in one round trip; nothing when the cache fails (each reader then falls back)."""
    try:
        return cache.get_many(keys)
    except Exception:
        log.warning("The cache is unavailable; reading what the rating needs without it", exc_info=True)
        return {}


def _insert_once(rating: Rating) -> Rating:
    """Insert the rating, or return the one already stored under its idempotency key."""
    try:
        if transaction.get_connection().in_atomic_block:
            # A savepoint inside a transaction, so that a failed insert does not poison it.
            with transaction.atomic():
                rating.save(force_insert=True)
        else:
            # In autocommit the INSERT is its own transaction: one round trip, no BEGIN and COMMIT around it.
            rating.save(force_insert=True)
    except IntegrityError:
        existing = Rating.objects.filter(idempotency_key=rating.idempotency_key).first()
        if existing is not None:
            return existing
        if rating.dossier_code:
            raise DossierLinkUsed() from None
        raise
    return rating


def _insert_verified(rating: Rating, link: DossierLink, *, now: datetime.datetime) -> Rating:
    """Claim the link and insert the verified rating, both or neither."""
    try:
        with transaction.atomic():
            if not integrity.claim_dossier_link(link=link, now=now):
                existing = Rating.objects.filter(idempotency_key=rating.idempotency_key).first()
                if existing is not None:
                    return existing
                if integrity.check_dossier_link(link, now=now) == integrity.LinkState.EXPIRED:
                    raise DossierLinkExpired()
                raise DossierLinkUsed()
            rating.verified = True
            rating.dossier_code = link.dossier_code
            stored = _insert_once(rating)
            if stored is not rating:
                # The key belongs to an earlier rating without this dossier: give the link back.
                raise _Replay(stored)
            return rating
    except _Replay as replay:
        link.used_at = None
        return replay.rating


@transaction.atomic
def answer_rating(
    *,
    rating: Rating,
    answers: Mapping[int, int | None],
    reasons: Sequence[str] = (),
    comment: str | None = None,
) -> Rating:
    """Attach the optional item answers, "why" chips and comment to a rating, replacing any given before.

    `answers` maps item ids of the rating's own questionnaire to a value 1..5, or None for "no opinion"; items
    left out stay unanswered. `reasons` are codes of active reason chips. `comment` (at most `COMMENT_MAX_LENGTH`
    characters; None keeps the one stored) is stored with personal data masked, so that no staff list ever shows
    it. Allowed within `ANSWER_WINDOW` of the rating. Replaying the same call gives the same state.
    """
    rating = Rating.objects.select_for_update().get(pk=rating.pk)
    if timezone.now() - rating.created_at > ANSWER_WINDOW:
        raise RatingClosed()
    item_ids = set(
        QuestionnaireItem.objects.filter(questionnaire_id=rating.questionnaire_id).values_list("pk", flat=True)
    )
    if not set(answers) <= item_ids:
        raise InvalidAnswer()
    for value in answers.values():
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5):
            raise InvalidAnswer()
    chips = list(selectors.active_reason_chips().filter(code__in=set(reasons)).values_list("code", flat=True))
    if len(chips) != len(set(reasons)):
        raise InvalidAnswer(_("Lý do đã chọn không hợp lệ."))

    rating.answers.all().delete()
    RatingAnswer.objects.bulk_create(
        RatingAnswer.for_rating(rating, item_id=item_id, value=value) for item_id, value in sorted(answers.items())
    )
    rating.reasons = chips
    if comment is not None:
        comment = " ".join(comment.split())
        if len(comment) > COMMENT_MAX_LENGTH:
            raise InvalidAnswer(_("Góp ý thêm tối đa %(count)d ký tự.") % {"count": COMMENT_MAX_LENGTH})
        rating.comment = mask_personal_data(comment)
    rating.save(update_fields=["reasons", "comment", "updated_at"])
    transaction.on_commit(partial(integrity.record_outcome, rating=rating))
    return rating


def _unused_code() -> str:
    while True:
        code = new_public_code()
        if not (Counter.objects.filter(code=code).exists() or RetiredCounterCode.objects.filter(code=code).exists()):
            return code


@transaction.atomic
def rotate_counter_code(*, counter: Counter, by: User | None) -> Counter:
    """Give the counter a new public code; the old one is retired and, when scanned, records nothing.

    Posters printed before must be replaced. Kiosk tokens and dossier links of the counter keep working.
    """
    counter = Counter.objects.select_for_update().get(pk=counter.pk)
    RetiredCounterCode.objects.create(code=counter.code, counter=counter, retired_by=by)
    old_code, counter.code = counter.code, _unused_code()
    counter.save(update_fields=["code"])
    record_audit(
        actor=by,
        action="counter.rotate_code",
        target=counter,
        changes={"code": {"before": old_code, "after": counter.code}},
    )
    return counter


@transaction.atomic
def mint_dossier_link(
    *, counter: Counter, dossier_code: str, expires_at: datetime.datetime | None = None
) -> DossierLink:
    """A single-use rating link for one dossier at one counter (printed on the receipt).

    A rating made through it is verified. One link per dossier: minting again raises `DossierCodeTaken`.
    """
    dossier_code = (dossier_code or "").strip()
    if not dossier_code or len(dossier_code) > 64:
        raise SurveyError(_("Mã hồ sơ phải có từ 1 đến 64 ký tự."))
    if expires_at is not None and expires_at <= timezone.now():
        raise SurveyError(_("Thời điểm hết hạn phải ở tương lai."))
    if not counter.is_active:
        raise CounterUnavailable()
    try:
        with transaction.atomic():
            return DossierLink.objects.create(counter=counter, dossier_code=dossier_code, expires_at=expires_at)
    except IntegrityError:
        raise DossierCodeTaken() from None


@transaction.atomic
def issue_kiosk_token(*, counter: Counter, by: User | None, label: str = "") -> KioskToken:
    """Enable the kiosk page for a tablet at this counter; its ratings carry the channel `kiosk`."""
    if not counter.is_active:
        raise CounterUnavailable()
    token = KioskToken.objects.create(counter=counter, created_by=by, label=(label or "").strip()[:120])
    # The token itself is a credential: the log names the token row and its counter, never its value.
    record_audit(
        actor=by, action="kiosk_token.issue", target=token, changes={"counter": counter.pk, "label": token.label}
    )
    return token


@transaction.atomic
def revoke_kiosk_token(*, token: KioskToken, by: User | None) -> KioskToken:
    """Switch a kiosk token off (a lost or replaced tablet): its page then answers 404."""
    token = KioskToken.objects.select_for_update().get(pk=token.pk)
    if token.is_active:
        token.is_active = False
        token.save(update_fields=["is_active"])
        record_audit(
            actor=by,
            action="kiosk_token.revoke",
            target=token,
            changes={"counter": token.counter_id, "is_active": {"before": True, "after": False}},
        )
    return token


ITEM_FIELDS = ("code", "element", "text", "text_en", "position")


@transaction.atomic
def revise_questionnaire(
    *,
    questionnaire: Questionnaire,
    items: Iterable[Mapping],
    name: str | None = None,
    name_en: str | None = None,
    unit: Unit | None | bool = False,
    is_active: bool | None = None,
) -> Questionnaire:
    """Change a questionnaire's items (and optionally its name, unit, active flag) and return the result.

    A questionnaire that ratings already use is frozen: the change creates the next version of the family (the
    old one becomes inactive and points to it), so old ratings keep the items they were answered with. An unused
    questionnaire is changed in place. `items` are mappings with code, element, text, text_en and position;
    `unit=False` keeps the current unit.
    """
    questionnaire = Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
    items = [{field: item.get(field, "") for field in ITEM_FIELDS} for item in items]
    header = {
        "name": questionnaire.name if name is None else name,
        "name_en": questionnaire.name_en if name_en is None else name_en,
        "unit": questionnaire.unit if unit is False else unit,
        "is_active": questionnaire.is_active if is_active is None else is_active,
    }
    if selectors.questionnaire_has_ratings(questionnaire):
        latest = Questionnaire.objects.filter(family=questionnaire.family).order_by("-version").first()
        target = Questionnaire.objects.create(family=questionnaire.family, version=latest.version + 1, **header)
        Questionnaire.objects.filter(family=questionnaire.family, superseded_by__isnull=True).exclude(
            pk=target.pk
        ).update(superseded_by=target, is_active=False)
    else:
        target = questionnaire
        for field, value in header.items():
            setattr(target, field, value)
        target.save()
        target.items.all().delete()
    QuestionnaireItem.objects.bulk_create(
        QuestionnaireItem(
            questionnaire=target, **{k: v for k, v in item.items() if k != "position"}, position=item["position"] or 0
        )
        for item in items
    )
    transaction.on_commit(selectors.forget_active_questionnaires)
    return target


@transaction.atomic
def request_poster_batch(*, unit: Unit, by: User | None) -> PosterBatch:
    """Queue the batch PDF of all active counters of a unit; the work runs in a Celery task."""
    from config.celery import enqueue_on_commit

    from .tasks import generate_poster_batch_task

    batch = PosterBatch.objects.create(unit=unit, requested_by=by, total=selectors.counters_of_unit(unit).count())
    enqueue_on_commit(generate_poster_batch_task, batch.pk)
    return batch


def generate_poster_batch(*, batch_id: int) -> PosterBatch:
    """Render every poster of the batch's unit into one PDF, recording progress after each page.

    Runs outside a transaction on purpose: each progress update (at most every `PROGRESS_INTERVAL` seconds) is
    committed so the staff page can show it.
    A failure marks the batch failed with the error and re-raises it.
    """
    batch = PosterBatch.objects.select_related("unit").get(pk=batch_id)
    if batch.status == PosterBatch.Status.DONE:
        return batch
    counters = list(selectors.counters_of_unit(batch.unit).select_related("unit"))
    PosterBatch.objects.filter(pk=batch.pk).update(status=PosterBatch.Status.RUNNING, total=len(counters), done=0)

    last_update = [time.monotonic()]

    def progress(done: int) -> None:
        # A few updates a second are enough for the progress bar; one per page was a commit per poster.
        if time.monotonic() - last_update[0] >= PROGRESS_INTERVAL or done == len(counters):
            PosterBatch.objects.filter(pk=batch.pk).update(done=done)
            last_update[0] = time.monotonic()

    try:
        pdf = qrcodes.poster_pdf(counters, on_page=progress)
        batch.refresh_from_db()
        batch.file.save(f"posters-{batch.unit.code}-{batch.pk}.pdf", ContentFile(pdf), save=False)
        batch.status = PosterBatch.Status.DONE
        batch.done = len(counters)
        batch.finished_at = timezone.now()
        batch.save(update_fields=["file", "status", "done", "finished_at"])
    except Exception as error:
        PosterBatch.objects.filter(pk=batch.pk).update(
            status=PosterBatch.Status.FAILED, error=str(error)[:2000], finished_at=timezone.now()
        )
        raise
    return batch
