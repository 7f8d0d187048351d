"""API tokens: obtain one with a password (through the login lockout), list and revoke one's own."""

from django.db.models import QuerySet
from django.shortcuts import get_list_or_404
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import mixins, viewsets
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from survey import accounts
from survey.integrity import client_ip
from survey.models import ApiToken

from ..serializers.auth import TokenListSerializer, TokenRequestSerializer, TokenSerializer
from ..throttles import ScopedThrottle


class ObtainTokenView(APIView):
    """Exchange a staff account's username and password (and its TOTP code) for a new API token."""

    authentication_classes: list = []  # Credentials are in the body; no session, so no CSRF to forge.
    permission_classes = [AllowAny]
    throttle_classes = [ScopedThrottle]
    throttle_scope = "auth-token"

    @extend_schema(
        summary="Obtain an API token",
        description="Public, throttled per address (scope `auth-token`) and under the same login lockout as the "
        "staff login page: failures count per (username, address), and a locked pair answers 429 with "
        "`Retry-After` without checking the password. An account with two-factor authentication must send "
        "`otp_token`. Each call issues a new token, which expires (see `expiry`) and is revoked when the "
        "password changes; only its digest is stored. The token carries the account's role and unit: a "
        "provincial account's token sees every unit, a unit account's token only its unit.",
        request=TokenRequestSerializer,
        responses={200: TokenSerializer},
        auth=[],
        examples=[
            OpenApiExample(
                "Request", value={"username": "mot-cua", "password": "…", "name": "Một cửa"}, request_only=True
            ),
            OpenApiExample(
                "Response",
                value={
                    "token": "4c5e2a0f9b1d7e3a6c8b0d2f4a6c8e0b1d3f5a7c9e1b3d5f7a9c1e3b5d7f9a1c",
                    "token_key": "4c5e2a0f9b1d7e3",
                    "name": "Một cửa",
                    "created": "2026-03-02T08:00:00+07:00",
                    "expiry": "2026-05-31T08:00:00+07:00",
                },
                response_only=True,
            ),
        ],
    )
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        token, secret = accounts.issue_api_token(
            user=serializer.validated_data["user"],
            name=serializer.validated_data.get("name", ""),
            ip_address=client_ip(request),
        )
        data = {
            "token": secret,
            "token_key": token.token_key,
            "name": token.name,
            "created": token.created,
            "expiry": token.expiry,
        }
        return Response(TokenSerializer(data).data)


@extend_schema(tags=["auth"])
class TokenViewSet(mixins.ListModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet):
    """The caller's own API tokens: list them, revoke one. Nobody sees another account's tokens (administrators
    revoke them in the admin)."""

    serializer_class = TokenListSerializer
    permission_classes = [IsAuthenticated]
    lookup_field = "token_key"
    lookup_value_regex = "[0-9a-f]{1,15}"
    pagination_class = None

    queryset = ApiToken.objects.none()  # for the schema; requests use get_queryset()

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):
            return ApiToken.objects.none()
        return ApiToken.objects.filter(user=self.request.user).live().order_by("-created")

    @extend_schema(summary="List my API tokens", description="Live tokens of the calling account, newest first.")
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(
        summary="Revoke one of my API tokens",
        description="Revokes the caller's token with this `token_key` (404 for another account's). Revoking the "
        "token used for this very call is allowed.",
        parameters=[OpenApiParameter("token_key", str, OpenApiParameter.PATH, pattern="^[0-9a-f]{1,15}$")],
        responses={204: None},
    )
    def destroy(self, request, *args, **kwargs):
        for token in get_list_or_404(self.get_queryset(), token_key=kwargs["token_key"]):
            accounts.revoke_api_token(token=token, by=request.user, ip_address=client_ip(request))
        return Response(status=204)
