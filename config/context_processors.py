"""Template context shared by every page."""

from urllib.parse import urlsplit

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def language_switch(request: HttpRequest) -> dict:
    """Where the language switch returns to: this page, or after a form post the page that sent the form.

    The Referer is used only when it is this site's own address, so that a foreign page never appears in ours.
    """
    if request.method == "GET":
        return {"language_next": request.get_full_path()}
    referer = request.META.get("HTTP_REFERER", "")
    if referer and url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()}):
        parts = urlsplit(referer)
        return {"language_next": parts.path + (f"?{parts.query}" if parts.query else "")}
    return {"language_next": "/"}
