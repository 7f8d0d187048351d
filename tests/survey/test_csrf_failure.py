"""The page a citizen sees when a form's CSRF check fails (a page left open too long, cookies blocked)."""

import uuid

import pytest
from django.test import Client

from survey.models import Rating

pytestmark = pytest.mark.django_db


@pytest.fixture
def strict_client() -> Client:
    return Client(enforce_csrf_checks=True)


def _stale_tap(client: Client, counter, **extra):
    # The page was opened in another session: its token does not match (here, there is no cookie at all).
    data = {"score": "5", "key": str(uuid.uuid4()), "csrfmiddlewaretoken": "x" * 64}
    return client.post(f"/r/{counter.code}", data, **extra)


def test_a_stale_rating_form_gets_a_friendly_vietnamese_page_and_stores_nothing(strict_client, world, settings):
    settings.DEBUG = False
    referer = f"http://testserver/r/{world.counter_a.code}"

    response = _stale_tap(strict_client, world.counter_a, HTTP_REFERER=referer)

    assert response.status_code == 403
    html = response.content.decode()
    assert "<h1>Phiên làm việc đã hết hạn</h1>" in html
    assert 'lang="vi"' in html and 'class="site-header"' in html
    assert f'href="{referer}"' in html and "Quay lại trang trước" in html
    assert "CSRF" not in html and "Referer" not in html
    assert response["Content-Security-Policy"].startswith("default-src 'self'")
    assert Rating.objects.count() == 0


def test_a_referer_from_another_site_is_not_offered_as_the_way_back(strict_client, world):
    response = _stale_tap(strict_client, world.counter_a, HTTP_REFERER="https://evil.example/r/abc")
    assert response.status_code == 403
    html = response.content.decode()
    assert "evil.example" not in html and "Quay lại trang trước" not in html
    assert "Về trang chủ" in html


def test_the_page_follows_the_language_choice(strict_client, world):
    strict_client.cookies["django_language"] = "en"
    response = _stale_tap(strict_client, world.counter_a)
    assert response.status_code == 403
    assert '<html lang="en">' in response.content.decode()


def test_the_setting_points_at_the_friendly_view(settings):
    from django.middleware.csrf import _get_failure_view

    from survey.views import csrf_failure

    assert settings.CSRF_FAILURE_VIEW == "survey.views.csrf_failure"
    assert _get_failure_view() is csrf_failure
