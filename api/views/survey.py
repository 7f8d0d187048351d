"""The organisation tree, counters and questionnaires (read-only).

Groups, units and questionnaires are public reference data (the citizen portal shows them); counters are staff
data, scoped to the caller's unit, because their public codes are printed only at the desks.
"""

from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.permissions import AllowAny

from survey import qrcodes
from survey.models import Counter, Questionnaire, Unit, UnitGroup

from ..filters import CounterFilter, QuestionnaireFilter, UnitFilter
from ..permissions import IsUnitStaffOrProvincial, UnitScopedMixin
from ..serializers.survey import CounterSerializer, QuestionnaireSerializer, UnitGroupSerializer, UnitSerializer

PUBLIC = "Public: no authentication needed (anonymous callers are throttled per address)."
STAFF_SCOPED = (
    "Staff only: unit staff (officers, unit leads) see their own unit's rows; provincial staff and administrators "
    "see every unit. Another unit's row answers 404."
)


class FirstRendererNegotiation(BaseContentNegotiation):
    """For the image and PDF downloads: the success answer is the file whatever the `Accept` header says, and an
    error is the API's JSON (the first renderer), so that a client asking for `image/png` never gets a 406."""

    def select_parser(self, request, parsers):
        return parsers[0]

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


def _file_response(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def _binary(media_type: str, description: str) -> dict:
    return {(200, media_type): OpenApiResponse(OpenApiTypes.BINARY, description=description)}


@extend_schema_view(
    list=extend_schema(summary="List unit groups", description=PUBLIC),
    retrieve=extend_schema(summary="A unit group", description=PUBLIC),
)
class UnitGroupViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = UnitGroup.objects.all()
    serializer_class = UnitGroupSerializer
    permission_classes = [AllowAny]


@extend_schema_view(
    list=extend_schema(
        summary="List units",
        description=PUBLIC + " Units are effective-dated: `active_on` keeps those in force on a date; a merged "
        "unit lists its successors.",
    ),
    retrieve=extend_schema(summary="A unit", description=PUBLIC),
)
class UnitViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Unit.objects.select_related("group").prefetch_related("successors")
    serializer_class = UnitSerializer
    permission_classes = [AllowAny]
    filterset_class = UnitFilter


@extend_schema_view(
    list=extend_schema(summary="List counters", description=STAFF_SCOPED),
    retrieve=extend_schema(summary="A counter", description=STAFF_SCOPED),
)
class CounterViewSet(UnitScopedMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = CounterSerializer
    permission_classes = [IsUnitStaffOrProvincial]
    filterset_class = CounterFilter
    queryset = Counter.objects.none()  # For the schema generator; rows come from get_queryset().

    def base_queryset(self):
        return Counter.objects.select_related("unit").prefetch_related("fields")

    def _active_counter(self) -> Counter:
        counter = self.get_object()
        if not counter.is_active:
            raise Http404(_("Quầy này đã ngừng hoạt động."))
        return counter

    @extend_schema(
        summary="A counter's QR code (PNG)",
        operation_id="counters_qr_png",
        description=STAFF_SCOPED + " The code encodes the counter's public rating address (`rating_url`); a "
        "closed counter answers 404.",
        responses=_binary("image/png", "The QR code, 10 pixels per module."),
    )
    @action(detail=True, url_path="qr.png", url_name="qr-png", content_negotiation_class=FirstRendererNegotiation)
    def qr_png(self, request, pk=None):
        counter = self._active_counter()
        return _file_response(qrcodes.qr_png(qrcodes.rating_url(counter.code)), "image/png", f"qr-{counter.code}.png")

    @extend_schema(
        summary="A counter's QR code (SVG)",
        operation_id="counters_qr_svg",
        description=STAFF_SCOPED + " Vector QR code for print shops; a closed counter answers 404.",
        responses=_binary("image/svg+xml", "The QR code as SVG."),
    )
    @action(detail=True, url_path="qr.svg", url_name="qr-svg", content_negotiation_class=FirstRendererNegotiation)
    def qr_svg(self, request, pk=None):
        counter = self._active_counter()
        return _file_response(
            qrcodes.qr_svg(qrcodes.rating_url(counter.code)), "image/svg+xml", f"qr-{counter.code}.svg"
        )

    @extend_schema(
        summary="A counter's A4 poster (PDF)",
        operation_id="counters_poster_pdf",
        description=STAFF_SCOPED + " The printable poster: unit and counter names, short instructions, the QR "
        "code and the official host under it. A closed counter answers 404.",
        responses=_binary("application/pdf", "One A4 page."),
    )
    @action(
        detail=True, url_path="poster.pdf", url_name="poster-pdf", content_negotiation_class=FirstRendererNegotiation
    )
    def poster_pdf(self, request, pk=None):
        counter = self._active_counter()
        return _file_response(qrcodes.poster_pdf([counter]), "application/pdf", f"ap-phich-{counter.code}.pdf")


@extend_schema_view(
    list=extend_schema(
        summary="List questionnaires",
        description=PUBLIC + " Each version of a questionnaire family is listed with its items; `is_current` "
        "marks the version in use.",
    ),
    retrieve=extend_schema(summary="A questionnaire with its items", description=PUBLIC),
)
class QuestionnaireViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Questionnaire.objects.prefetch_related("items")
    serializer_class = QuestionnaireSerializer
    permission_classes = [AllowAny]
    filterset_class = QuestionnaireFilter
