"""Masking of personal data in text that is published: phone numbers and email addresses typed into a complaint
or an answer, and the contact details the citizen gave with the case wherever they appear.

Masking errs on the side of hiding: any run of 8 or more digits (spaces, dots and dashes allowed between them,
an optional leading +) is taken for a phone number, which also hides identity card and account numbers.
"""

import re

MASK = "[…]"
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# 8 to 15 digits, optionally grouped by spaces, dots, dashes or brackets, optionally after + (international form).
PHONE = re.compile(r"(?<![\w])\+?\(?\d(?:[\s.\-()]*\d){7,14}(?![\w])")


def mask_personal_data(text: str, *, known: tuple[str, ...] = ()) -> str:
    """`text` with emails, phone numbers and each of the `known` strings (the citizen's name, email, phone) replaced
    by MASK. Known strings are matched without regard to case."""
    for value in sorted((k.strip() for k in known if k and k.strip()), key=len, reverse=True):
        if len(value) >= 3:
            text = re.sub(re.escape(value), MASK, text, flags=re.IGNORECASE)
    text = EMAIL.sub(MASK, text)
    return PHONE.sub(MASK, text)
