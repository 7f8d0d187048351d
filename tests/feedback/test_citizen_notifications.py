"""Messages to citizens: the receipt at once, the published answer, the request to rate it, and resent codes, on
every channel that is on (the file outbox stands in for each channel here), in Vietnamese addressing "ông/bà",
short enough for one SMS; a failing SMS gateway (a real HTTP server started by the test) is retried, and the
failure is shown to staff, while the citizen is never kept waiting."""

import datetime
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.urls import reverse
from django.utils import timezone

from feedback import deliveries, services
from feedback.channels import SMS_MAX_CHARS
from feedback.models import Case, Delivery, Status
from feedback.services import ContactInput
from tests import factories

pytestmark = pytest.mark.django_db

TEXT = "Cán bộ yêu cầu nộp thêm 200.000 đồng không có biên lai."
HOST = "https://hailong.gialai.gov.vn"


@pytest.fixture
def outbox(settings, tmp_path):
    """Every channel writes to the file outbox; returns a function reading one channel's messages."""
    settings.NOTIFY_EMAIL_BACKEND = settings.NOTIFY_SMS_BACKEND = settings.NOTIFY_ZALO_BACKEND = "file"
    settings.NOTIFY_OUTBOX_DIR = str(tmp_path / "outbox")
    settings.PUBLIC_BASE_URL = HOST

    def read(channel: str) -> list[dict]:
        path = tmp_path / "outbox" / f"{channel}.jsonl"
        return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []

    return read


class Gateway:
    """A real SMS (or ZNS) gateway on 127.0.0.1: answers `failures` times with HTTP 503, then with 200."""

    def __init__(self, failures: int, success_body: bytes = b'{"status": "queued"}'):
        self.failures, self.requests = failures, []
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers["Content-Length"])
                headers = {name.lower(): value for name, value in self.headers.items()}
                gateway.requests.append({"headers": headers, "json": json.loads(self.rfile.read(length))})
                failed = len(gateway.requests) <= gateway.failures
                body = b'{"error": "busy"}' if failed else success_body
                self.send_response(503 if failed else 200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/sms"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def gateway_factory(settings):
    started = []

    def start(failures: int, **kwargs) -> Gateway:
        gateway = Gateway(failures, **kwargs)
        started.append(gateway)
        settings.NOTIFY_SMS_BACKEND = "http"
        settings.SMS_GATEWAY_URL = gateway.url
        settings.SMS_GATEWAY_TOKEN = "bi-mat-cua-nha-mang"
        settings.SMS_SENDER = "UBND-GIALAI"
        return gateway

    yield start
    for gateway in started:
        gateway.close()


def _file(client, world, **contact):
    data = {"unit": world.unit_a.pk, "category": "extra_fees", "text": TEXT, "consent_reply": "on", **contact}
    return client.post(reverse("feedback:case-create"), data)


def _sms_safe(text: str) -> bool:
    return len(text) <= SMS_MAX_CHARS and text.isascii()


def test_filing_with_email_and_phone_puts_a_receipt_in_each_channels_outbox(
    client, world, outbox, eager_celery, django_capture_on_commit_callbacks
):
    # when a citizen files a complaint with an email and a phone number, consenting to be answered
    with django_capture_on_commit_callbacks(execute=True):
        response = _file(client, world, email="dan@example.vn", phone="0912 345 678")

    # then the receipt with the tracking link is in the outbox of email, SMS and Zalo
    case = Case.objects.get()
    assert response.status_code == 302
    link = f"{HOST}/pakn/tra-cuu/{case.tracking_code}/"
    [email], [sms], [zalo] = outbox("email"), outbox("sms"), outbox("zalo")
    assert email["to"] == "dan@example.vn" and case.tracking_code in email["subject"]
    assert link in email["body"] and "ông/bà" in email["body"] and world.unit_a.name in email["body"]
    assert sms["to"] == zalo["to"] == "0912 345 678"
    assert link in sms["body"] and "ong/ba" in sms["body"] and _sms_safe(sms["body"]), sms["body"]
    assert link in zalo["body"] and "ông/bà" in zalo["body"]
    # and each message is recorded as sent, its address masked
    rows = Delivery.objects.filter(case=case, kind=Delivery.Kind.RECEIPT)
    assert sorted(rows.values_list("channel", "status", "recipient")) == [
        ("email", "sent", "d***@example.vn"),
        ("sms", "sent", "*********678"),
        ("zalo", "sent", "*********678"),
    ]


def test_no_message_without_the_consent_to_be_answered(client, world, outbox, eager_celery):
    data = {"unit": world.unit_a.pk, "category": "other", "text": TEXT, "consent_publish": "on"}
    assert client.post(reverse("feedback:case-create"), data).status_code == 302
    assert outbox("email") == outbox("sms") == [] and not Delivery.objects.exists()


def test_the_answer_then_a_request_to_rate_it_reach_the_citizen(
    world, outbox, eager_celery, django_capture_on_commit_callbacks
):
    # given a case filed with an email and a phone, answered through the approval workflow
    contact = ContactInput(email="dan@example.vn", phone="0912345678", consent_reply=True)
    case = factories.make_pakn_case(unit=world.unit_a, contact=contact)
    services.change_case_status(case=case, by=world.officer_a, to=Status.ACCEPTED)
    services.change_case_status(case=case, by=world.officer_a, to=Status.IN_PROGRESS)
    with django_capture_on_commit_callbacks(execute=True):
        factories.publish_pakn_answer(
            case, officer=world.officer_a, lead=world.lead_a, text="Đơn vị đã hoàn trả khoản tiền thu sai."
        )

    # then the answer goes by email in full and by SMS as a short notice with the link
    answer_email = outbox("email")[-1]
    assert "Đơn vị đã hoàn trả khoản tiền thu sai." in answer_email["body"]
    assert case.tracking_code in answer_email["body"]
    answer_sms = outbox("sms")[-1]
    assert case.tracking_code in answer_sms["body"] and _sms_safe(answer_sms["body"])

    # when the rating job runs before the answer is three days old, nothing more is sent
    assert services.request_ratings() == 0
    # and three days later the citizen is asked to rate it, once
    later = timezone.now() + datetime.timedelta(days=3, minutes=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.request_ratings(now=later) == 1
    assert services.request_ratings(now=later) == 0
    rate_email, rate_sms = outbox("email")[-1], outbox("sms")[-1]
    assert "Mời ông/bà đánh giá" in rate_email["subject"] and case.tracking_code in rate_email["body"]
    assert "Moi ong/ba danh gia" in rate_sms["body"] and _sms_safe(rate_sms["body"])
    kinds = Delivery.objects.filter(case=case, channel="sms").values_list("kind", flat=True)
    assert list(kinds) == ["receipt", "answer", "rate_request"]


def test_a_rated_answer_brings_no_request_to_rate(world, outbox, eager_celery):
    contact = ContactInput(email="dan@example.vn", consent_reply=True)
    case = factories.make_pakn_case(unit=world.unit_a, contact=contact)
    services.change_case_status(case=case, by=world.officer_a, to=Status.ACCEPTED)
    services.change_case_status(case=case, by=world.officer_a, to=Status.IN_PROGRESS)
    factories.publish_pakn_answer(case, officer=world.officer_a, lead=world.lead_a)
    services.rate_answer(case=case, satisfied=True)
    assert services.request_ratings(now=timezone.now() + datetime.timedelta(days=10)) == 0


def test_every_message_fits_one_sms_with_the_longest_tracking_link(world, outbox, settings):
    settings.PUBLIC_BASE_URL = "https://dichvucong-hailong.gialai.gov.vn"
    contact = ContactInput(phone="+84 912 345 678", consent_reply=True)
    case = factories.make_pakn_case(unit=world.unit_a, contact=contact)
    from feedback import notifications

    Case.objects.filter(pk=case.pk).update(status=Status.ANSWERED)
    case.refresh_from_db()
    notifications.queue_answer(case)
    notifications.queue_rate_request(case)
    notifications.queue_tracking_codes(contact="0912345678")
    bodies = list(Delivery.objects.filter(channel="sms").values_list("kind", "body"))
    assert [kind for kind, _body in bodies] == ["receipt", "answer", "rate_request", "tracking_code"]
    for kind, body in bodies:
        assert _sms_safe(body), (kind, len(body), body)
        assert case.tracking_code in body


def test_a_failing_gateway_never_blocks_the_citizen_is_retried_and_shown_to_staff(
    client, world, outbox, gateway_factory, eager_celery, django_capture_on_commit_callbacks
):
    # given an SMS gateway that fails once, then works
    gateway = gateway_factory(failures=1)

    # when a citizen files a complaint with a phone number
    with django_capture_on_commit_callbacks(execute=True):
        response = _file(client, world, phone="0912 345 678")

    # then the citizen gets the tracking page at once, and the failed send is kept for a retry, with its error
    assert response.status_code == 302
    case = Case.objects.get()
    delivery = Delivery.objects.get(case=case, channel="sms")
    assert (delivery.status, delivery.attempts) == ("pending", 1)
    assert "HTTP 503" in delivery.last_error
    # and the documented request reached the gateway
    request = gateway.requests[0]
    assert request["headers"]["authorization"] == "Bearer bi-mat-cua-nha-mang"
    assert request["json"] == {
        "to": "+84912345678",
        "text": request["json"]["text"],
        "sender": "UBND-GIALAI",
        "reference": str(delivery.pk),
    }
    assert case.tracking_code in request["json"]["text"] and _sms_safe(request["json"]["text"])

    # and the unit's officer sees the failing message on the case page
    client.force_login(world.officer_a)
    page = client.get(reverse("feedback:case-detail", args=[case.pk])).content.decode()
    assert "Đang gửi lại" in page and "HTTP 503" in page

    # when the periodic resend runs once the retry is due
    later = timezone.now() + datetime.timedelta(seconds=deliveries.retry_delay(1) + 61)
    assert deliveries.resend_due_deliveries(now=later) == 1

    # then the message is sent, with the same reference, and the failure no longer shows
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.recipient) == ("sent", 2, "*********678")
    assert [item["json"]["reference"] for item in gateway.requests] == [str(delivery.pk)] * 2
    page = client.get(reverse("feedback:case-detail", args=[case.pk])).content.decode()
    assert "Đang gửi lại" not in page


def test_a_message_that_keeps_failing_is_marked_failed_logged_and_shown(
    client, world, outbox, gateway_factory, eager_celery, settings, caplog
):
    settings.NOTIFY_MAX_ATTEMPTS = 2
    settings.NOTIFY_ZALO_BACKEND = "off"
    gateway_factory(failures=99)
    case = factories.make_pakn_case(unit=world.unit_a, contact=ContactInput(phone="0912345678", consent_reply=True))
    delivery = Delivery.objects.get(case=case, channel="sms")

    first = deliveries.attempt_delivery(delivery_id=delivery.pk)
    second = deliveries.attempt_delivery(delivery_id=delivery.pk)

    assert (first.status, second.status) == ("retry", "failed")
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.recipient) == ("failed", 2, "*******678")
    assert any(record.levelname == "ERROR" and "failed for good" in record.getMessage() for record in caplog.records)
    # shown on the case page and in the admin's list of deliveries
    client.force_login(world.officer_a)
    page = client.get(reverse("feedback:case-detail", args=[case.pk])).content.decode()
    assert "Gửi thất bại" in page and "Có tin không gửi được đến người dân" in page
    client.force_login(world.admin)
    admin_list = client.get(reverse("admin:feedback_delivery_changelist") + "?status__exact=failed").content.decode()
    assert "HTTP 503" in admin_list
    # and nothing sends it again
    assert deliveries.resend_due_deliveries(now=timezone.now() + datetime.timedelta(days=1)) == 0


def test_zalo_zns_gateway_success_is_its_json_error_code(world, outbox, settings, gateway_factory):
    gateway = gateway_factory(failures=0, success_body=b'{"error": -124, "message": "invalid access token"}')
    settings.NOTIFY_ZALO_BACKEND = "http"
    settings.ZNS_API_URL = gateway.url
    settings.ZNS_ACCESS_TOKEN = "zalo-token"
    settings.ZNS_TEMPLATE_ID = "227011"
    settings.NOTIFY_SMS_BACKEND = "off"
    case = factories.make_pakn_case(unit=world.unit_a, contact=ContactInput(phone="0912345678", consent_reply=True))
    delivery = Delivery.objects.get(case=case)

    assert deliveries.attempt_delivery(delivery_id=delivery.pk).status == "retry"
    delivery.refresh_from_db()
    assert "error -124" in delivery.last_error
    request = gateway.requests[0]
    assert request["headers"]["access_token"] == "zalo-token"
    assert request["json"]["phone"] == "84912345678" and request["json"]["template_id"] == "227011"
    assert request["json"]["tracking_id"] == str(delivery.pk)
    assert request["json"]["template_data"]["tracking_url"] == f"{HOST}/pakn/tra-cuu/{case.tracking_code}/"


def test_send_me_the_code_goes_only_to_the_contact_given_with_the_case(
    client, world, outbox, eager_celery, django_capture_on_commit_callbacks
):
    # given two citizens' cases
    mine = factories.make_pakn_case(
        unit=world.unit_a, contact=ContactInput(email="dan@example.vn", phone="0912 345 678", consent_reply=True)
    )
    other = factories.make_pakn_case(
        unit=world.unit_b, contact=ContactInput(email="khac@example.vn", consent_reply=True)
    )
    Delivery.objects.all().delete()
    url = reverse("feedback:case-code-request")

    # when the citizen asks by phone, typed another way
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"contact": "+84912345678"}, follow=True)

    # then the code goes to that phone only, and the page says the same as for an unknown contact
    assert response.status_code == 200
    said = "mã tra cứu sẽ được gửi đến đó trong ít phút"
    assert said in response.content.decode()
    [sms] = outbox("sms")
    assert sms["to"] == "+84912345678" and mine.tracking_code in sms["body"] and _sms_safe(sms["body"])
    assert outbox("email") == []

    # when someone asks for an address that filed nothing
    with django_capture_on_commit_callbacks(execute=True):
        unknown = client.post(url, {"contact": "nobody@example.vn"}, follow=True)
    assert unknown.status_code == 200 and said in unknown.content.decode()
    assert outbox("email") == []
    # and the other citizen's code was never sent anywhere
    assert not Delivery.objects.filter(body__contains=other.tracking_code).exists()


def test_send_me_the_code_is_rate_limited_per_client_and_per_contact(client, world, outbox, settings):
    settings.PAKN_CODE_REQUEST_LIMIT = 2
    url = reverse("feedback:case-code-request")
    for n in range(2):
        assert client.post(url, {"contact": f"nguoi{n}@example.vn"}, REMOTE_ADDR="198.51.100.9").status_code == 302
    refused = client.post(url, {"contact": "nguoi9@example.vn"}, REMOTE_ADDR="198.51.100.9")
    assert refused.status_code == 429 and refused["Retry-After"] == "3600"
    # the same contact from many addresses is limited too
    for n in range(2):
        assert client.post(url, {"contact": "0912345678"}, REMOTE_ADDR=f"203.0.113.{n}").status_code == 302
    assert client.post(url, {"contact": "0912.345.678"}, REMOTE_ADDR="203.0.113.77").status_code == 429


def test_send_me_the_code_refuses_what_is_neither_email_nor_phone(client, world):
    response = client.post(reverse("feedback:case-code-request"), {"contact": "abc"})
    assert response.status_code == 400
    assert "Hãy nhập một email hoặc số điện thoại hợp lệ." in response.content.decode()


def test_the_tracking_page_no_longer_calls_the_code_the_only_way(client, world):
    case = factories.make_pakn_case(unit=world.unit_a)
    page = client.get(reverse("feedback:case-track", args=[case.tracking_code])).content.decode()
    assert "cách duy nhất" not in page and "yêu cầu gửi lại" in page
    lookup = client.get(reverse("feedback:case-lookup")).content.decode()
    assert "Gửi mã cho tôi" in lookup


def test_erasing_the_contact_drops_waiting_messages_and_masks_every_address(world, outbox, gateway_factory):
    from feedback.retention import erase_case_contact

    gateway_factory(failures=99)
    contact = ContactInput(email="dan@example.vn", phone="0912345678", consent_reply=True)
    case = factories.make_pakn_case(unit=world.unit_a, contact=contact)
    deliveries.attempt_delivery(delivery_id=Delivery.objects.get(case=case, channel="email").pk)  # sent (file)
    deliveries.attempt_delivery(delivery_id=Delivery.objects.get(case=case, channel="sms").pk)  # failed once

    assert erase_case_contact(case=case)

    rows = dict(Delivery.objects.filter(case=case).values_list("channel", "status"))
    assert rows == {"email": "sent", "sms": "failed", "zalo": "failed"}
    recipients = set(Delivery.objects.filter(case=case).values_list("recipient", flat=True))
    assert recipients == {"d***@example.vn", "*******678"}
    assert deliveries.resend_due_deliveries(now=timezone.now() + datetime.timedelta(days=1)) == 0
