"""Friendly error pages in the site's style, in Vietnamese, with DEBUG off."""

import pytest
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import HttpResponse
from django.shortcuts import render
from django.test import Client
from django.urls import path

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.test_error_pages")]


def _bad_request(request):
    raise SuspiciousOperation("tampered input")


def _forbidden(request):
    raise PermissionDenied


def _too_many(request):
    return render(request, "429.html", {"retry_after_minutes": 3}, status=429)


def _crash(request):
    raise RuntimeError("boom")


def _form(request) -> HttpResponse:
    return HttpResponse("ok")


# The project's URLs plus a few that fail on purpose; Django's default handlers render the templates.
from config.urls import urlpatterns as _project  # noqa: E402

urlpatterns = [
    path("test-errors/400/", _bad_request),
    path("test-errors/403/", _forbidden),
    path("test-errors/429/", _too_many),
    path("test-errors/500/", _crash),
    path("test-errors/post/", _form),
    *_project,
]


@pytest.fixture(autouse=True)
def _production(settings):
    settings.DEBUG = False


@pytest.mark.parametrize(
    ("url", "status", "heading"),
    [
        ("/test-errors/400/", 400, "Yêu cầu không hợp lệ"),
        ("/test-errors/403/", 403, "Không có quyền truy cập"),
        ("/khong-co-trang-nay/", 404, "Không tìm thấy trang"),
        ("/test-errors/429/", 429, "Quá nhiều yêu cầu"),
    ],
)
def test_error_pages_are_friendly_and_in_the_site_style(client, url, status, heading):
    response = client.get(url)
    assert response.status_code == status
    html = response.content.decode()
    assert f"<h1>{heading}</h1>" in html
    assert 'class="site-header"' in html and "css/site.css" in html
    assert "Về trang chủ" in html
    assert "Traceback" not in html and "tampered input" not in html
    assert response["Content-Security-Policy"].startswith("default-src 'self'")


def test_the_429_page_says_how_long_to_wait(client):
    assert "Ông/bà có thể thử lại sau 3 phút." in client.get("/test-errors/429/").content.decode()


def test_the_500_page_needs_no_request_context(db):
    client = Client(raise_request_exception=False)
    response = client.get("/test-errors/500/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "<h1>Hệ thống đang gặp sự cố</h1>" in html
    assert "boom" not in html and "RuntimeError" not in html


def test_a_csrf_failure_shows_the_friendly_page(db):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/test-errors/post/", {})
    assert response.status_code == 403
    assert "<h1>Phiên làm việc đã hết hạn</h1>" in response.content.decode()


def test_error_pages_follow_the_language_choice(client):
    client.cookies["django_language"] = "en"
    response = client.get("/khong-co-trang-nay/")
    assert response.status_code == 404
    assert '<html lang="en">' in response.content.decode()
