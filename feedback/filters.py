"""FilterSets for case lists, shared by the staff inbox (and later the API)."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from survey.models import Counter

from .models import Case, Category, Status


class CaseFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Tìm kiếm"), method="filter_search")
    status = django_filters.ChoiceFilter(label=_("Trạng thái"), choices=Status.choices, empty_label=_("Tất cả"))
    category = django_filters.ChoiceFilter(label=_("Loại"), choices=Category.choices, empty_label=_("Tất cả"))
    overdue = django_filters.BooleanFilter(
        label=_("Quá hạn"),
        method="filter_overdue",
        widget=django_filters.widgets.BooleanWidget(),
    )
    counter = django_filters.ModelChoiceFilter(
        label=_("Quầy"), queryset=Counter.objects.none(), empty_label=_("Tất cả")
    )
    created_after = django_filters.DateFilter(
        label=_("Gửi từ ngày"),
        field_name="created_at",
        lookup_expr="date__gte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    created_before = django_filters.DateFilter(
        label=_("Gửi đến ngày"),
        field_name="created_at",
        lookup_expr="date__lte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = Case
        fields = ["q", "status", "category", "overdue", "counter", "created_after", "created_before"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        counters = Counter.objects.select_related("unit")
        if user is not None and not user.sees_all_units:
            counters = counters.filter(unit_id=user.unit_id)
        self.filters["counter"].queryset = counters
        self.form.fields["overdue"].widget.choices = [("", _("Tất cả")), ("true", _("Có")), ("false", _("Không"))]

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        condition = Q(text__icontains=value) | Q(tracking_code__iexact=value)
        number = value.lstrip("#")
        # "³" and "٣" are digits to `isdigit`; ids are ASCII and fit in a bigint.
        if number.isascii() and number.isdigit() and int(number) < 2**63:
            condition |= Q(pk=int(number))
        return queryset.filter(condition)

    def filter_overdue(self, queryset, name, value):
        today = timezone.localdate()
        if value is True:
            return queryset.filter(due_date__lt=today)
        if value is False:
            return queryset.exclude(due_date__lt=today)
        return queryset
