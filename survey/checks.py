"""Deployment checks (`manage.py check --deploy`) for mistakes that Django's own checks cannot see.

- `hailong.E001` (error): `PUBLIC_BASE_URL` left at a loopback address. It is printed under every QR code and in
  every e-mail: posters printed with it send citizens nowhere.
- `hailong.W001` (warning): `PUBLIC_BASE_URL` over plain http. Citizens are told to check the printed address
  against a fake sticker; it should be the https one.
- `hailong.W002` (warning): proxy mode (`DJANGO_BEHIND_PROXY`) with `DJANGO_TRUSTED_PROXY_COUNT` at 0. Every request
  then comes from the proxy's address, so per-address throttles and lockouts treat all citizens as one client.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "0.0.0.0", "::1", ""}


@register(Tags.security, deploy=True)
def check_public_base_url(app_configs=None, **kwargs) -> list:
    url = urlsplit(getattr(settings, "PUBLIC_BASE_URL", ""))
    if (url.hostname or "") in LOOPBACK_HOSTS or url.hostname.startswith("127."):
        return [
            Error(
                f"PUBLIC_BASE_URL is {settings.PUBLIC_BASE_URL!r}: QR posters and e-mails would send citizens to "
                "this machine's loopback address.",
                hint="Set PUBLIC_BASE_URL to the official address, e.g. https://hailong.example.gov.vn.",
                id="hailong.E001",
            )
        ]
    if url.scheme != "https":
        return [
            Warning(
                f"PUBLIC_BASE_URL {settings.PUBLIC_BASE_URL!r} is not https: it is printed on QR posters as the "
                "address citizens should trust.",
                hint="Use the https address of the site.",
                id="hailong.W001",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def check_trusted_proxies(app_configs=None, **kwargs) -> list:
    if getattr(settings, "BEHIND_PROXY", False) and int(getattr(settings, "TRUSTED_PROXY_COUNT", 0)) < 1:
        return [
            Warning(
                "DJANGO_BEHIND_PROXY is on but DJANGO_TRUSTED_PROXY_COUNT is 0: every request appears to come from "
                "the proxy, so one citizen's throttle or lockout hits everyone.",
                hint="Set DJANGO_TRUSTED_PROXY_COUNT to the number of proxies that append to X-Forwarded-For "
                "(usually 1).",
                id="hailong.W002",
            )
        ]
    return []
