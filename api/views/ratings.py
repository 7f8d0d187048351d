"""Citizens' ratings (public POST, staff list) and the one-stop system's dossier rating links.

The public POST is the API twin of the QR form: the same `survey.services.submit_rating` (and with it the same
integrity layers), an idempotency key on every submission, no cookie credentials, a cross-site check and a
throttle per address. It is a hot path (benchmarked at about 1000 requests per second): the input is checked
without the database, and the only read is the counter by its public code.
"""

import contextlib
import datetime
import uuid

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import NotFound, Throttled, ValidationError
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from survey import integrity, selectors, services
from survey.models import Counter, DossierLink, Rating

from ..errors import Conflict
from ..filters import RatingFilter
from ..pagination import RatingCursorPagination
from ..permissions import IsUnitStaffOrProvincial, PublicActionsMixin, scope_to_user
from ..serializers.common import ErrorSerializer
from ..serializers.survey import (
    DossierLinkInputSerializer,
    DossierLinkSerializer,
    PublicRatingSerializer,
    RatingInputSerializer,
    RatingSerializer,
)

IDEMPOTENCY_HEADER = "Idempotency-Key"

RATING_EXAMPLE_REQUEST = {
    "counter": "k7m2x9q4pa",
    "score": 4,
    "answers": [{"item": 12, "value": 5}, {"item": 13, "value": None}],
    "reasons": [],
}
RATING_EXAMPLE_RESPONSE = {
    "idempotency_key": "6f1c1f8e-8f5e-4c63-9a53-1b7c0e1d2a47",
    "counter": "k7m2x9q4pa",
    "score": 4,
    "answers": [{"item": 12, "value": 5}, {"item": 13, "value": None}],
    "reasons": [],
    "verified": False,
    "created_at": "2025-07-01T09:30:12.345678+07:00",
}


def _idempotency_key(request) -> uuid.UUID:
    raw = request.headers.get(IDEMPOTENCY_HEADER, "").strip()
    if not raw:
        raise ValidationError({IDEMPOTENCY_HEADER: [_("Thiếu khóa chống trùng (tiêu đề Idempotency-Key, một UUID).")]})
    try:
        return uuid.UUID(raw)
    except ValueError:
        raise ValidationError({IDEMPOTENCY_HEADER: [_("Khóa chống trùng phải là một UUID.")]}) from None


class RatingViewSet(PublicActionsMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    public_actions = {"create": "ratings"}
    serializer_class = RatingSerializer
    filterset_class = RatingFilter
    pagination_class = RatingCursorPagination
    # JSON only: an HTML form on another site can send form data without asking, never JSON.
    parser_classes = [JSONParser]
    queryset = Rating.objects.none()  # For the schema generator; rows come from get_queryset().

    def get_queryset(self):
        return scope_to_user(Rating.objects.select_related("counter").prefetch_related("answers"), self.request.user)

    @extend_schema(
        summary="List ratings",
        description=(
            "Staff only: unit staff (officers, unit leads) see their own unit's ratings; provincial staff and "
            "administrators see every unit. Newest first, with cursor pagination: follow `next` (a malformed "
            "cursor answers 404). Quarantined and excluded ratings are listed too, with their `status` and "
            "`flags`; filter them with `status` or `quarantined`."
        ),
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(
        summary="Submit a citizen's rating",
        description=(
            "Public: no credentials (a session cookie or a token is ignored). Throttled per address (scope "
            "`ratings`), and the same integrity layers as the QR form apply: a suspicious rating is stored but "
            "quarantined, far too many ratings from one address or at one counter answer 429.\n\n"
            "**Idempotency**: the `Idempotency-Key` header (a UUID the client makes once per rating, and sends again "
            "unchanged on every retry) is required. The first request answers 201; a retry with the same key answers "
            "200 with the same body, whatever the retry carries (the stored rating wins); the same key at another "
            "counter answers 409.\n\n"
            "**Cross-site posting** is refused (403): the body must be JSON (a form on another site cannot send it "
            "without the browser's permission check, which this API never grants), and a browser request whose "
            "`Sec-Fetch-Site` or `Origin` says it comes from another site is refused.\n\n"
            "Optional `answers` (items of the unit's active questionnaire, see `questionnaires/`) and `reasons` "
            "(“why” "
            "chips) are stored with the rating in the same transaction: if one is invalid, nothing is stored."
        ),
        request=RatingInputSerializer,
        parameters=[
            OpenApiParameter(
                IDEMPOTENCY_HEADER,
                OpenApiTypes.UUID,
                OpenApiParameter.HEADER,
                required=True,
                description="A UUID made by the client for this rating; the same on every retry.",
            )
        ],
        responses={
            201: OpenApiResponse(PublicRatingSerializer, description="Recorded."),
            200: OpenApiResponse(
                PublicRatingSerializer, description="A retry: the rating recorded by the first call."
            ),
            404: OpenApiResponse(ErrorSerializer, description="No active counter has this code."),
            409: OpenApiResponse(
                ErrorSerializer,
                description="The key was used at another counter, or the unit has no active questionnaire.",
            ),
        },
        examples=[
            OpenApiExample("Rating with answers", value=RATING_EXAMPLE_REQUEST, request_only=True),
            OpenApiExample("Recorded", value=RATING_EXAMPLE_RESPONSE, response_only=True, status_codes=["201", "200"]),
        ],
    )
    def create(self, request, *args, **kwargs):
        key = _idempotency_key(request)
        serializer = RatingInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        counter = selectors.counter_for_code(data["counter"])
        if counter is None:
            raise NotFound(_("Không có quầy đang hoạt động với mã này."))
        answers = {answer["item"]: answer["value"] for answer in data.get("answers", [])}
        reasons = data.get("reasons", [])
        started = timezone.now()
        try:
            # Answers and chips are stored with the rating or not at all; a bare rating needs no transaction.
            with transaction.atomic() if answers or reasons else contextlib.nullcontext():
                rating = services.submit_rating(
                    counter=counter,
                    score=data["score"],
                    idempotency_key=key,
                    channel=Rating.Channel.API,
                    client=integrity.client_info(request, None),
                )
                # The service returns the stored rating for a known key: a row older than this call is a retry.
                fresh = rating.created_at >= started
                if fresh and (answers or reasons):
                    services.answer_rating(rating=rating, answers=answers, reasons=reasons)
        except services.RatingThrottled as error:
            raise Throttled(wait=error.verdict.retry_after) from None
        except services.DossierLinkUsed as error:
            raise Conflict(error.message) from None
        except services.NoActiveQuestionnaire as error:
            raise Conflict(error.message) from None
        except services.SurveyError as error:
            wait = getattr(error, "retry_after", None)
            if wait is not None:
                raise Throttled(wait=wait) from None
            raise ValidationError({"non_field_errors": [error.message]}) from None
        if rating.counter_id != counter.pk:
            raise Conflict(_("Khóa chống trùng này đã được dùng cho một đánh giá ở quầy khác."))
        rating.counter = counter
        context = {}
        if fresh:
            context["answers"] = [{"item": item, "value": value} for item, value in sorted(answers.items())]
        body = PublicRatingSerializer(rating, context=context).data
        return Response(body, status=status.HTTP_201_CREATED if fresh else status.HTTP_200_OK)


class DossierLinkCreateView(APIView):
    """The one-stop system's first call: a single-use rating link for a dossier, to print on its receipt."""

    permission_classes = [IsUnitStaffOrProvincial]
    parser_classes = [JSONParser]

    @extend_schema(
        summary="Mint a dossier rating link",
        description=(
            "Staff or integration token: unit staff for their own unit's counters, provincial accounts for any. "
            "Calls `survey.services.mint_dossier_link`. A rating made through the returned `url` is marked "
            "verified; the link works once.\n\n"
            "Idempotent per dossier: asking again for a dossier that already has a link at the same counter "
            "answers 200 with that link (a retry after a lost answer is safe); a dossier that has a link at another "
            "counter answers 409. A counter the account may not see, or that does not exist, answers 404; a "
            "closed counter answers 400."
        ),
        request=DossierLinkInputSerializer,
        responses={
            201: OpenApiResponse(DossierLinkSerializer, description="Minted."),
            200: OpenApiResponse(DossierLinkSerializer, description="This dossier's existing link at the counter."),
            404: OpenApiResponse(ErrorSerializer, description="No such counter, or not one the account may see."),
            409: OpenApiResponse(ErrorSerializer, description="The dossier already has a link at another counter."),
        },
        examples=[
            OpenApiExample(
                "Request",
                value={
                    "counter": 12,
                    "dossier_code": "000.00.12.H21-250701-0042",
                    "expires_at": "2025-08-01T00:00:00+07:00",
                },
                request_only=True,
            ),
            OpenApiExample(
                "Response",
                value={
                    "dossier_code": "000.00.12.H21-250701-0042",
                    "counter": 12,
                    "token": "x4k9m2p7q3r8s5t6v2w9",
                    "url": "https://hailong.example.gov.vn/r/d/x4k9m2p7q3r8s5t6v2w9",
                    "expires_at": "2025-08-01T00:00:00+07:00",
                    "used_at": None,
                    "created_at": "2025-07-01T08:05:00+07:00",
                },
                response_only=True,
                status_codes=["201", "200"],
            ),
        ],
    )
    def post(self, request):
        serializer = DossierLinkInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        counter = (
            scope_to_user(Counter.objects.select_related("unit"), request.user).filter(pk=data["counter"]).first()
        )
        if counter is None:
            raise NotFound(_("Không tìm thấy quầy."))
        try:
            valid_days = data.get("valid_days")
            link = services.mint_dossier_link(
                counter=counter,
                dossier_code=data["dossier_code"],
                expires_at=timezone.now() + datetime.timedelta(days=valid_days) if valid_days else None,
            )
        except services.DossierCodeTaken as error:
            existing = DossierLink.objects.filter(dossier_code=data["dossier_code"].strip(), counter=counter).first()
            if existing is None:
                raise Conflict(error.message) from None
            return Response(DossierLinkSerializer(existing).data, status=status.HTTP_200_OK)
        except services.SurveyError as error:
            raise ValidationError({"non_field_errors": [error.message]}) from None
        return Response(DossierLinkSerializer(link).data, status=status.HTTP_201_CREATED)
