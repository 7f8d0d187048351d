"""Shapes of the indices: the figures that feed them (dossier statistics, CCHC scores), the stored snapshots and
the province report."""

from decimal import Decimal

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from indices.cchc import MAX_IMPORT_BYTES, Band, cchc_percent, classify, scheme_for_year
from indices.exports_report import BUILDERS as REPORT_BUILDERS
from indices.models import CchcFieldScore, CchcImport, CchcScore, IndexSnapshot, ReportScheme
from indices.periods import Period

from ..filters import MAX_ID
from .common import PatternField, StringField

REPORT_FORMATS = list(REPORT_BUILDERS)

MAX_COUNT = 2**31 - 1


class DossierStatRowSerializer(serializers.Serializer):
    unit = PatternField(
        trim_whitespace=False, regex=r"^[-a-zA-Z0-9_]{1,40}$", max_length=40, help_text="The unit's stable code."
    )
    month = PatternField(
        trim_whitespace=False, regex=r"^20[0-9]{2}-(0[1-9]|1[0-2])$", help_text="The month, as YYYY-MM."
    )
    handled = serializers.IntegerField(min_value=0, max_value=MAX_COUNT, help_text="Dossiers handled.")
    late = serializers.IntegerField(min_value=0, max_value=MAX_COUNT, help_text="Of those, handled late.")


class DossierStatsInputSerializer(serializers.Serializer):
    rows = DossierStatRowSerializer(many=True, max_length=5000)


class DossierStatsResultSerializer(serializers.Serializer):
    rows = serializers.IntegerField(help_text="Rows stored (created or replaced).")


# Stored figures -----------------------------------------------------------------------------------------------


class IndexSnapshotSerializer(serializers.ModelSerializer):
    period = serializers.SerializerMethodField(
        help_text="The period as text: 2025 (year), 2025-Q1 (quarter), 2025-03 (month), or "
        "2025-01-01..2025-03-15 (custom)."
    )

    class Meta:
        model = IndexSnapshot
        fields = [
            "id",
            "level",
            "entity_id",
            "period",
            "period_kind",
            "period_start",
            "period_end",
            "index",
            "value",
            "n",
            "ci_low",
            "ci_high",
            "adequate",
            "ballots",
            "units_counted",
            "units_total",
            "status",
            "updated_at",
        ]
        extra_kwargs = {
            "entity_id": {"help_text": "The counter, unit or group id; 0 for the province."},
            "value": {"help_text": "In % for rates and indices (1..5 for `mean_score`); null when nothing to count."},
            "n": {
                "help_text": "The answers the figure rests on, which adequacy tests: for SIPAS and elements the "
                "answers (1..5) of the least-answered element (criterion), for the overall-question figures the "
                "ballots. For a group or the province: summed over its counted units."
            },
            "ballots": {
                "help_text": "Citizens who rated (ballots). For a group or the province: of its counted units; for "
                "pooled figures: of all its units."
            },
            "units_counted": {
                "help_text": "Groups and the province: k of “k of n units counted” (units in force on the "
                "period's last day whose figure is adequate and, for SIPAS, complete). Null for counters and units."
            },
            "units_total": {
                "help_text": "Groups and the province: n of “k of n units counted” (units in force on the period's "
                "last day). Null for counters and units."
            },
            "status": {
                "help_text": "Why the figure is or is not counted in its group's mean: counted, insufficient "
                "(sample below the adequate size), incomplete (SIPAS with an element without answers), inactive "
                "(unit not in force on the period's last day), no_data."
            },
            "adequate": {"help_text": "Whether the sample is large enough for the figure to be shown and ranked."},
        }

    @extend_schema_field(StringField())
    def get_period(self, snapshot: IndexSnapshot) -> str:
        return str(Period(snapshot.period_start, snapshot.period_end, snapshot.period_kind))


# CCHC scores --------------------------------------------------------------------------------------------------


def _points(**kwargs) -> serializers.DecimalField:
    """Points with two decimals, as JSON numbers (the stored values have at most two decimals)."""
    return serializers.DecimalField(max_digits=7, decimal_places=2, coerce_to_string=False, **kwargs)


class CchcFieldScoreSerializer(serializers.ModelSerializer):
    field = serializers.SlugRelatedField(slug_field="code", read_only=True, help_text="The field's code.")
    points = _points()
    max_points = _points()
    percent = serializers.FloatField(help_text="points / max_points x 100.")

    class Meta:
        model = CchcFieldScore
        fields = ["field", "points", "max_points", "percent"]


class CchcScoreSerializer(serializers.ModelSerializer):
    """A unit's CCHC score for a year. `schemes` in the context: every ReportScheme, newest first (one query for
    the whole list), from which the band of each score's year is taken."""

    unit_code = StringField(source="unit.code", read_only=True)
    group = serializers.IntegerField(source="unit.group_id", read_only=True)
    points = _points()
    max_points = _points()
    percent = serializers.FloatField(help_text="The CCHC index: points / max_points x 100, full precision.")
    band = serializers.SerializerMethodField(help_text="The band of the year's scheme (xuat-sac, tot, kha, ...).")
    band_label = serializers.SerializerMethodField()
    field_scores = CchcFieldScoreSerializer(source="fields", many=True, read_only=True)

    class Meta:
        model = CchcScore
        fields = [
            "id",
            "unit",
            "unit_code",
            "group",
            "year",
            "points",
            "max_points",
            "percent",
            "band",
            "band_label",
            "field_scores",
            "updated_at",
        ]

    def _band(self, score: CchcScore) -> Band | None:
        schemes = self.context.get("schemes")
        if schemes is None:
            scheme = scheme_for_year(score.year)
        else:
            scheme = next((s for s in schemes if s.valid_from_year <= score.year), None)
            scheme = scheme or ReportScheme(valid_from_year=score.year)
        return classify(cchc_percent(score.points, score.max_points), scheme)

    @extend_schema_field(serializers.ChoiceField(choices=Band.choices))
    def get_band(self, score: CchcScore) -> str:
        return self._band(score).value

    @extend_schema_field(StringField())
    def get_band_label(self, score: CchcScore) -> str:
        return str(self._band(score).label)


class CchcFieldScoreInputSerializer(serializers.Serializer):
    field = PatternField(
        trim_whitespace=False, regex=r"^[-a-zA-Z0-9_]{1,40}$", max_length=40, help_text="An active field's code."
    )
    points = _points(min_value=Decimal("0"))
    max_points = _points(
        min_value=Decimal("0.01"), required=False, help_text="Optional: the field's configured maximum when left out."
    )


class CchcScoreInputSerializer(serializers.Serializer):
    unit = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="The unit's id.")
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    points = _points(min_value=Decimal("0"), help_text="Points achieved; not above `max_points`.")
    max_points = _points(min_value=Decimal("0.01"))
    field_scores = CchcFieldScoreInputSerializer(
        many=True, required=False, max_length=50, help_text="Optional points per field of the index."
    )

    def validate(self, data: dict) -> dict:
        errors: dict[str, list[str]] = {}
        if data["points"] > data["max_points"]:
            errors["points"] = [_("Điểm đạt lớn hơn điểm tối đa.")]
        codes = [row["field"] for row in data.get("field_scores", [])]
        for index, code in enumerate(codes):
            if code in codes[:index]:
                errors[f"field_scores.{index}.field"] = [_("Lĩnh vực này đã có ở trên.")]
        if errors:
            raise serializers.ValidationError(errors)
        return data


class CchcImportInputSerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100, help_text="The year the file's scores are for.")
    file = serializers.FileField(
        help_text="The scores (.xlsx, first sheet, or .csv in UTF-8), at most 5 MB, in the template's columns."
    )

    def validate_file(self, upload):
        if not upload.name.lower().endswith((".xlsx", ".csv")):
            raise serializers.ValidationError(_("Chỉ nhận tệp .xlsx hoặc .csv."))
        if upload.size > MAX_IMPORT_BYTES:
            raise serializers.ValidationError(_("Tệp quá lớn (tối đa 5 MB)."))
        return upload


class CchcImportSerializer(serializers.ModelSerializer):
    class Meta:
        model = CchcImport
        fields = ["id", "year", "file_name", "rows", "outcome", "created_at"]
        extra_kwargs = {"rows": {"help_text": "Scores stored: they replace every score of the year."}}


# The province report ------------------------------------------------------------------------------------------


def _number(**kwargs) -> serializers.FloatField:
    return serializers.FloatField(allow_null=True, **kwargs)


class ReportQuerySerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100, help_text="The year of the CCHC scores.")
    quarter = serializers.IntegerField(
        min_value=1, max_value=4, required=False, help_text="Satisfaction of this quarter instead of the year's."
    )
    format = serializers.ChoiceField(
        choices=["json", *REPORT_FORMATS],
        default="json",
        help_text="json (default), or the report as a file: xlsx (one sheet per table), csv, pdf (A4).",
    )


class ReportUnitSerializer(serializers.Serializer):
    unit = serializers.IntegerField(source="unit_id")
    code = StringField()
    name = StringField()
    short_name = StringField()
    cchc = _number(help_text="The CCHC index in % (its predecessors' mean for a merged unit without a score).")
    band = serializers.ChoiceField(choices=Band.choices, allow_null=True)
    band_label = StringField()
    cchc_rank = serializers.IntegerField(allow_null=True, help_text="Within the group; ties share a rank.")
    cchc_previous = _number(help_text="Last year's CCHC index.")
    cchc_change = _number()
    satisfaction = _number(
        help_text="The unit's SIPAS satisfaction in %, only when it is counted (adequate sample, every element "
        "answered); see `status`."
    )
    satisfaction_raw = _number(help_text="The stored SIPAS figure whatever its status (null without data).")
    status = StringField(
        help_text="counted, insufficient, incomplete (an element without answers: shown, not ranked nor counted), "
        "inactive or no_data."
    )
    ballots = serializers.IntegerField(help_text="Citizens who rated the unit in the period (ballots).")
    n = serializers.IntegerField(
        help_text="Answers (1..5) of the least-answered element: what adequacy tests (not the ballots)."
    )
    ci_low = serializers.SerializerMethodField(help_text="95% interval of the satisfaction (when adequate).")
    ci_high = serializers.SerializerMethodField()
    adequate = serializers.BooleanField()
    has_satisfaction = serializers.BooleanField()
    satisfaction_status = StringField(help_text="Why no satisfaction is shown (empty when it is).")
    satisfaction_rank = serializers.IntegerField(allow_null=True)
    satisfaction_previous = _number(help_text="The previous period's satisfaction (year, or same quarter).")
    satisfaction_change = _number()
    meets_target = serializers.BooleanField(allow_null=True, help_text="Satisfaction at or above the target.")
    composite = _number(help_text="The scheme's weights x (CCHC, satisfaction), when both exist.")
    composite_rank = serializers.IntegerField(allow_null=True)

    @extend_schema_field(serializers.FloatField(allow_null=True))
    def get_ci_low(self, row) -> float | None:
        return row.ci_low if row.adequate else None

    @extend_schema_field(serializers.FloatField(allow_null=True))
    def get_ci_high(self, row) -> float | None:
        return row.ci_high if row.adequate else None


class BandCountSerializer(serializers.Serializer):
    band = serializers.ChoiceField(choices=Band.choices)
    label = StringField()
    count = serializers.IntegerField()


def _band_counts(pairs) -> list[dict]:
    return [{"band": band.value, "label": str(band.label), "count": count} for band, count in pairs]


class ReportGroupSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="group_id")
    code = StringField()
    name = StringField()
    units = ReportUnitSerializer(source="rows", many=True)
    cchc_average = _number()
    cchc_average_previous = _number()
    cchc_change = _number()
    satisfaction_average = _number(help_text="The stored group figure: mean over the counted units.")
    composite_average = _number(
        help_text="cchc_weight x cchc_average + satisfaction_weight x satisfaction_average (not a mean of the units' "
        "composites)."
    )
    units_total = serializers.IntegerField(help_text="n of “k of n units counted”: the group's units in the report.")
    cchc_counted = serializers.IntegerField(help_text="k for the CCHC average: units with a CCHC index.")
    satisfaction_counted = serializers.IntegerField(help_text="k for the satisfaction average: counted units.")
    ballots = serializers.IntegerField(help_text="Ballots of the counted units.")
    n = serializers.IntegerField(help_text="Answers of the counted units (least-answered element, summed).")
    band_counts = serializers.SerializerMethodField()

    @extend_schema_field(BandCountSerializer(many=True))
    def get_band_counts(self, group) -> list[dict]:
        return _band_counts(group.band_counts)


class ReportSchemeSerializer(serializers.ModelSerializer):
    is_default = serializers.SerializerMethodField(help_text="No scheme is configured: the design's defaults.")

    class Meta:
        model = ReportScheme
        fields = [
            "valid_from_year",
            "is_default",
            "excellent_min",
            "good_min",
            "fair_min",
            "average_min",
            "cchc_weight",
            "satisfaction_weight",
            "satisfaction_target",
        ]

    def build_field(self, field_name, info, model_class, nested_depth):
        field_class, kwargs = super().build_field(field_name, info, model_class, nested_depth)
        if field_class is serializers.DecimalField:
            kwargs["coerce_to_string"] = False
        return field_class, kwargs

    @extend_schema_field(serializers.BooleanField())
    def get_is_default(self, scheme: ReportScheme) -> bool:
        return scheme.pk is None


class TrendSeriesSerializer(serializers.Serializer):
    label = StringField()
    values = serializers.ListField(child=serializers.FloatField(allow_null=True))


class TrendsSerializer(serializers.Serializer):
    title = StringField()
    years = serializers.ListField(child=serializers.IntegerField())
    series = TrendSeriesSerializer(many=True)


class ProvinceFiguresSerializer(serializers.Serializer):
    cchc = _number(help_text="The mean of the group averages.", source="province_cchc")
    satisfaction = _number(help_text="The mean of the group averages.", source="province_satisfaction")
    composite = _number(
        source="province_composite", help_text="cchc_weight x province cchc + satisfaction_weight x satisfaction."
    )
    pooled_satisfaction = _number(help_text="Every rating of the province pooled (stored snapshot).")
    units_total = serializers.IntegerField(help_text="n of “k of n units counted”.")
    cchc_counted = serializers.IntegerField()
    satisfaction_counted = serializers.IntegerField()
    ballots = serializers.IntegerField()
    n = serializers.IntegerField()


class MethodFormulaSerializer(serializers.Serializer):
    name = StringField()
    formula = StringField()


class MethodBandSerializer(serializers.Serializer):
    band = StringField()
    label = StringField()
    lower_bound = serializers.FloatField(allow_null=True)


class MethodCountsSerializer(serializers.Serializer):
    ballots = StringField()
    answers = StringField()


class MethodWeightsSerializer(serializers.Serializer):
    cchc = serializers.FloatField()
    satisfaction = serializers.FloatField()


class MethodQuestionnaireSerializer(serializers.Serializer):
    name = StringField()
    version = serializers.IntegerField()


class MethodChannelsSerializer(serializers.Serializer):
    counted = StringField(help_text="“all”: every channel's ratings are counted.")
    labels = serializers.ListField(child=StringField())
    text = StringField()


class MethodSerializer(serializers.Serializer):
    """How the figures were computed (indices.methodology.method_statement; docs/methodology.md)."""

    formula_version = StringField()
    period = StringField()
    formulas = MethodFormulaSerializer(many=True)
    minimum_sample = serializers.IntegerField(help_text="The configured minimum when the dossiers are unknown.")
    adequacy = StringField()
    counts = MethodCountsSerializer()
    units_counted = StringField()
    weights = MethodWeightsSerializer()
    satisfaction_target = serializers.FloatField()
    bands = MethodBandSerializer(many=True)
    rounding = StringField()
    questionnaires = MethodQuestionnaireSerializer(many=True)
    channels = MethodChannelsSerializer()
    elements = serializers.ListField(child=StringField())
    data_as_of = serializers.CharField(allow_null=True, help_text="When the stored figures were last computed.")
    data_as_of_text = StringField()
    document = StringField()


class WeakestElementSerializer(serializers.Serializer):
    name = StringField()
    value = serializers.FloatField()


class ProvinceReportSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    quarter = serializers.IntegerField(allow_null=True)
    period_label = StringField()
    scheme = ReportSchemeSerializer()
    bands = serializers.SerializerMethodField()
    groups = ReportGroupSerializer(many=True)
    province = serializers.SerializerMethodField()
    weakest_element = serializers.SerializerMethodField(
        help_text="The SIPAS element with the lowest province figure (the mean of its group figures)."
    )
    trends = TrendsSerializer(help_text="The last five years' province and group averages.")
    narrative = serializers.ListField(child=StringField(), help_text="The report's paragraphs.")
    findings = serializers.ListField(child=StringField(), help_text="The satisfaction findings.")
    method = MethodSerializer(help_text="The method behind every figure of the report.")

    @extend_schema_field(BandCountSerializer(many=True))
    def get_bands(self, report) -> list[dict]:
        """The bands in use, best first, each with the number of units in it across the province."""
        rows = report.rows
        return _band_counts((band, sum(1 for row in rows if row.band == band)) for band in report.bands)

    @extend_schema_field(ProvinceFiguresSerializer())
    def get_province(self, report) -> dict:
        return ProvinceFiguresSerializer(report).data

    @extend_schema_field(WeakestElementSerializer(allow_null=True))
    def get_weakest_element(self, report) -> dict | None:
        if report.weakest_element is None:
            return None
        name, value = report.weakest_element
        return {"name": name, "value": value}
