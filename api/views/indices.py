"""Figures that feed the indices: the one-stop system's dossier statistics."""

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from indices.dossiers import UNKNOWN_UNIT, upsert_dossier_stats

from ..errors import UnknownReference
from ..permissions import IsProvincialStaff
from ..serializers.common import ErrorSerializer
from ..serializers.indices import DossierStatsInputSerializer, DossierStatsResultSerializer


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
            written = upsert_dossier_stats(rows=serializer.validated_data["rows"])
        except DjangoValidationError as error:
            errors = {f"rows.{key}": messages for key, messages in error.message_dict.items()}
            codes = {item.code for items in error.error_dict.values() for item in items}
            raise (UnknownReference if UNKNOWN_UNIT in codes else ValidationError)(errors) from None
        return Response(DossierStatsResultSerializer({"rows": written}).data)
