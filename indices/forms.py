"""The dashboard's period picker: a year, and optionally a quarter or a month of it (parse only)."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .periods import Period, PeriodError, month, quarter, year

YEARS_BACK = 10


class PeriodForm(forms.Form):
    """Month, quarter and year controls. A month wins over a quarter, which wins over the whole year; a month and a
    quarter that disagree are refused. The text form (`ky`, e.g. 2025-Q1) is still read by the views for links."""

    nam = forms.TypedChoiceField(label=_("Năm"), coerce=int)
    quy = forms.TypedChoiceField(label=_("Quý"), coerce=int, required=False, empty_value=None)
    thang = forms.TypedChoiceField(label=_("Tháng"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        this_year = timezone.localdate().year
        self.fields["nam"].choices = [(y, str(y)) for y in range(this_year, this_year - YEARS_BACK, -1)]
        self.fields["quy"].choices = [("", _("Cả năm")), *[(q, _("Quý %(q)s") % {"q": q}) for q in range(1, 5)]]
        self.fields["thang"].choices = [("", _("Cả quý hoặc năm"))] + [
            (m, _("Tháng %(m)s") % {"m": m}) for m in range(1, 13)
        ]

    @classmethod
    def for_period(cls, period: Period) -> "PeriodForm":
        initial = {"nam": period.start.year}
        if period.kind in ("quarter", "month"):
            initial["quy"] = (period.start.month - 1) // 3 + 1
        if period.kind == "month":
            initial["thang"] = period.start.month
        form = cls(initial=initial)
        years = form.fields["nam"].choices
        if period.start.year not in dict(years):
            form.fields["nam"].choices = sorted([*years, (period.start.year, str(period.start.year))], reverse=True)
        return form

    def clean(self):
        data = super().clean()
        chosen_month, chosen_quarter = data.get("thang"), data.get("quy")
        if chosen_month and chosen_quarter and (chosen_month - 1) // 3 + 1 != chosen_quarter:
            raise forms.ValidationError(
                _("Tháng %(m)s không thuộc quý %(q)s.") % {"m": chosen_month, "q": chosen_quarter}
            )
        return data

    def period(self) -> Period:
        data = self.cleaned_data
        if data.get("thang"):
            return month(data["nam"], data["thang"])
        if data.get("quy"):
            return quarter(data["nam"], data["quy"])
        return year(data["nam"])


def period_from_picker(query) -> Period | None:
    """The period the picker's controls chose, None when they were not used; PeriodError when they are invalid."""
    if "nam" not in query:
        return None
    form = PeriodForm(query)
    if not form.is_valid():
        messages = [str(m) for errors in form.errors.values() for m in errors]
        raise PeriodError(_("Kỳ không hợp lệ: %(reason)s") % {"reason": " ".join(messages)})
    return form.period()
