"""Personal data is not kept where it does not need to be: staff pages and personal API answers are never cached,
the access log hashes client addresses, and the health probe uses a key of its own."""

import datetime

import pytest
from django.core.cache import cache
from django.urls import reverse
from gunicorn.config import Config
from rest_framework.test import APIClient

from config.access_log import PrivateAccessLogger, hash_address
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    ["/pakn/hop-thu/", "/quay/", "/chi-so/", "/bao-cao/cchc/", "/", "/api/v1/feedback/", "/api/v1/units/"],
)
def test_every_answer_to_signed_in_staff_is_no_store(client, world, url):
    client.force_login(world.province)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"


def test_api_answers_to_a_non_session_caller_are_no_store(world):
    # DRF authenticates in the view (a token, whatever its kind): the middleware sees the caller afterwards.
    api = APIClient()
    api.force_authenticate(user=world.province)
    case = factories.make_pakn_case(unit=world.unit_a)
    response = api.get(f"/api/v1/feedback/{case.pk}/")
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"


def test_the_citizen_tracking_api_is_no_store_and_public_pages_are_not_forced(client, world):
    case = factories.make_pakn_case(unit=world.unit_a)
    tracked = client.get(f"/api/v1/feedback/track/{case.tracking_code}/")
    assert tracked.status_code == 200
    assert tracked["Cache-Control"] == "private, no-store"
    assert "no-store" not in client.get("/chi-so/").get("Cache-Control", "")


class _Response:
    status = "200 OK"
    sent = 512
    headers = ()


def test_the_access_log_hashes_client_addresses():
    logger = PrivateAccessLogger(Config())
    environ = {
        "REMOTE_ADDR": "203.0.113.9",
        "REQUEST_METHOD": "GET",
        "RAW_URI": "/pakn/tra-cuu/abcdefghjkmnpqrs/",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "PATH_INFO": "/pakn/tra-cuu/abcdefghjkmnpqrs/",
        "QUERY_STRING": "",
    }
    request_headers = [("X-FORWARDED-FOR", "198.51.100.4, 10.0.0.1")]

    atoms = logger.atoms(_Response(), request_headers, environ, datetime.timedelta(milliseconds=12))

    assert atoms["h"] == hash_address("203.0.113.9") != "203.0.113.9"
    assert atoms["{x-forwarded-for}i"].startswith("ip:")
    assert "203.0.113.9" not in str(atoms) and "198.51.100.4" not in str(atoms)
    assert hash_address("203.0.113.9") == hash_address("203.0.113.9") != hash_address("203.0.113.10")


def test_the_health_probe_uses_a_key_of_its_own_and_leaves_nothing(client):
    response = client.get(reverse("healthz"))
    assert response.json()["cache"] == "ok"
    assert cache.get("healthz:probe") is None
