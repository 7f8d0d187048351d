"""The review form: which quarantined ratings, which decision, and why."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import QuarantineDecision

MAX_SELECTED = 5000


class DecisionForm(forms.Form):
    """Clusters are submitted as comma-separated rating ids (one checkbox per cluster)."""

    clusters = forms.MultipleChoiceField(
        label=_("Nhóm đánh giá"),
        error_messages={"required": _("Hãy chọn ít nhất một nhóm đánh giá.")},
    )
    decision = forms.ChoiceField(
        label=_("Quyết định"),
        choices=QuarantineDecision.Decision.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Hãy chọn khôi phục hoặc loại bỏ.")},
    )
    reason = forms.CharField(
        label=_("Lý do"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Vui lòng nêu lý do của quyết định.")},
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Any well-formed id list is a valid choice; the service keeps only ratings still in quarantine.
        self.fields["clusters"].valid_value = lambda value: True

    def clean_clusters(self) -> list[int]:
        ids: set[int] = set()
        for value in self.cleaned_data["clusters"]:
            parts = [part.strip() for part in str(value).split(",") if part.strip()]
            if not parts or not all(part.isascii() and part.isdigit() and len(part) <= 18 for part in parts):
                raise forms.ValidationError(_("Lựa chọn không hợp lệ."), code="invalid")
            ids.update(int(part) for part in parts)
        if len(ids) > MAX_SELECTED:
            raise forms.ValidationError(
                _("Chọn tối đa %(max)s đánh giá mỗi lần."), code="too_many", params={"max": MAX_SELECTED}
            )
        return sorted(ids)

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Vui lòng nêu lý do của quyết định."), code="required")
        return reason
