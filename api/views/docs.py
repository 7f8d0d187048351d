"""The interactive documentation, and JSON 404s for addresses under /api/ that match nothing."""

from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularSwaggerSplitView
from rest_framework.decorators import api_view, authentication_classes, permission_classes
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny


class ApiDocsView(SpectacularSwaggerSplitView):
    """Swagger UI from the vendored sidecar files. The split view serves its start-up script from this same
    address (`?script`), and the template has no inline style, so the page runs under a `script-src 'self';
    style-src 'self'` Content-Security-Policy."""

    template_name = "api/swagger_ui.html"


@extend_schema(exclude=True)
@api_view(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"])
@authentication_classes([])
@permission_classes([AllowAny])
def not_found(request, path: str = ""):
    """Unknown API addresses answer the API's JSON error, not the site's HTML page; a missing final slash is
    named, since every API address ends with one."""
    if not request.path.endswith("/"):
        try:
            match = resolve(request.path + "/")
        except Resolver404:
            match = None
        if match is not None and match.url_name != "api-not-found":
            raise NotFound(_("Không tìm thấy. Địa chỉ API kết thúc bằng dấu “/”: %(path)s/") % {"path": request.path})
    raise NotFound()
