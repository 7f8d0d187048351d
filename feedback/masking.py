"""Masking of personal data that citizens type into free text (a complaint, the information they add, an appeal).

Contact details belong in the contact fields, behind consent; people still write "gọi cho tôi 0912 345 678" into
the complaint itself. `mask_personal_data` replaces what looks like contact data or an identity number with
`MASK`, so that erasure can keep the unit's record (the case and its text) without the person, and public pages can
show a citizen's words without their phone number. It is pure (no database, no settings), and deliberately
over-masks rather than under-masks: a masked dossier number costs less than a published phone number.

What it masks:
- e-mail addresses;
- Vietnamese phone numbers: a leading 0, 84 or +84 followed by 8 to 10 more digits (mobiles, landlines with their
  area code, hotlines), grouped by single spaces, dots or dashes as people write them ("0912.345.678",
  "+84 912 345 678", "(028) 3829 1234");
- citizen identity numbers: 12 digits (CCCD) and 9 digits (the older CMND) written as one run;
- any extra literal strings given in `also` (for erasure: the name the citizen gave in the contact form), ignoring
  case but not accents.

Amounts of money ("1.500.000 đồng"), dates and times are left alone: they do not start with 0 or have 9 or 12
digits in one run.
"""

import re
from collections.abc import Iterable

MASK = "***"

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# A phone number: an optional "+", then 0 / 84, then digits in groups joined by at most one separator (a space, a
# dot or a dash; a closing bracket after the area code), 9 to 12 digits in all, not glued to other digits (but
# possibly to letters: "sdt0912345678").
_PHONE = re.compile(
    r"(?<![\d+])(?:\+\s?84|\(?\+?84\)?|\(?0)(?:[\s.\-)]{0,2}\d){8,11}(?!\d)",
    re.UNICODE,
)
_ID_NUMBER = re.compile(r"(?<!\d)(?:\d{12}|\d{9})(?!\d)")


def _digits(text: str) -> int:
    return sum(character.isdigit() for character in text)


def _is_phone_number(found: str) -> bool:
    # "+84 912 345 678" has 11 digits, "0912345678" 10, "02838291234" 11; fewer than 9 is not a phone number.
    return 9 <= _digits(found) <= 12


def mask_personal_data(text: str, *, also: Iterable[str] = (), mask: str = MASK) -> str:
    """`text` with e-mail addresses, phone numbers, identity numbers and each non-empty string of `also` replaced
    by `mask` (see the module docstring for what is recognised). Returns `text` unchanged when nothing matched;
    an empty or None text gives "" ."""
    if not text:
        return ""
    masked = _EMAIL.sub(mask, text)
    masked = _PHONE.sub(lambda match: mask if _is_phone_number(match.group(0)) else match.group(0), masked)
    masked = _ID_NUMBER.sub(mask, masked)
    for extra in sorted({value.strip() for value in also if value and value.strip()}, key=len, reverse=True):
        # Short fragments ("A") would mask half the text: a name worth masking has at least 3 characters.
        if len(extra) >= 3:
            masked = re.sub(re.escape(extra), mask, masked, flags=re.IGNORECASE)
    return masked


def contains_personal_data(text: str, *, also: Iterable[str] = ()) -> bool:
    """Whether `mask_personal_data` would change `text`."""
    return bool(text) and mask_personal_data(text, also=also) != text
