"""Site-wide middleware that Django 5.2 does not ship."""

import logging
import re
from collections.abc import Callable

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext

logger = logging.getLogger(__name__)


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


class DatabaseUnavailableMiddleware:
    """Answers 503 with `Retry-After` when the database cannot be reached (restart, failover, killed connection).

    The citizen pages are safe to retry (every rating carries its idempotency key), so "try again in a moment" is
    the honest answer, not a 500. The error is still logged. The page is rendered without a request context: the
    context processors would query the database (the session, the user). API clients get the usual JSON shape.
    """

    RETRY_AFTER_SECONDS = 5

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.error("Database unavailable: answering 503 to %s %s", request.method, request.path, exc_info=True)
        if request.path.startswith("/api/"):
            response = JsonResponse(
                {"detail": gettext("Hệ thống đang tạm gián đoạn. Vui lòng thử lại sau ít giây."), "errors": {}},
                status=503,
            )
        else:
            response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = str(self.RETRY_AFTER_SECONDS)
        return response


def max_request_body_bytes() -> int:
    """The largest request body any form accepts: `REQUEST_BODY_MAX_BYTES`, by default every attachment a
    complaint may carry at its largest plus 1 MB for the text fields and the multipart framing."""
    configured = getattr(settings, "REQUEST_BODY_MAX_BYTES", None)
    if configured:
        return int(configured)
    files = int(getattr(settings, "PAKN_MAX_ATTACHMENTS", 3))
    size = int(getattr(settings, "PAKN_MAX_ATTACHMENT_BYTES", 5 * 1024 * 1024))
    return files * size + 1024 * 1024


class RequestBodyLimitMiddleware:
    """Refuses a request whose declared `Content-Length` is over `max_request_body_bytes()` with 413, before
    anything reads the body: a 20 MB upload is turned away at its headers, not after it has been received in full.

    It sits before the CSRF middleware, which would read the form. The citizen's browser refuses an oversized file
    before sending it (static/js/upload_limit.js); this is the server's own guard, for clients without JavaScript.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        limit = max_request_body_bytes()
        if declared <= limit:
            return self.get_response(request)
        logger.warning("Refused a %d-byte body for %s %s (limit %d)", declared, request.method, request.path, limit)
        megabytes = max(1, limit // (1024 * 1024))
        if request.path.startswith("/api/"):
            message = gettext("Dữ liệu gửi lên quá lớn (tối đa %(size)d MB).") % {"size": megabytes}
            response = JsonResponse({"detail": message, "errors": {}}, status=413)
        else:
            response = HttpResponse(
                render_to_string("413.html", {"limit_mb": megabytes, "referer": _same_site_referer(request)}),
                status=413,
            )
        # The WSGI server deals with the unread body (gunicorn's sync workers close the connection after each
        # response; Django's development server drains it).
        return response


def _same_site_referer(request: HttpRequest) -> str:
    from django.utils.http import url_has_allowed_host_and_scheme

    referer = request.META.get("HTTP_REFERER", "")
    if referer and url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()}):
        return referer
    return ""


class NoStoreMiddleware:
    """`Cache-Control: private, no-store` on every response to a signed-in account (staff pages, staff API calls,
    whatever their authentication) and on the API's citizen tracking answers, so that no browser, proxy or shared
    computer keeps a copy of personal data. Runs after the view, when DRF has set the API caller as the user."""

    PERSONAL_API_PREFIXES = ("/api/v1/feedback/",)

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated) or request.path_info.startswith(self.PERSONAL_API_PREFIXES):
            response["Cache-Control"] = "private, no-store"
        return response


# C0 control characters and DEL. NUL cannot even be compared by PostgreSQL; the others have no business in an
# address and only ever arrive from scanners and fuzzers.
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")


def _faulty_parameters(request: HttpRequest) -> list[str] | None:
    """None when the address is clean; else the names of the query parameters at fault ("non_field_errors" for
    the path, or for a parameter whose very name holds a control character)."""
    faulty = ["non_field_errors"] if _CONTROL_CHARACTERS.search(request.path_info) else []
    for key, values in request.GET.lists():
        if _CONTROL_CHARACTERS.search(key):
            faulty.append("non_field_errors")
        elif any(_CONTROL_CHARACTERS.search(value) for value in values):
            faulty.append(key)
    return list(dict.fromkeys(faulty)) or None


class ControlCharacterMiddleware:
    """Answers 400 to a request whose path or query string holds a control character (NUL, a newline, ...), before
    any view, form or filter sees it: one guard for every URL rather than one per call site.

    Browsers never send such addresses; the answer is the 400 page (JSON with the API's error shape under
    `/api/`, naming the query parameters at fault, or "non_field_errors" for the path).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        faulty = _faulty_parameters(request)
        if faulty:
            return _bad_request(request, faulty)
        return self.get_response(request)


def _bad_request(request: HttpRequest, faulty: list[str]) -> HttpResponse:
    reason = gettext("Địa chỉ yêu cầu chứa ký tự điều khiển không hợp lệ.")
    if request.path_info.startswith("/api/"):
        # The API's error shape: `errors` names each query parameter at fault.
        return JsonResponse({"detail": reason, "errors": {name: [reason] for name in faulty}}, status=400)
    return HttpResponse(render_to_string("400.html", {"reason": reason}, request=request), status=400)
