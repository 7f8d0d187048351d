"""A staff member's own account: password, two-factor authentication, API tokens (under /accounts/)."""

from django.urls import path

from . import account_views

app_name = "accounts"

urlpatterns = [
    path("mat-khau/", account_views.PasswordChange.as_view(), name="password-change"),
    path("xac-thuc-hai-buoc/", account_views.two_factor, name="two-factor"),
    path("ma-api/", account_views.token_list, name="token-list"),
    path("ma-api/<str:token_key>/thu-hoi/", account_views.token_revoke, name="token-revoke"),
]
