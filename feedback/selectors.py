"""Reusable reads over PAKN cases, for the pages of this app and for `indices`."""

import datetime
import hmac
from collections import defaultdict

from django.db.models import Count, F, Q
from django.utils import timezone

from .models import Case, CaseContact, Category, Status


def pakn_outcomes_by_unit(*, start: datetime.date, end: datetime.date) -> list[dict]:
    """PAKN outcomes per unit for the period `start`..`end` (both days included, local dates).

    Returns one dict per unit that has at least one non-zero count in the period, ordered by `unit_id`, with
    exactly these keys (all ints):

    - `unit_id`: the unit that holds the case now (a transferred case counts for the unit it went to);
    - `received`: cases created in the period;
    - `answer_due`: cases whose legal answer deadline (`Case.answer_due`) falls in the period, less the rejected
      (inadmissible) ones, which owe no answer;
    - `answered_on_time`: of those, the cases whose answer was first published on the tracking page on or before
      that deadline (`first_answered_at`: a draft awaiting approval or an approved answer not yet published does
      not count; a later answer after an appeal does not change this);
    - `rejected`: the rejected cases whose answer deadline falls in the period (counted on their own);
    - `rated`: answers rated by the citizen in the period (`citizen_rated_at`);
    - `rated_satisfied`: of those, the ones rated satisfied.

    Rates are left to the caller: on-time rate = answered_on_time / answer_due, answer satisfaction =
    rated_satisfied / rated; an empty denominator means "N/A".
    """
    keys = ("received", "answer_due", "answered_on_time", "rejected", "rated", "rated_satisfied")
    rows: dict[int, dict] = defaultdict(lambda: dict.fromkeys(keys, 0))

    received = (
        Case.objects.filter(created_at__date__gte=start, created_at__date__lte=end)
        .values("unit_id")
        .annotate(n=Count("pk"))
    )
    for row in received:
        rows[row["unit_id"]]["received"] = row["n"]

    due = (
        Case.objects.filter(answer_due__gte=start, answer_due__lte=end)
        .values("unit_id")
        .annotate(
            n=Count("pk", filter=~Q(status=Status.REJECTED)),
            on_time=Count("pk", filter=Q(first_answered_at__date__lte=F("answer_due")) & ~Q(status=Status.REJECTED)),
            rejected=Count("pk", filter=Q(status=Status.REJECTED)),
        )
    )
    for row in due:
        rows[row["unit_id"]]["answer_due"] = row["n"]
        rows[row["unit_id"]]["answered_on_time"] = row["on_time"]
        rows[row["unit_id"]]["rejected"] = row["rejected"]

    rated = (
        Case.objects.filter(citizen_rated_at__date__gte=start, citizen_rated_at__date__lte=end)
        .values("unit_id")
        .annotate(n=Count("pk"), satisfied=Count("pk", filter=Q(citizen_satisfied=True)))
    )
    for row in rated:
        rows[row["unit_id"]]["rated"] = row["n"]
        rows[row["unit_id"]]["rated_satisfied"] = row["satisfied"]

    return [{"unit_id": unit_id, **counts} for unit_id, counts in sorted(rows.items())]


def open_cases_overview() -> dict:
    """For the provincial overview: open cases per unit and category (with overdue and escalated counts)."""
    open_cases = Case.objects.open()
    today = timezone.localdate()
    per_unit = list(
        open_cases.values("unit_id", "unit__short_name")
        .annotate(
            total=Count("pk"),
            overdue=Count("pk", filter=Q(due_date__lt=today)),
            escalated=Count("pk", filter=Q(escalated_at__isnull=False)),
        )
        .order_by("-overdue", "-total", "unit__short_name")
    )
    per_category = [
        {"category": row["category"], "label": Category(row["category"]).label, "total": row["total"]}
        for row in open_cases.values("category").annotate(total=Count("pk")).order_by("-total", "category")
    ]
    return {"per_unit": per_unit, "per_category": per_category}


def _phone_digits(value: str) -> str:
    """A phone number as bare digits in the national form: "+84 912-345 678" and "0912345678" are equal."""
    digits = "".join(char for char in value if char.isdigit())
    if digits.startswith("84") and len(digits) >= 11:
        digits = "0" + digits[2:]
    return digits


def contact_matches(contact, given: str) -> bool:
    """Whether `given` (an email or a phone number, as the citizen types it) is the email or phone stored in the
    `CaseContact`. Emails compare without case; phones by their digits."""
    given = given.strip()
    if not given or contact is None:
        return False
    if "@" in given:
        stored = contact.email.strip().casefold()
        return bool(stored) and hmac.compare_digest(stored.encode(), given.casefold().encode())
    stored, typed = _phone_digits(contact.phone), _phone_digits(given)
    return len(typed) >= 8 and bool(stored) and hmac.compare_digest(stored.encode(), typed.encode())


def case_for_data_request(*, code: str, contact: str) -> Case | None:
    """The case with this tracking code whose stored contact matches `contact`; None for any other pair (no such
    code, no contact stored, or another contact), so that callers answer every miss the same way."""
    code = "".join(code.split()).lower()
    if not code or len(code) > 64:
        return None
    case = Case.objects.select_related("contact").filter(tracking_code=code).first()
    if case is None:
        return None
    # A case without contact details raises RelatedObjectDoesNotExist, an AttributeError: getattr gives None.
    return case if contact_matches(getattr(case, "contact", None), contact) else None


# How alike two texts must be (difflib's ratio over normalised words) to call a case a likely duplicate.
DUPLICATE_SIMILARITY = 0.8
DUPLICATE_WINDOW = datetime.timedelta(days=1)


def _words(text: str) -> str:
    return " ".join(text.casefold().split())


RESUBMIT_WINDOW = datetime.timedelta(minutes=30)


def resubmitted_case(*, unit_id: int, text: str, device_hash: str) -> Case | None:
    """The case this device filed at this unit with exactly this text (spaces and case aside) in the last 30
    minutes: the same form sent again after "back" by a browser that rendered the form afresh (with a new one-time
    key). None without a device cookie."""
    if not device_hash:
        return None
    recent = Case.objects.filter(
        unit_id=unit_id, device_hash=device_hash, created_at__gte=timezone.now() - RESUBMIT_WINDOW
    ).order_by("created_at")
    mine = _words(text)
    return next((case for case in recent[:20] if _words(case.text) == mine), None)


def likely_duplicate(
    *, unit_id: int, text: str, device_hash: str = "", email: str = "", phone: str = "", exclude_pk=None
) -> Case | None:
    """The latest case of the last day at the same unit, from the same device or the same email or phone, whose
    text is the same or nearly (`DUPLICATE_SIMILARITY`); None when there is none. The same device or contact is
    required: two citizens who suffered the same thing at the same counter both deserve a case."""
    from difflib import SequenceMatcher

    from .channels import normalise_phone

    since = timezone.now() - DUPLICATE_WINDOW
    same_origin = Q(pk__in=[])
    if device_hash:
        same_origin |= Q(device_hash=device_hash)
    if email:
        same_origin |= Q(contact__email__iexact=email.strip())
    candidates = Case.objects.filter(unit_id=unit_id, created_at__gte=since).exclude(pk=exclude_pk)
    found = list(candidates.filter(same_origin).order_by("-created_at")[:20])
    if phone and len(normalise_phone(phone)) >= 8:
        wanted = normalise_phone(phone)
        contacts = CaseContact.objects.filter(case__in=candidates).exclude(phone="").select_related("case")
        found += [item.case for item in contacts if normalise_phone(item.phone) == wanted]
    mine = _words(text)
    for case in sorted(found, key=lambda item: item.created_at, reverse=True):
        if SequenceMatcher(None, mine, _words(case.text)).ratio() >= DUPLICATE_SIMILARITY:
            return case
    return None
