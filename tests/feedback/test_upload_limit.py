"""Oversized uploads are refused from their declared size, before the body is read: by the server from the
Content-Length header, and by the citizen's browser before the file is sent."""

import socket
import time
from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from feedback.models import Case

pytestmark = pytest.mark.django_db(transaction=True)

TWENTY_MB = 20 * 1024 * 1024


def _read_response_head(sock: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    return data


def test_a_20_mb_content_length_with_a_small_body_is_refused_at_once(live_server):
    # given a client that announces 20 MB but sends only a few bytes and then waits
    url = urlsplit(live_server.url)
    started = time.monotonic()
    with socket.create_connection((url.hostname, url.port), timeout=10) as sock:
        sock.sendall(
            (
                f"POST {reverse('feedback:case-create')} HTTP/1.1\r\nHost: localhost\r\n"
                "Content-Type: multipart/form-data; boundary=xyz\r\n"
                f"Content-Length: {TWENTY_MB}\r\nAccept-Language: vi\r\n\r\n--xyz\r\n"
            ).encode()
        )
        # when the server answers (a server that waited for the body would time out here)
        head = _read_response_head(sock)
    # then it refused the body at once, in Vietnamese, without storing anything
    assert head.split(b"\r\n", 1)[0].split()[1] == b"413", head[:200]
    assert time.monotonic() - started < 5
    assert Case.objects.count() == 0


def test_the_refusal_page_says_why_and_offers_the_form_again(client):
    response = client.post(
        reverse("feedback:case-create"),
        data=b"--xyz\r\n",
        content_type="multipart/form-data; boundary=xyz",
        CONTENT_LENGTH=str(TWENTY_MB),
        HTTP_ACCEPT_LANGUAGE="vi",
    )
    assert response.status_code == 413
    page = response.content.decode()
    assert "quá lớn" in page and "16 MB" in page and reverse("feedback:case-create") in page


def test_the_api_refuses_with_its_json_shape(client):
    response = client.post(
        "/api/v1/feedback/cases/", data=b"{}", content_type="application/json", CONTENT_LENGTH=str(TWENTY_MB)
    )
    assert response.status_code == 413 and "MB" in response.json()["detail"]


def test_a_body_within_the_limit_goes_through(client, world):
    response = client.post(reverse("feedback:case-create"), {"unit": world.unit_a.pk, "text": "ngắn"})
    assert response.status_code == 400  # the form's own checks, not the size guard


def test_the_limit_follows_the_settings(client, settings):
    settings.REQUEST_BODY_MAX_BYTES = 1000
    response = client.post(reverse("feedback:case-lookup"), {"code": "x" * 2000})
    assert response.status_code == 413
