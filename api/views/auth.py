"""Tokens for integrators."""

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from ..serializers.auth import TokenRequestSerializer, TokenSerializer
from ..throttles import ScopedThrottle


class ObtainTokenView(APIView):
    """Exchange a staff account's username and password for its API token (the same token on every call)."""

    authentication_classes: list = []  # Credentials are in the body; no session, so no CSRF to forge.
    permission_classes = [AllowAny]
    throttle_classes = [ScopedThrottle]
    throttle_scope = "auth-token"

    @extend_schema(
        summary="Obtain an API token",
        description="Public, throttled per address (scope `auth-token`). The token carries the account's role "
        "and unit: a provincial account's token sees every unit, a unit account's token only its unit.",
        request=TokenRequestSerializer,
        responses={200: TokenSerializer},
        auth=[],
        examples=[
            OpenApiExample("Request", value={"username": "mot-cua", "password": "…"}, request_only=True),
            OpenApiExample(
                "Response", value={"token": "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b"}, response_only=True
            ),
        ],
    )
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        token, _created = Token.objects.get_or_create(user=serializer.validated_data["user"])
        return Response(TokenSerializer({"token": token.key}).data)
