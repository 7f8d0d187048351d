"""Filters of the API lists (django-filter). Invalid values answer 400 with the field named in `errors`.

Foreign keys are filtered by id with a bounded integer field: an unknown id gives an empty list (not an error), and
an id too large for the database is refused before any query. Booleans accept only true/false (or 1/0): anything
else is an error rather than silently ignored.
"""

import re

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from feedback.filters import CaseFilter
from feedback.models import Category, Status
from indices.models import CchcScore, ChannelSnapshot, IndexSnapshot
from indices.periods import PeriodError, parse_period
from survey.models import Counter, Questionnaire, Rating, Score, Unit

MAX_ID = 2**63 - 1


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": MAX_ID})
class IdFilter(django_filters.Filter):
    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


@extend_schema_field({"type": "integer", "minimum": 0, "maximum": MAX_ID})
class EntityFilter(IdFilter):
    """The id of a counter, unit or group; 0 for the province."""

    def __init__(self, *args, **kwargs):
        kwargs["min_value"] = 0
        super().__init__(*args, **kwargs)


@extend_schema_field({"type": "string", "pattern": r"^[^\x00-\x1f\x7f]*$"})
class TextFilter(django_filters.CharFilter):
    """Free text. A control character in any query parameter is refused (400) by
    `config.middleware.ControlCharacterMiddleware`; the pattern tells the schema's readers so."""


class StrictBooleanField(forms.Field):
    default_error_messages = {"invalid": _("Chỉ nhận true hoặc false.")}

    def to_python(self, value):
        if value in (None, ""):
            return None
        text = str(value).strip().lower()
        if text in ("true", "1"):
            return True
        if text in ("false", "0"):
            return False
        raise ValidationError(self.error_messages["invalid"], code="invalid")


@extend_schema_field(OpenApiTypes.BOOL)
class BooleanFilter(django_filters.Filter):
    field_class = StrictBooleanField


class UnitFilter(django_filters.FilterSet):
    group = IdFilter(field_name="group_id", label=_("Mã số (id) khối đơn vị"))
    kind = django_filters.ChoiceFilter(choices=Unit.Kind.choices, label=_("Loại đơn vị"))
    code = TextFilter(label=_("Mã đơn vị"))
    active_on = django_filters.DateFilter(
        method="filter_active_on", label=_("Chỉ các đơn vị còn hiệu lực vào ngày này (YYYY-MM-DD)")
    )
    search = TextFilter(method="filter_search", label=_("Tìm theo tên, tên ngắn hoặc mã"))

    class Meta:
        model = Unit
        fields = ["group", "kind", "code", "active_on", "search"]

    def filter_active_on(self, queryset: QuerySet, name: str, value) -> QuerySet:
        return queryset.active_on(value)

    def filter_search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(Q(name__icontains=value) | Q(short_name__icontains=value) | Q(code__icontains=value))


class CounterFilter(django_filters.FilterSet):
    unit = IdFilter(field_name="unit_id", label=_("Mã số (id) đơn vị"))
    is_active = BooleanFilter(label=_("Đang hoạt động"))

    class Meta:
        model = Counter
        fields = ["unit", "is_active"]


class QuestionnaireFilter(django_filters.FilterSet):
    family = TextFilter(label=_("Họ phiếu"))
    unit = IdFilter(field_name="unit_id", label=_("Mã số (id) đơn vị; phiếu chung toàn tỉnh không có đơn vị"))
    is_active = BooleanFilter(label=_("Đang dùng"))

    class Meta:
        model = Questionnaire
        fields = ["family", "unit", "is_active"]


class RatingFilter(django_filters.FilterSet):
    unit = IdFilter(field_name="unit_id", label=_("Mã số (id) đơn vị"))
    counter = IdFilter(field_name="counter_id", label=_("Mã số (id) quầy"))
    created_after = django_filters.DateFilter(
        field_name="created_at", lookup_expr="date__gte", label=_("Đánh giá từ ngày (YYYY-MM-DD)")
    )
    created_before = django_filters.DateFilter(
        field_name="created_at", lookup_expr="date__lte", label=_("Đánh giá đến ngày (YYYY-MM-DD)")
    )
    score = django_filters.TypedChoiceFilter(choices=Score.choices, coerce=int, label=_("Mức hài lòng (1..5)"))
    channel = django_filters.ChoiceFilter(choices=Rating.Channel.choices, label=_("Kênh"))
    verified = BooleanFilter(label=_("Đã xác thực bằng liên kết hồ sơ"))
    status = django_filters.ChoiceFilter(choices=Rating.Status.choices, label=_("Trạng thái kiểm duyệt"))
    quarantined = BooleanFilter(method="filter_quarantined", label=_("Đang cách ly (true) hoặc không (false)"))

    class Meta:
        model = Rating
        fields = ["unit", "counter", "created_after", "created_before", "score", "channel", "verified", "status"]

    def filter_quarantined(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return queryset
        condition = Q(status=Rating.Status.QUARANTINED)
        return queryset.filter(condition) if value else queryset.exclude(condition)


class ApiCaseFilter(CaseFilter):
    """The staff inbox's filters (feedback.filters.CaseFilter), with the API's strict text and boolean fields
    and the counter given by id. Unit staff only find their own unit's counters."""

    q = TextFilter(method="filter_search", label=_("Tìm theo nội dung, mã tra cứu hoặc số hồ sơ (#id)"))
    status = django_filters.ChoiceFilter(choices=Status.choices, label=_("Trạng thái"))
    category = django_filters.ChoiceFilter(choices=Category.choices, label=_("Loại phản ánh"))
    overdue = BooleanFilter(method="filter_overdue", label=_("Quá hạn"))
    counter = IdFilter(field_name="counter_id", label=_("Mã số (id) quầy"))

    def __init__(self, *args, user=None, **kwargs):
        django_filters.FilterSet.__init__(self, *args, **kwargs)


# A year, a quarter or a month (2025, 2025-Q1, 2025-03). Custom ranges are found with period_kind=custom, start
# and end instead: a pattern can say exactly which strings are accepted, so the schema does not promise more.
PERIOD_PATTERN = r"^[1-9][0-9]{3}(-[Qq][1-4]|-(0?[1-9]|1[0-2]))?$"


class PeriodField(forms.Field):
    default_error_messages = {"invalid": _("Kỳ không hợp lệ. Dùng 2025 (năm), 2025-Q1 (quý) hoặc 2025-03 (tháng).")}

    def to_python(self, value):
        if value in (None, ""):
            return None
        if not re.fullmatch(PERIOD_PATTERN, str(value)):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        try:
            return parse_period(value)
        except PeriodError as error:
            raise ValidationError(str(error), code="invalid") from None


@extend_schema_field({"type": "string", "pattern": PERIOD_PATTERN})
class PeriodFilter(django_filters.Filter):
    field_class = PeriodField

    def filter(self, queryset: QuerySet, value) -> QuerySet:
        if value is None:
            return queryset
        return queryset.filter(period_kind=value.kind, period_start=value.start, period_end=value.end)


class IndexSnapshotFilter(django_filters.FilterSet):
    level = django_filters.ChoiceFilter(choices=IndexSnapshot.Level.choices, label=_("Cấp"))
    entity = EntityFilter(field_name="entity_id", label=_("Mã số (id) của quầy, đơn vị hoặc khối; 0 cho toàn tỉnh"))
    period = PeriodFilter(label=_("Kỳ: 2025 (năm), 2025-Q1 (quý) hoặc 2025-03 (tháng)"))
    period_kind = django_filters.ChoiceFilter(choices=IndexSnapshot.PeriodKind.choices, label=_("Loại kỳ"))
    start = django_filters.DateFilter(
        field_name="period_start", lookup_expr="gte", label=_("Các kỳ bắt đầu từ ngày (YYYY-MM-DD)")
    )
    end = django_filters.DateFilter(
        field_name="period_end", lookup_expr="lte", label=_("Các kỳ kết thúc đến ngày (YYYY-MM-DD)")
    )
    index = TextFilter(field_name="index", label=_("Tên chỉ số, ví dụ sipas, overall, element:access"))

    class Meta:
        model = IndexSnapshot
        fields = ["level", "entity", "period", "period_kind", "start", "end", "index"]


class ChannelSnapshotFilter(django_filters.FilterSet):
    channels = TextFilter(
        field_name="channels", label=_("Kênh: qr, web, kiosk, api, survey, import, hoặc api+kiosk+qr+web")
    )
    level = django_filters.ChoiceFilter(
        choices=[c for c in IndexSnapshot.Level.choices if c[0] != "counter"], label=_("Cấp")
    )
    entity = EntityFilter(field_name="entity_id", label=_("Mã số (id) của đơn vị hoặc khối; 0 cho toàn tỉnh"))
    period = PeriodFilter(label=_("Kỳ: 2025 (năm), 2025-Q1 (quý) hoặc 2025-03 (tháng)"))
    index = TextFilter(field_name="index", label=_("Tên chỉ số, ví dụ sipas, overall"))

    class Meta:
        model = ChannelSnapshot
        fields = ["channels", "level", "entity", "period", "index"]


@extend_schema_field({"type": "integer", "minimum": 2000, "maximum": 2100})
class YearFilter(django_filters.Filter):
    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 2000)
        kwargs.setdefault("max_value", 2100)
        super().__init__(*args, **kwargs)


class CchcScoreFilter(django_filters.FilterSet):
    year = YearFilter(label=_("Năm"))
    unit = IdFilter(field_name="unit_id", label=_("Mã số (id) đơn vị"))
    group = IdFilter(field_name="unit__group_id", label=_("Mã số (id) khối đơn vị"))

    class Meta:
        model = CchcScore
        fields = ["year", "unit", "group"]
