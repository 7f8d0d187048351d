"""The notification channels (email, SMS, Zalo ZNS) and their backends, chosen in settings at call time.

Every message to a citizen or to staff leaves through `send(message)`. Each channel has one backend, named in
`NOTIFY_EMAIL_BACKEND`, `NOTIFY_SMS_BACKEND` and `NOTIFY_ZALO_BACKEND`:

- `mail` (email only, the email default): Django's mail framework, so `DJANGO_EMAIL_BACKEND` decides (the console
  by default, SMTP with `EMAIL_HOST`... in production);
- `console` (the SMS default): the message is written to standard output;
- `file`: the message is appended as one JSON line to `<NOTIFY_OUTBOX_DIR>/<channel>.jsonl` (no server needed;
  tests read it);
- `http`: an HTTP gateway. SMS: `POST SMS_GATEWAY_URL` with a JSON body `{"to": "+84912345678", "text": "...",
  "sender": SMS_SENDER, "reference": "<delivery id>"}` and `Authorization: Bearer SMS_GATEWAY_TOKEN`; any 2xx
  answer is success. Zalo: the ZNS template API, `POST ZNS_API_URL` with the header `access_token: ZNS_ACCESS_TOKEN`
  and `{"phone": "84912345678", "template_id": ZNS_TEMPLATE_ID, "template_data": {"message": "...",
  "tracking_url": "..."}, "tracking_id": "<delivery id>"}`; success is a 2xx answer whose JSON `error` is 0;
- `off`: the channel is not used (the Zalo default): no message is made for it.

A backend that cannot send raises `DeliveryError`; retrying is the caller's business (`feedback.deliveries`).
"""

import json
import sys
import unicodedata
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.utils import timezone

EMAIL, SMS, ZALO = "email", "sms", "zalo"
DEFAULT_BACKENDS = {EMAIL: "mail", SMS: "console", ZALO: "off"}
# One SMS: 160 characters of the GSM 7-bit alphabet. Vietnamese letters with diacritics would force UCS-2 (70
# characters), so SMS text is sent without diacritics, as Vietnamese SMS brandname messages usually are.
SMS_MAX_CHARS = 160


class DeliveryError(Exception):
    """The backend could not hand the message over; the message says why (never personal data)."""


@dataclass(frozen=True)
class Message:
    channel: str
    to: str
    body: str
    subject: str = ""
    html_body: str = ""
    reference: str = ""
    extra: dict = field(default_factory=dict)


def backend_name(channel: str) -> str:
    return (getattr(settings, f"NOTIFY_{channel.upper()}_BACKEND", "") or DEFAULT_BACKENDS[channel]).strip().lower()


def is_enabled(channel: str) -> bool:
    return backend_name(channel) != "off"


def send(message: Message) -> None:
    """Send `message` with its channel's backend; raises DeliveryError when it cannot be sent."""
    name = backend_name(message.channel)
    backends = {"console": _console, "file": _file, "mail": _mail, "smtp": _mail, "http": _http}
    if name == "off":
        return
    if name not in backends or (name in ("mail", "smtp") and message.channel != EMAIL):
        raise DeliveryError(f"unknown backend {name!r} for channel {message.channel}")
    backends[name](message)


def sms_text(text: str) -> str:
    """`text` without Vietnamese diacritics (đ becomes d), on one line: what fits the GSM alphabet of one SMS."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(plain.split())


def normalise_phone(phone: str) -> str:
    """A Vietnamese number in international form without "+": "0912 345 678" -> "84912345678"."""
    digits = "".join(char for char in phone if char.isdigit())
    if phone.strip().startswith("+"):
        return digits
    if digits.startswith("0"):
        return "84" + digits[1:]
    return digits


def _console(message: Message) -> None:
    stream = sys.stdout
    stream.write(f"[{message.channel}] to {message.to}: {message.subject}\n{message.body}\n\n")
    stream.flush()


def _file(message: Message) -> None:
    directory = Path(getattr(settings, "NOTIFY_OUTBOX_DIR", "var/outbox"))
    directory.mkdir(parents=True, exist_ok=True)
    line = json.dumps(
        {
            "at": timezone.now().isoformat(),
            "to": message.to,
            "subject": message.subject,
            "body": message.body,
            "reference": message.reference,
        },
        ensure_ascii=False,
    )
    with (directory / f"{message.channel}.jsonl").open("a", encoding="utf-8") as outbox:
        outbox.write(line + "\n")


def _mail(message: Message) -> None:
    email = EmailMultiAlternatives(message.subject, message.body, settings.DEFAULT_FROM_EMAIL, [message.to])
    if message.html_body:
        email.attach_alternative(message.html_body, "text/html")
    try:
        email.send()
    except OSError as error:  # smtplib's errors are OSErrors
        raise DeliveryError(f"mail: {type(error).__name__}: {error}") from error


def _http(message: Message) -> None:
    if message.channel == SMS:
        url = getattr(settings, "SMS_GATEWAY_URL", "")
        headers = {"Authorization": f"Bearer {getattr(settings, 'SMS_GATEWAY_TOKEN', '')}"}
        payload = {
            "to": "+" + normalise_phone(message.to),
            "text": message.body,
            "sender": getattr(settings, "SMS_SENDER", ""),
            "reference": message.reference,
        }
    elif message.channel == ZALO:
        url = getattr(settings, "ZNS_API_URL", "")
        headers = {"access_token": getattr(settings, "ZNS_ACCESS_TOKEN", "")}
        payload = {
            "phone": normalise_phone(message.to),
            "template_id": getattr(settings, "ZNS_TEMPLATE_ID", ""),
            "template_data": {"message": message.body, **message.extra},
            "tracking_id": message.reference,
        }
    else:
        raise DeliveryError(f"no HTTP backend for channel {message.channel}")
    if not url:
        raise DeliveryError(f"{message.channel}: no gateway URL configured")
    request = urllib.request.Request(
        url,
        data=json.dumps(payload, ensure_ascii=False).encode(),
        headers={"Content-Type": "application/json; charset=utf-8", **headers},
        method="POST",
    )
    timeout = float(getattr(settings, "NOTIFY_HTTP_TIMEOUT", 5))
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (URL from settings)
            body = response.read(2000)
    except urllib.error.HTTPError as error:
        raise DeliveryError(f"{message.channel} gateway answered HTTP {error.code}") from error
    except (urllib.error.URLError, OSError) as error:
        raise DeliveryError(f"{message.channel} gateway unreachable: {error}") from error
    if message.channel == ZALO:
        try:
            answer = json.loads(body or b"{}")
        except ValueError:
            answer = {"error": "not JSON"}
        if answer.get("error", 0) != 0:
            raise DeliveryError(f"zalo: error {answer.get('error')}: {str(answer.get('message', ''))[:200]}")
