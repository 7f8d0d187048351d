"""Figures that feed the indices: the one-stop system's dossier statistics."""

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from indices.dossiers import upsert_dossier_stats

from ..permissions import IsProvincialStaff
from ..serializers.indices import DossierStatsInputSerializer, DossierStatsResultSerializer


class DossierStatsView(APIView):
    """The one-stop system's second call: dossiers handled and handled late, per unit and month, in bulk."""

    permission_classes = [IsProvincialStaff]

    @extend_schema(
        summary="Push dossier statistics",
        description=(
            "Provincial accounts only (the one-stop system's integration token); unit staff answer 403. "
            "Each row gives a unit (its stable `code`, see `units/`), a month (`YYYY-MM`, not in the future), "
            "the dossiers handled and those handled late (`late` <= `handled`). Sending a unit and month again "
            "replaces its figures. All or nothing: every row is checked first, and one faulty row stores "
            "nothing; `errors` names each fault as `rows.<index>.<field>`. Up to 5000 rows per call."
        ),
        request=DossierStatsInputSerializer,
        responses={200: OpenApiResponse(DossierStatsResultSerializer, description="Stored.")},
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
            raise ValidationError({f"rows.{key}": messages for key, messages in error.message_dict.items()}) from None
        return Response(DossierStatsResultSerializer({"rows": written}).data)
