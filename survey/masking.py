"""Masking personal data in citizens' free text before it is stored where staff read it.

Ratings are anonymous: a comment may still carry what identifies someone (an email address, a phone number, an
identity card or dossier number, any long run of digits). Each is replaced by a fixed mark, so that staff lists
and exports show the complaint without the person. Masking is deliberately greedy: a date or an amount written
with eight or more digits in a row is masked too, which costs little.
"""

import re

MASK = "[***]"

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# Eight or more digits, possibly broken by spaces, dots or dashes (0912 345 678, +84 912.345.678, 079123456789).
_DIGITS = re.compile(r"\+?\d(?:[\s.\-]?\d){7,}")


def mask_personal_data(text: str) -> str:
    """`text` with email addresses and long digit runs (phones, ID and account numbers) replaced by `MASK`."""
    text = _EMAIL.sub(MASK, text)
    return _DIGITS.sub(MASK, text)
