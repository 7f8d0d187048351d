"""Every response carries the Content-Security-Policy and the other security headers."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'self'; object-src 'none'"
)


@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/healthz", "/does-not-exist/", "/admin/login/"])
def test_every_response_has_the_content_security_policy(client, path):
    response = client.get(path)
    assert response["Content-Security-Policy"] == POLICY
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_admin_pages_carry_the_policy_unrelaxed(client, world):
    client.force_login(world.admin)
    response = client.get(reverse("admin:survey_unit_changelist"))
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == POLICY


def test_pages_have_no_inline_script_or_style(client, world):
    client.force_login(world.officer_a)
    for path in ["/", "/accounts/login/", "/does-not-exist/"]:
        html = client.get(path).content.decode()
        assert "<style" not in html
        assert ' style="' not in html
        assert "<script>" not in html
        assert " onclick=" not in html


def test_production_settings_redirect_to_https_but_not_the_health_check(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/").status_code == 301
    assert client.get("/").url.startswith("https://")
    assert client.get("/healthz").status_code == 200


def test_behind_a_proxy_a_forwarded_https_request_is_secure(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_HSTS_SECONDS = 31536000
    response = client.get("/", headers={"x-forwarded-proto": "https"})
    assert response.status_code == 200
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")
