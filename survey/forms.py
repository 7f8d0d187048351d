"""Forms of the rating flow and of the staff counter pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import COMMENT_MAX_LENGTH, QuestionnaireItem, ReasonChip, Score

NO_OPINION = "na"


class AccessibleErrorsMixin:
    """Tie each field's error message to its input (aria-describedby), as `survey/_field.html` renders it."""

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                attrs["aria-describedby"] = f"{self[name].auto_id}_error"
                attrs["aria-invalid"] = "true"


class RatingForm(forms.Form):
    """The one tap: a face (score) and the idempotency key that the page carried."""

    score = forms.TypedChoiceField(
        choices=[(str(value), label) for value, label in Score.choices],
        coerce=int,
        error_messages={
            "required": _("Vui lòng chọn một mức hài lòng."),
            "invalid_choice": _("Mức hài lòng phải từ 1 đến 5."),
        },
    )
    key = forms.UUIDField(
        error_messages={
            "required": _("Thiếu mã lượt đánh giá. Vui lòng tải lại trang và chọn lại."),
            "invalid": _("Mã lượt đánh giá không hợp lệ. Vui lòng tải lại trang và chọn lại."),
        }
    )
    # Sent by the page's script for a rating kept on the device while offline: when it was given (milliseconds since
    # 1970, the device's clock).
    at = forms.IntegerField(
        required=False,
        min_value=0,
        max_value=10**14,
        error_messages={"invalid": _("Thời điểm đánh giá không hợp lệ.")},
    )

    def given_at(self):
        import datetime

        at = self.cleaned_data.get("at")
        return None if at is None else datetime.datetime.fromtimestamp(at / 1000, tz=datetime.UTC)


class AnswerForm(AccessibleErrorsMixin, forms.Form):
    """The optional follow-up of a rating: the "why" chips, a short comment, and the items of the rating's
    questionnaire (1..5 or no opinion)."""

    reasons = forms.MultipleChoiceField(
        required=False,
        label=_("Điều gì chưa tốt?"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Lý do đã chọn không hợp lệ.")},
    )

    comment = forms.CharField(
        required=False,
        label=_("Góp ý thêm (không bắt buộc)"),
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Tối đa 500 ký tự; xin đừng ghi thông tin cá nhân."),
        error_messages={"max_length": _("Góp ý thêm tối đa %(limit_value)d ký tự.")},
    )

    def __init__(self, *args, items: list[QuestionnaireItem], chips: list[ReasonChip], **kwargs):
        super().__init__(*args, **kwargs)
        self.items = items
        choices = [(str(value), label) for value, label in reversed(Score.choices)]
        choices.append((NO_OPINION, _("Không có ý kiến")))
        for item in items:
            self.fields[f"item_{item.pk}"] = forms.ChoiceField(
                label=item.display_text,
                choices=choices,
                required=False,
                widget=forms.RadioSelect,
                error_messages={"invalid_choice": _("Vui lòng chọn một mức từ 1 đến 5 hoặc “Không có ý kiến”.")},
            )
        self.fields["reasons"].choices = [(chip.code, chip.display_label) for chip in chips]
        self.fields["comment"].widget.attrs["aria-describedby"] = f"{self['comment'].auto_id}_help"

    def item_fields(self):
        return [self[f"item_{item.pk}"] for item in self.items]

    def answers(self) -> dict[int, int | None]:
        """Item id -> value (None for no opinion); unanswered items are left out."""
        result = {}
        for item in self.items:
            value = self.cleaned_data.get(f"item_{item.pk}")
            if value:
                result[item.pk] = None if value == NO_OPINION else int(value)
        return result


class DossierLinkForm(AccessibleErrorsMixin, forms.Form):
    dossier_code = forms.CharField(
        label=_("Mã hồ sơ"),
        max_length=64,
        error_messages={"required": _("Vui lòng nhập mã hồ sơ."), "max_length": _("Mã hồ sơ tối đa 64 ký tự.")},
    )
    expires_at = forms.DateTimeField(
        label=_("Hết hạn lúc (không bắt buộc)"),
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={"invalid": _("Thời điểm hết hạn không hợp lệ.")},
    )


class KioskTokenForm(AccessibleErrorsMixin, forms.Form):
    label = forms.CharField(
        label=_("Ghi chú (ví dụ: máy tính bảng quầy 1)"),
        max_length=120,
        required=False,
        error_messages={"max_length": _("Ghi chú tối đa 120 ký tự.")},
    )
