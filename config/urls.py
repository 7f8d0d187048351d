"""Root URLs. Each app owns its own urls module; citizen pages live at short paths (/r/<code>)."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from survey import views as survey_views

urlpatterns = [
    path("", survey_views.home, name="home"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("chi-so/", include("indices.urls")),
    path("", include("survey.urls")),
]
