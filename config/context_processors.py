"""Template context shared by every page."""

from django.core.exceptions import DisallowedHost
from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def language_switch(request: HttpRequest) -> dict[str, str]:
    """`language_next`: where the language switch in `base.html` returns.

    After a GET, the same page with its query. After a form submission (a page with errors, a confirmation, the
    CSRF failure page), the page that sent the form, but only when the Referer is on this site: a page elsewhere
    is never echoed into ours (Django's `set_language` would refuse to redirect there anyway).
    """
    here = request.get_full_path()
    if request.method == "GET":
        return {"language_next": here}
    referer = request.META.get("HTTP_REFERER", "")
    try:
        host = request.get_host()
    except DisallowedHost:
        return {"language_next": here}
    safe = url_has_allowed_host_and_scheme(referer, allowed_hosts={host}, require_https=request.is_secure())
    return {"language_next": referer if referer and safe else here}
