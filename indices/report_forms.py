"""Forms of the reporting module (report filter, export request, CCHC entry and import)."""

import datetime
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from survey.models import Rating, Unit

from .models import CchcField, CchcScore, ReportExport, ReportScheme

QUARTER_CHOICES = [("", _("Cả năm")), ("1", _("Quý 1")), ("2", _("Quý 2")), ("3", _("Quý 3")), ("4", _("Quý 4"))]


def _year_field() -> forms.IntegerField:
    return forms.IntegerField(
        label=_("Năm"),
        min_value=2000,
        max_value=2100,
        error_messages={
            "invalid": _("Năm phải là một số."),
            "min_value": _("Năm phải từ 2000 đến 2100."),
            "max_value": _("Năm phải từ 2000 đến 2100."),
            "required": _("Hãy chọn năm."),
        },
    )


class ReportFilterForm(forms.Form):
    year = _year_field()
    quarter = forms.TypedChoiceField(
        label=_("Kỳ hài lòng"),
        choices=QUARTER_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
        error_messages={"invalid_choice": _("Quý không hợp lệ.")},
    )


class ExportForm(ReportFilterForm):
    file_format = forms.ChoiceField(
        label=_("Định dạng"),
        choices=ReportExport.Format.choices,
        error_messages={"invalid_choice": _("Định dạng không được hỗ trợ.")},
    )


class CchcImportForm(forms.Form):
    year = _year_field()
    file = forms.FileField(
        label=_("Tệp điểm (.xlsx hoặc .csv)"),
        error_messages={"required": _("Hãy chọn tệp cần nhập."), "empty": _("Tệp trống.")},
    )
    replace = forms.BooleanField(label=_("Thay toàn bộ điểm đã có của năm này"), required=False)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".xlsx", ".csv")):
            raise forms.ValidationError(_("Chỉ nhận tệp .xlsx hoặc .csv."))
        if upload.size > 5 * 1024 * 1024:
            raise forms.ValidationError(_("Tệp quá lớn (tối đa 5 MB)."))
        return upload

    def clean(self):
        # Importing a year replaces all of its scores: when the year already has some, the user must say so.
        cleaned = super().clean()
        year = cleaned.get("year")
        if year and not cleaned.get("replace") and CchcScore.objects.filter(year=year).exists():
            self.add_error(
                "replace",
                _("Năm %(year)s đã có điểm CCHC. Đánh dấu ô này để xác nhận thay toàn bộ điểm của năm đó.")
                % {"year": year},
            )
        return cleaned


class CchcScoreForm(forms.Form):
    """One unit's score for a year, with an optional pair of inputs per field of the index."""

    unit = forms.ModelChoiceField(
        label=_("Đơn vị"), queryset=Unit.objects.none(), error_messages={"invalid_choice": _("Đơn vị không hợp lệ.")}
    )
    year = _year_field()
    points = forms.DecimalField(label=_("Điểm đạt"), min_value=0, max_digits=7, decimal_places=2)
    max_points = forms.DecimalField(label=_("Điểm tối đa"), min_value=Decimal("0.01"), max_digits=7, decimal_places=2)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.select_related("group").order_by("group__position", "name")
        self.fields["year"].initial = timezone.localdate().year - 1
        self.cchc_fields = list(CchcField.objects.filter(is_active=True))
        for cchc_field in self.cchc_fields:
            self.fields[f"f_{cchc_field.code}"] = forms.DecimalField(
                label=_("%(field)s: điểm đạt") % {"field": cchc_field.display_name},
                min_value=0,
                max_digits=7,
                decimal_places=2,
                required=False,
            )
            self.fields[f"m_{cchc_field.code}"] = forms.DecimalField(
                label=_("%(field)s: điểm tối đa") % {"field": cchc_field.display_name},
                min_value=Decimal("0.01"),
                max_digits=7,
                decimal_places=2,
                required=False,
                initial=cchc_field.default_max,
            )

    def field_pairs(self):
        return [(self[f"f_{f.code}"], self[f"m_{f.code}"]) for f in self.cchc_fields]

    def clean(self):
        data = super().clean()
        points, maximum = data.get("points"), data.get("max_points")
        if points is not None and maximum is not None and points > maximum:
            self.add_error("points", _("Điểm đạt lớn hơn điểm tối đa."))
        unit, year = data.get("unit"), data.get("year")
        if (
            unit
            and year
            and not (
                unit.valid_from <= datetime.date(year, 12, 31)
                and (unit.valid_to is None or unit.valid_to >= datetime.date(year, 1, 1))
            )
        ):
            self.add_error("unit", _("Đơn vị không hoạt động trong năm này."))
        data["field_scores"] = {}
        for cchc_field in self.cchc_fields:
            field_points = data.get(f"f_{cchc_field.code}")
            field_max = data.get(f"m_{cchc_field.code}") or cchc_field.default_max
            if field_points is None:
                continue
            if field_points > field_max:
                self.add_error(f"f_{cchc_field.code}", _("Điểm đạt lớn hơn điểm tối đa."))
            data["field_scores"][cchc_field] = (field_points, field_max)
        return data


class ReportSchemeForm(forms.ModelForm):
    """Bands, weights and target valid from a year; saving a year that has a scheme replaces it."""

    channels = forms.MultipleChoiceField(
        label=_("Kênh được tính vào mức hài lòng"),
        choices=Rating.Channel.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Để trống: mọi kênh. Ví dụ: chỉ chọn Khảo sát để báo cáo theo kết quả khảo sát chính thức."),
        error_messages={"invalid_choice": _("Kênh không hợp lệ.")},
    )

    class Meta:
        model = ReportScheme
        fields = [
            "valid_from_year",
            "excellent_min",
            "good_min",
            "fair_min",
            "average_min",
            "cchc_weight",
            "satisfaction_weight",
            "satisfaction_target",
            "channels",
            "note",
        ]
        error_messages = {
            "valid_from_year": {"invalid": _("Năm phải là một số."), "required": _("Hãy nhập năm.")},
            **{
                name: {"invalid": _("Hãy nhập một số."), "required": _("Hãy nhập giá trị.")}
                for name in (
                    "excellent_min",
                    "good_min",
                    "fair_min",
                    "average_min",
                    "cchc_weight",
                    "satisfaction_weight",
                    "satisfaction_target",
                )
            },
        }

    def validate_unique(self) -> None:
        """A year that already has a scheme is replaced by the service, not refused."""

    def clean(self):
        data = super().clean()
        average, fair, good = data.get("average_min"), data.get("fair_min"), data.get("good_min")
        excellent = data.get("excellent_min")
        if None not in (average, fair, good) and not (0 <= average < fair < good <= 100):
            self.add_error("fair_min", _("Các ngưỡng phải tăng dần: Trung bình < Khá < Tốt, trong khoảng 0–100."))
        if excellent is not None and good is not None and not good < excellent <= 100:
            self.add_error("excellent_min", _("Ngưỡng Xuất sắc phải lớn hơn ngưỡng Tốt và không quá 100."))
        weights = (data.get("cchc_weight"), data.get("satisfaction_weight"))
        if None not in weights and (min(weights) < 0 or sum(weights) != 1):
            self.add_error("satisfaction_weight", _("Hai trọng số phải không âm và có tổng bằng 1."))
        target = data.get("satisfaction_target")
        if target is not None and not 0 < target <= 100:
            self.add_error("satisfaction_target", _("Mục tiêu phải trong khoảng 0–100."))
        year = data.get("valid_from_year")
        if year is not None and not 2000 <= year <= 2100:
            self.add_error("valid_from_year", _("Năm phải từ 2000 đến 2100."))
        return data


class RatingImportForm(forms.Form):
    """A respondent-level rating file and what its rows are: an official survey or historical ratings."""

    file = forms.FileField(
        label=_("Tệp phiếu (.xlsx hoặc .csv)"),
        error_messages={"required": _("Hãy chọn tệp cần nhập."), "empty": _("Tệp trống.")},
    )
    channel = forms.ChoiceField(
        label=_("Loại dữ liệu"),
        choices=[
            ("survey", _("Kết quả khảo sát (phiếu SIPAS, khảo sát của tỉnh)")),
            ("import", _("Đánh giá cũ từ hệ thống khác")),
        ],
        initial="survey",
        widget=forms.RadioSelect,
        error_messages={"required": _("Hãy chọn loại dữ liệu."), "invalid_choice": _("Loại dữ liệu không hợp lệ.")},
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".xlsx", ".csv")):
            raise forms.ValidationError(_("Chỉ nhận tệp .xlsx hoặc .csv."))
        if upload.size > 50 * 1024 * 1024:
            raise forms.ValidationError(_("Tệp quá lớn (tối đa 50 MB)."))
        return upload
