"""Retries in a real Celery worker: the SMS gateway (a real HTTP server started by the test) fails twice, the
worker retries the task after the delays the delivery service chose, and the third attempt sends the receipt.
Needs the Redis broker (REDIS_URL); the embedded default runs Celery eagerly, where the periodic resend retries."""

import os
import time

import pytest
from django.conf import settings as django_settings

from feedback import services
from feedback.models import Delivery
from feedback.services import ContactInput
from tests.feedback.test_citizen_notifications import Gateway

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs the Redis broker for a real Celery worker"),
]


def _wait_for(condition, seconds: float):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(0.2)
    return condition()


def test_the_worker_retries_a_failing_gateway_until_it_sends(world, settings):
    from celery.contrib.testing.worker import start_worker

    from config.celery import app

    # given an SMS gateway that fails twice, then works, and quick retries
    gateway = Gateway(failures=2)
    settings.NOTIFY_SMS_BACKEND = "http"
    settings.SMS_GATEWAY_URL = gateway.url
    settings.NOTIFY_EMAIL_BACKEND = settings.NOTIFY_ZALO_BACKEND = "off"
    settings.NOTIFY_RETRY_SECONDS = 1
    assert not app.conf.task_always_eager and django_settings.CELERY_BROKER_URL.startswith("redis://")
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            # when a citizen files a complaint with a phone number (committed: the task goes to the broker)
            case = services.submit_case(
                unit=world.unit_a,
                category="extra_fees",
                text="Cán bộ đòi thêm tiền ngoài quy định.",
                contact=ContactInput(phone="0912345678", consent_reply=True),
            )
            delivery = Delivery.objects.get(case=case, channel="sms")

            # then the worker tries, fails twice (each failure recorded), and sends it on the third attempt
            sent = _wait_for(lambda: Delivery.objects.filter(pk=delivery.pk, status="sent").first(), 40)
    finally:
        gateway.close()
    assert sent is not None, Delivery.objects.get(pk=delivery.pk).last_error
    assert sent.attempts == 3 and "HTTP 503" in sent.last_error
    assert len(gateway.requests) == 3
    assert case.tracking_code in gateway.requests[-1]["json"]["text"]
