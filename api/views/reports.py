"""The reporting module for provincial accounts: CCHC scores (read, enter, import a year's file) and the province
report (JSON, or the Excel, CSV or PDF file).

Everything here is for provincial staff and administrators, as the /bao-cao/ pages are: unit staff answer 403.
Writes call the services the pages use (`indices.cchc.save_cchc_score`, `indices.cchc.import_cchc_scores`); the
report is `indices.reports.build_province_report`, which reads stored rows only.
"""

import datetime

from django.db.models import Prefetch
from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from indices.cchc import CchcImportRejected, import_cchc_scores, save_cchc_score
from indices.exports_report import CONTENT_TYPES, export_report_now, report_file_name
from indices.models import CchcField, CchcFieldScore, CchcScore, ReportScheme
from indices.reports import build_province_report
from survey.models import Unit

from ..errors import UnknownReference
from ..filters import CchcScoreFilter
from ..permissions import IsProvincialStaff
from ..schema import EmptyQueryMeansDefaultSchema
from ..serializers.common import ErrorSerializer
from ..serializers.indices import (
    CchcImportInputSerializer,
    CchcImportSerializer,
    CchcScoreInputSerializer,
    CchcScoreSerializer,
    ProvinceReportSerializer,
    ReportQuerySerializer,
)
from .survey import FirstRendererNegotiation

PROVINCIAL = "Provincial staff and administrators only (as the /bao-cao/ pages); unit staff answer 403."

SCORE_EXAMPLE = {
    "id": 311,
    "unit": 12,
    "unit_code": "so-tu-phap",
    "group": 1,
    "year": 2024,
    "points": 82.36,
    "max_points": 100.0,
    "percent": 82.36,
    "band": "tot",
    "band_label": "Tốt",
    "field_scores": [{"field": "thu-tuc-hanh-chinh", "points": 10.5, "max_points": 12.0, "percent": 87.5}],
    "updated_at": "2025-02-10T09:12:00+07:00",
}


def _in_force_during(unit: Unit, year: int) -> bool:
    return unit.valid_from <= datetime.date(year, 12, 31) and (
        unit.valid_to is None or unit.valid_to >= datetime.date(year, 1, 1)
    )


@extend_schema_view(
    list=extend_schema(
        summary="List CCHC scores",
        description=PROVINCIAL + " Filters: `year`, `unit` (id), `group` (id). Each score has its CCHC index "
        "(`percent`) and the band of its year's scheme. Ordered by year (newest first), then group and unit.",
        examples=[
            OpenApiExample(
                "A page",
                value={"count": 1, "next": None, "previous": None, "results": [SCORE_EXAMPLE]},
                response_only=True,
            )
        ],
    ),
    retrieve=extend_schema(
        summary="A CCHC score",
        description=PROVINCIAL,
        examples=[OpenApiExample("A score", value=SCORE_EXAMPLE, response_only=True)],
    ),
)
class CchcScoreViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = CchcScoreSerializer
    permission_classes = [IsProvincialStaff]
    filterset_class = CchcScoreFilter
    parser_classes = [JSONParser]
    queryset = CchcScore.objects.none()  # For the schema generator; rows come from get_queryset().

    def get_queryset(self):
        field_scores = CchcFieldScore.objects.select_related("field").order_by("field__position", "field__code")
        return (
            CchcScore.objects.select_related("unit")
            .prefetch_related(Prefetch("fields", queryset=field_scores))
            .order_by("-year", "unit__group__position", "unit__name", "pk")
        )

    def get_serializer_context(self) -> dict:
        # Every scheme at once (a handful of rows): the band of each score then costs no query.
        return {**super().get_serializer_context(), "schemes": list(ReportScheme.objects.order_by("-valid_from_year"))}

    @extend_schema(
        summary="Enter a unit's CCHC score for a year (create or replace)",
        description=PROVINCIAL + " Calls `indices.cchc.save_cchc_score`, as the entry page does: the unit's score "
        "for the year is created (201) or replaced (200), and the field scores given replace the old ones (none "
        "given: none kept). Rules (400): `points` not above `max_points`, a field's points not above its maximum "
        "(the field's configured maximum when `max_points` is left out), each field once, the unit in force during "
        "the year. An unknown unit id or field code answers 404.",
        request=CchcScoreInputSerializer,
        responses={
            201: OpenApiResponse(CchcScoreSerializer, description="Created."),
            200: OpenApiResponse(CchcScoreSerializer, description="The year's score of the unit was replaced."),
            404: OpenApiResponse(ErrorSerializer, description="No such unit or field."),
        },
        examples=[
            OpenApiExample(
                "Request",
                value={
                    "unit": 12,
                    "year": 2024,
                    "points": 82.36,
                    "max_points": 100,
                    "field_scores": [{"field": "thu-tuc-hanh-chinh", "points": 10.5, "max_points": 12}],
                },
                request_only=True,
            ),
            OpenApiExample("Response", value=SCORE_EXAMPLE, response_only=True, status_codes=["201", "200"]),
        ],
    )
    def create(self, request, *args, **kwargs):
        serializer = CchcScoreInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        unit = Unit.objects.filter(pk=data["unit"]).first()
        rows = data.get("field_scores", [])
        fields = {f.code: f for f in CchcField.objects.filter(is_active=True, code__in=[r["field"] for r in rows])}
        missing = {}
        if unit is None:
            missing["unit"] = [_("Không có đơn vị với mã số này.")]
        for index, row in enumerate(rows):
            if row["field"] not in fields:
                missing[f"field_scores.{index}.field"] = [_("Không có lĩnh vực đang dùng với mã này.")]
        if missing:
            raise UnknownReference(missing)
        errors = {}
        if not _in_force_during(unit, data["year"]):
            errors["unit"] = [_("Đơn vị không hoạt động trong năm này.")]
        field_scores = {}
        for index, row in enumerate(rows):
            cchc_field = fields[row["field"]]
            maximum = row.get("max_points", cchc_field.default_max)
            if row["points"] > maximum:
                errors[f"field_scores.{index}.points"] = [_("Điểm đạt lớn hơn điểm tối đa.")]
            field_scores[cchc_field] = (row["points"], maximum)
        if errors:
            raise ValidationError(errors)
        existed = CchcScore.objects.filter(unit=unit, year=data["year"]).exists()
        score = save_cchc_score(
            unit=unit,
            year=data["year"],
            points=data["points"],
            max_points=data["max_points"],
            field_scores=field_scores,
            by=request.user,
        )
        body = self.get_serializer(self.get_queryset().get(pk=score.pk)).data
        return Response(body, status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED)

    @extend_schema(
        summary="Import a year's CCHC scores from a file",
        description=PROVINCIAL + " `multipart/form-data` with `year` and `file` (.xlsx, first sheet, or .csv in "
        "UTF-8; at most 5 MB), in the columns of the template that the import page offers: `ma_don_vi`, "
        "`ten_don_vi`, `diem_dat`, `diem_toi_da` and optionally `<field code>:dat`, `<field code>:toi_da`. Calls "
        "`indices.cchc.import_cchc_scores`, as the import page does.\n\n"
        "**All or nothing**: the whole file is checked first. A good file replaces every score of the year "
        "(201). A file with any fault changes no score and answers 400 with every fault in `errors`, one key "
        "per cell: `file.<row>.<column>` (the row number as the spreadsheet shows it, the header being row 1; "
        "for instance `file.3.diem_dat`), or `file` for the file as a whole. Every attempt is logged.",
        request={"multipart/form-data": CchcImportInputSerializer},
        responses={201: OpenApiResponse(CchcImportSerializer, description="Imported: the year's scores replaced.")},
        examples=[
            OpenApiExample(
                "Imported",
                value={
                    "id": 27,
                    "year": 2024,
                    "file_name": "diem-cchc-2024.xlsx",
                    "rows": 48,
                    "outcome": "imported",
                    "created_at": "2025-02-10T09:12:00+07:00",
                },
                response_only=True,
                status_codes=["201"],
            ),
            OpenApiExample(
                "Refused",
                value={
                    "detail": "Tệp có 2 lỗi; không điểm nào được thay đổi. Xem từng ô trong “errors”.",
                    "errors": {
                        "file.3.ma_don_vi": ["Không có đơn vị mã “so-khong-co”."],
                        "file.5.diem_dat": ["Điểm đạt lớn hơn điểm tối đa."],
                    },
                },
                response_only=True,
                status_codes=["400"],
            ),
        ],
    )
    @action(detail=False, methods=["post"], url_path="import", url_name="import", parser_classes=[MultiPartParser])
    def import_file(self, request):
        serializer = CchcImportInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        upload = serializer.validated_data["file"]
        try:
            log = import_cchc_scores(
                content=upload.read(),
                file_name=upload.name,
                year=serializer.validated_data["year"],
                by=request.user,
                source="api",
            )
        except CchcImportRejected as rejected:
            errors: dict[str, list[str]] = {}
            for error in rejected.errors:
                key = "file" if error.row < 1 or error.column == "-" else f"file.{error.row}.{error.column}"
                errors.setdefault(key, []).append(error.message)
            detail = _("Tệp có %(count)s lỗi; không điểm nào được thay đổi. Xem từng ô trong “errors”.") % {
                "count": len(rejected.errors)
            }
            return Response({"detail": detail, "errors": errors}, status=status.HTTP_400_BAD_REQUEST)
        return Response(CchcImportSerializer(log).data, status=status.HTTP_201_CREATED)


class ProvinceReportView(APIView):
    """The province report of a year (or a quarter's satisfaction): JSON, or the file the report page exports."""

    permission_classes = [IsProvincialStaff]
    # `format` is this endpoint's own parameter (the file to answer with), not DRF's renderer override.
    content_negotiation_class = FirstRendererNegotiation
    schema = EmptyQueryMeansDefaultSchema()

    @extend_schema(
        summary="The province report (CCHC scores and citizens' satisfaction)",
        description=PROVINCIAL + " What the report page (/bao-cao/) shows, from `indices.reports."
        "build_province_report`, which reads stored rows only (CCHC scores and satisfaction snapshots): one table "
        "per unit group with each unit's CCHC index and band, satisfaction with its sample size and 95% interval "
        "(only when the sample is adequate), composite score, ranks within the group (ties share a rank) and the "
        "change from the previous period; group averages and units per band; the province figures (means of the "
        "group averages); the trend of five years; the narrative and the findings, in the request's language. "
        "Figures keep full precision.\n\n"
        "`format=xlsx|csv|pdf` answers the file itself (`Content-Disposition: attachment`), built during the "
        "request (about a second for a few hundred units), and records the export in the audit log "
        "(`report.export`) as the page's background export does. Errors are JSON whatever the format.",
        parameters=[ReportQuerySerializer],
        responses={
            (200, "application/json"): ProvinceReportSerializer,
            (200, CONTENT_TYPES["xlsx"].split(";")[0]): OpenApiResponse(OpenApiTypes.BINARY, description="Excel."),
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.BINARY, description="CSV, UTF-8 with a BOM."),
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="PDF, A4 landscape."),
        },
        examples=[
            OpenApiExample(
                "A report (shortened)",
                value={
                    "year": 2024,
                    "quarter": None,
                    "period_label": "Năm 2024",
                    "scheme": {
                        "valid_from_year": 2024,
                        "is_default": True,
                        "excellent_min": None,
                        "good_min": 80.0,
                        "fair_min": 70.0,
                        "average_min": 50.0,
                        "cchc_weight": 0.65,
                        "satisfaction_weight": 0.35,
                        "satisfaction_target": 90.0,
                    },
                    "bands": [{"band": "tot", "label": "Tốt", "count": 1}],
                    "groups": [
                        {
                            "id": 1,
                            "code": "so-nganh",
                            "name": "Cơ quan chuyên môn thuộc UBND tỉnh",
                            "units": [
                                {
                                    "unit": 12,
                                    "code": "so-tu-phap",
                                    "name": "Sở Tư pháp",
                                    "short_name": "Sở Tư pháp",
                                    "cchc": 82.36,
                                    "band": "tot",
                                    "band_label": "Tốt",
                                    "cchc_rank": 1,
                                    "cchc_previous": 79.1,
                                    "cchc_change": 3.26,
                                    "satisfaction": 91.2,
                                    "n": 412,
                                    "ci_low": 88.1,
                                    "ci_high": 93.6,
                                    "adequate": True,
                                    "has_satisfaction": True,
                                    "satisfaction_status": "",
                                    "satisfaction_rank": 1,
                                    "satisfaction_previous": 89.0,
                                    "satisfaction_change": 2.2,
                                    "meets_target": True,
                                    "composite": 85.454,
                                    "composite_rank": 1,
                                }
                            ],
                            "cchc_average": 82.36,
                            "cchc_average_previous": 79.1,
                            "cchc_change": 3.26,
                            "satisfaction_average": 91.2,
                            "composite_average": 85.454,
                            "band_counts": [{"band": "tot", "label": "Tốt", "count": 1}],
                        }
                    ],
                    "province": {
                        "cchc": 82.36,
                        "satisfaction": 91.2,
                        "composite": 85.454,
                        "pooled_satisfaction": 90.8,
                    },
                    "weakest_element": {"name": "Tiếp cận dịch vụ", "value": 84.5},
                    "trends": {"title": "Diễn biến qua các năm (%)", "years": [2024], "series": []},
                    "narrative": ["Chỉ số CCHC trung bình của toàn tỉnh đạt 82,36%; ..."],
                    "findings": ["1/1 đơn vị đạt mục tiêu hài lòng 90%."],
                },
                response_only=True,
            )
        ],
    )
    def get(self, request):
        query = ReportQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        year, quarter = query.validated_data["year"], query.validated_data.get("quarter")
        file_format = query.validated_data["format"]
        if file_format == "json":
            report = build_province_report(year=year, quarter=quarter)
            return Response(ProvinceReportSerializer(report).data)
        content = export_report_now(by=request.user, year=year, quarter=quarter, file_format=file_format)
        response = HttpResponse(content, content_type=CONTENT_TYPES[file_format])
        name = report_file_name(year=year, quarter=quarter, file_format=file_format)
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
