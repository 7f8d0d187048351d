"""The indices: the stored snapshots (read-only, scoped) and the one-stop system's dossier statistics.

Snapshots are what the dashboards read: the API serves the stored rows and never recomputes a figure.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from indices.dossiers import UNKNOWN_UNIT, upsert_dossier_stats
from indices.methodology import method_statement
from indices.models import IndexSnapshot
from indices.selectors import snapshots_visible_to

from ..errors import UnknownReference
from ..filters import IndexSnapshotFilter
from ..pagination import PageNumberPagination
from ..permissions import IsProvincialStaff, IsUnitStaffOrProvincial
from ..serializers.common import ErrorSerializer
from ..serializers.indices import (
    DossierStatsInputSerializer,
    DossierStatsResultSerializer,
    IndexSnapshotSerializer,
    MethodSerializer,
)

SNAPSHOT_SCOPE = (
    "Staff only. Provincial staff and administrators read every figure. Unit staff (officers, unit leads) read "
    "their own unit's unit-level figures, the figures of their unit's counters, and every group- and "
    "province-level figure (means over many units, the benchmarks a unit compares itself with, which the province "
    "publishes in its yearly report); another unit's or counter's figures are never listed, and their ids answer "
    "404."
)
SNAPSHOT_EXAMPLE = {
    "id": 4812,
    "level": "unit",
    "entity_id": 12,
    "period": "2025-Q1",
    "period_kind": "quarter",
    "period_start": "2025-01-01",
    "period_end": "2025-03-31",
    "index": "sipas",
    "value": 87.41,
    "n": 412,
    "ci_low": 84.0,
    "ci_high": 90.2,
    "adequate": True,
    "ballots": 431,
    "units_counted": None,
    "units_total": None,
    "status": "counted",
    "updated_at": "2025-04-01T02:10:00+07:00",
}


class SnapshotPagination(PageNumberPagination):
    """Numbered pages of figures, with the `method` object that says how every figure was computed."""

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        response.data["method"] = MethodSerializer(method_statement()).data
        return response

    def get_paginated_response_schema(self, schema: dict) -> dict:
        paginated = super().get_paginated_response_schema(schema)
        paginated["properties"]["method"] = {
            "type": "object",
            "additionalProperties": True,
            "description": "How the figures were computed: formulas, minimum sample, adequacy, counts, units "
            "counted, weights, bands, rounding, questionnaires and channels counted, data as of (the report's "
            "`method`; docs/methodology.md).",
            # Lets drf-spectacular wrap the figure examples in a page (every paginated field needs an example).
            "example": {"rounding": "half up, 2 decimals", "channels": {"counted": "all"}},
        }
        paginated["required"] = [*paginated.get("required", []), "method"]
        return paginated


@extend_schema_view(
    list=extend_schema(
        summary="List stored index figures (snapshots)",
        description=SNAPSHOT_SCOPE
        + "\n\nFilter by `level` and `entity` (a counter, unit or group id; 0 for the province), by `period` (2025, "
        "2025-Q1 or 2025-03: that exact period), or by `period_kind` with `start`/`end` (periods within the "
        "dates; custom ranges are found this way), and by `index` (`sipas`, `overall`, `mean_score`, "
        "`dissatisfaction`, `element:<element>`, `criterion:<item code>`, `pooled_sipas`, `pooled_overall`, "
        "`d766:...`). `value` is null when there was nothing to count (never 0 for “no data”); a figure whose "
        "`adequate` is false has too small a sample to be shown or ranked. A group's figure is the mean over its "
        "counted units (in force on the period's last day, adequate, and for SIPAS with every element answered), "
        "with `units_counted` of `units_total`; the province's is the mean of its group figures: the very figures "
        "the report shows. `ballots` counts citizens, `n` the answers adequacy tests. The page carries `method`. "
        "Ordered by level, entity, period and index.",
        examples=[
            OpenApiExample(
                "A page",
                value={
                    "count": 1,
                    "next": None,
                    "previous": None,
                    "results": [SNAPSHOT_EXAMPLE],
                    "method": {"minimum_sample": 30, "channels": {"counted": "all"}, "...": "..."},
                },
                response_only=True,
            )
        ],
    ),
    retrieve=extend_schema(
        summary="A stored index figure",
        description=SNAPSHOT_SCOPE,
        examples=[OpenApiExample("A figure", value=SNAPSHOT_EXAMPLE, response_only=True)],
    ),
)
class IndexSnapshotViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = IndexSnapshotSerializer
    permission_classes = [IsUnitStaffOrProvincial]
    filterset_class = IndexSnapshotFilter
    pagination_class = SnapshotPagination
    queryset = IndexSnapshot.objects.none()  # For the schema generator; rows come from get_queryset().

    def get_queryset(self):
        return snapshots_visible_to(self.request.user).order_by(
            "level", "entity_id", "period_start", "period_end", "index", "pk"
        )


class DossierStatsView(APIView):
    """The one-stop system's second call: dossiers handled and handled late, per unit and month, in bulk."""

    permission_classes = [IsProvincialStaff]
    parser_classes = [JSONParser]

    @extend_schema(
        summary="Push dossier statistics",
        description=(
            "Provincial accounts only (the one-stop system's integration token); unit staff answer 403. "
            "Each row gives a unit (its stable `code`, see `units/`), a month (`YYYY-MM`, not in the future), "
            "the dossiers handled and those handled late (`late` <= `handled`). Sending a unit and month again "
            "replaces its figures. All or nothing: every row is checked first, and one faulty row stores "
            "nothing; `errors` names each fault as `rows.<index>.<field>`. A row naming a unit that does not exist "
            "answers 404 (with every fault listed), other faults 400. Up to 5000 rows per call."
        ),
        request=DossierStatsInputSerializer,
        responses={
            200: OpenApiResponse(DossierStatsResultSerializer, description="Stored."),
            404: OpenApiResponse(ErrorSerializer, description="A row names a unit that does not exist."),
        },
        examples=[
            OpenApiExample(
                "Request",
                value={
                    "rows": [
                        {"unit": "so-tu-phap", "month": "2025-06", "handled": 412, "late": 9},
                        {"unit": "so-y-te", "month": "2025-06", "handled": 1280, "late": 31},
                    ]
                },
                request_only=True,
            ),
            OpenApiExample("Response", value={"rows": 2}, response_only=True),
            OpenApiExample(
                "A faulty row",
                value={
                    "detail": "Dữ liệu gửi lên không hợp lệ. Xem chi tiết từng trường trong “errors”.",
                    "errors": {"rows.1.late": ["Số hồ sơ trễ hạn không được lớn hơn số hồ sơ đã giải quyết."]},
                },
                response_only=True,
                status_codes=["400"],
            ),
        ],
    )
    def post(self, request):
        serializer = DossierStatsInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            written = upsert_dossier_stats(rows=serializer.validated_data["rows"], by=request.user, source="api")
        except DjangoValidationError as error:
            errors = {f"rows.{key}": messages for key, messages in error.message_dict.items()}
            codes = {item.code for items in error.error_dict.values() for item in items}
            raise (UnknownReference if UNKNOWN_UNIT in codes else ValidationError)(errors) from None
        return Response(DossierStatsResultSerializer({"rows": written}).data)
