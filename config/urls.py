"""Root URLs. Each app owns its own urls module; citizen pages live at short paths (/r/<code>)."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView

from api.views.docs import ApiDocsView, not_found
from config.health import healthz
from survey import views as survey_views
from survey.login import StaffAdminLoginView, StaffLoginView

urlpatterns = [
    path("", survey_views.home, name="home"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", healthz, name="healthz"),
    path("accounts/login/", StaffLoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/", include("survey.account_urls")),
    # Before the admin's own URLs: the admin's login is the staff login (one lockout, two factors).
    path("admin/login/", StaffAdminLoginView.as_view(), name="admin-login"),
    path("admin/", admin.site.urls),
    path("pakn/", include("feedback.urls")),
    path("api/v1/", include("api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", ApiDocsView.as_view(url_name="api-schema"), name="api-docs"),
    # `[\s\S]`, not `.`: an address with a newline in it (%0A) is an unknown API address too.
    re_path(r"^api/(?P<path>[\s\S]*)$", not_found, name="api-not-found"),
    path("bao-cao/", include("indices.report_urls")),
    path("chi-so/", include("indices.urls")),
    path("", include("public.urls")),
    path("", include("survey.urls")),
]
