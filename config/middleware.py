"""Site-wide middleware that Django 5.2 does not ship."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


class ContentSecurityPolicyMiddleware:
    """Sends `settings.CONTENT_SECURITY_POLICY` on every response that does not set its own policy.

    The policy is read at call time, so tests may override it. A view that truly needs another policy sets the
    header itself; none does today (the admin and the API documentation work under the site's policy).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        policy = getattr(settings, "CONTENT_SECURITY_POLICY", "")
        if policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = policy
        return response
