"""Filters of the API lists (django-filter). Invalid values answer 400 with the field named in `errors`.

Foreign keys are filtered by id with a bounded integer field: an unknown id gives an empty list (not an error), and
an id too large for the database is refused before any query.
"""

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from survey.models import Counter, Questionnaire, Unit

MAX_ID = 2**63 - 1


class IdFilter(django_filters.Filter):
    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class UnitFilter(django_filters.FilterSet):
    group = IdFilter(field_name="group_id", label=_("Mã số (id) khối đơn vị"))
    kind = django_filters.ChoiceFilter(choices=Unit.Kind.choices, label=_("Loại đơn vị"))
    code = django_filters.CharFilter(max_length=40, label=_("Mã đơn vị"))
    active_on = django_filters.DateFilter(
        method="filter_active_on", label=_("Chỉ các đơn vị còn hiệu lực vào ngày này (YYYY-MM-DD)")
    )
    search = django_filters.CharFilter(
        method="filter_search", max_length=100, label=_("Tìm theo tên, tên ngắn hoặc mã")
    )

    class Meta:
        model = Unit
        fields = ["group", "kind", "code", "active_on", "search"]

    def filter_active_on(self, queryset: QuerySet, name: str, value) -> QuerySet:
        return queryset.active_on(value)

    def filter_search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(Q(name__icontains=value) | Q(short_name__icontains=value) | Q(code__icontains=value))


class CounterFilter(django_filters.FilterSet):
    unit = IdFilter(field_name="unit_id", label=_("Mã số (id) đơn vị"))
    is_active = django_filters.BooleanFilter(label=_("Đang hoạt động"))

    class Meta:
        model = Counter
        fields = ["unit", "is_active"]


class QuestionnaireFilter(django_filters.FilterSet):
    family = django_filters.CharFilter(max_length=60, label=_("Họ phiếu"))
    unit = IdFilter(field_name="unit_id", label=_("Mã số (id) đơn vị; phiếu chung toàn tỉnh không có đơn vị"))
    is_active = django_filters.BooleanFilter(label=_("Đang dùng"))

    class Meta:
        model = Questionnaire
        fields = ["family", "unit", "is_active"]
