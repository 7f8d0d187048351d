"""Forms for PAKN pages: parse and validate input, nothing else (services do the writing)."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from survey.models import Unit, User

from .attachments import check_attachments, max_attachment_bytes, max_attachments
from .models import Category, DataRequest, Status
from .services import ContactInput


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        return [super(MultipleFileField, self).clean(item, initial) for item in files]


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Unit) -> str:
        return obj.name


def _grouped_unit_choices(units) -> list:
    """Active units grouped by their group, as <optgroup>s."""
    choices: dict[str, list] = {}
    for unit in units:
        choices.setdefault(unit.group.display_name, []).append((unit.pk, unit.name))
    return [("", _("— Chọn đơn vị —")), *choices.items()]


class CaseForm(forms.Form):
    unit = UnitChoiceField(label=_("Đơn vị bạn muốn phản ánh"), queryset=Unit.objects.none(), required=True)
    category = forms.ChoiceField(
        label=_("Vấn đề bạn gặp phải"), choices=Category.choices, widget=forms.RadioSelect, required=True
    )
    text = forms.CharField(
        label=_("Nội dung phản ánh, kiến nghị"),
        max_length=4000,
        min_length=10,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Nêu sự việc, thời gian, quầy hoặc cán bộ liên quan (nếu biết). Tối thiểu 10 ký tự."),
    )
    files = MultipleFileField(label=_("Ảnh hoặc tệp PDF đính kèm (không bắt buộc)"), required=False)
    name = forms.CharField(label=_("Họ tên"), max_length=120, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    phone = forms.RegexField(
        label=_("Số điện thoại"),
        regex=r"^\+?[0-9 .-]{8,20}$",
        required=False,
        error_messages={"invalid": _("Số điện thoại không hợp lệ.")},
    )
    consent_reply = forms.BooleanField(
        label=_("Tôi đồng ý để cơ quan dùng email/số điện thoại trên để gửi trả lời cho tôi."), required=False
    )
    consent_publish = forms.BooleanField(
        label=_("Tôi đồng ý để nội dung trả lời, đã xóa mọi thông tin cá nhân, được công khai."), required=False
    )
    # A one-time key made when the form is shown: the same form sent twice files one case.
    submission_key = forms.UUIDField(required=False, widget=forms.HiddenInput)
    file_anyway = forms.BooleanField(
        label=_("Đây là phản ánh khác, tôi vẫn muốn gửi."),
        required=False,
    )

    def __init__(self, *args, fixed_unit: Unit | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fixed_unit = fixed_unit
        if fixed_unit is not None:
            del self.fields["unit"]
        else:
            units = Unit.objects.active().select_related("group").order_by("group__position", "group__name", "name")
            self.fields["unit"].queryset = units
            self.fields["unit"].choices = _grouped_unit_choices(units)
        self.fields["files"].help_text = _("Tối đa %(count)d tệp, mỗi tệp không quá %(size)d MB.") % {
            "count": max_attachments(),
            "size": max_attachment_bytes() // (1024 * 1024),
        }
        self.fields["files"].widget.attrs["accept"] = "image/jpeg,image/png,image/webp,application/pdf"
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.fields["phone"].widget = forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"})
        self.fields["name"].widget.attrs["autocomplete"] = "name"

    def clean_files(self):
        return check_attachments(self.cleaned_data.get("files") or [])

    def clean(self):
        data = super().clean()
        has_details = any(data.get(key) for key in ("name", "email", "phone"))
        if has_details and not data.get("consent_reply"):
            self.add_error(
                "consent_reply",
                _("Bạn đã nhập thông tin liên hệ: hãy đánh dấu đồng ý nhận trả lời, hoặc xóa thông tin đó."),
            )
        if data.get("consent_reply") and not (data.get("email") or data.get("phone")):
            self.add_error("email", _("Để nhận trả lời, hãy nhập email hoặc số điện thoại."))
        return data

    def contact(self) -> ContactInput:
        data = self.cleaned_data
        return ContactInput(
            name=data.get("name", ""),
            email=data.get("email", ""),
            phone=data.get("phone", ""),
            consent_reply=bool(data.get("consent_reply")),
            consent_publish=bool(data.get("consent_publish")),
        )

    @property
    def target_unit(self) -> Unit:
        return self.fixed_unit or self.cleaned_data["unit"]


class LookupForm(forms.Form):
    code = forms.CharField(
        label=_("Mã tra cứu"),
        help_text=_("Mã gồm 16 ký tự bạn nhận được khi gửi phản ánh."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"}),
    )

    def clean_code(self) -> str:
        return "".join(self.cleaned_data["code"].split()).lower()


class CodeRequestForm(forms.Form):
    """ "Send me my code": the email or phone number the citizen gave with their case."""

    contact = forms.CharField(
        label=_("Email hoặc số điện thoại ông/bà đã để lại khi gửi phản ánh"),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "email", "autocapitalize": "none", "spellcheck": "false"}),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "code_%s")
        super().__init__(*args, **kwargs)

    def clean_contact(self) -> str:
        from django.core.validators import validate_email

        value = self.cleaned_data["contact"].strip()
        if "@" in value:
            try:
                validate_email(value)
            except forms.ValidationError:
                raise forms.ValidationError(_("Email không hợp lệ.")) from None
            return value
        if not re.fullmatch(r"\+?[0-9 .-]{8,20}", value):
            raise forms.ValidationError(_("Hãy nhập một email hoặc số điện thoại hợp lệ."))
        return value


class AnswerRatingForm(forms.Form):
    satisfied = forms.TypedChoiceField(
        label=_("Bạn có hài lòng với trả lời này không?"),
        choices=[("1", _("Hài lòng")), ("0", _("Không hài lòng"))],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
    )


class AppealForm(forms.Form):
    text = forms.CharField(
        label=_("Lý do đề nghị xem xét lại"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )


class InformationForm(forms.Form):
    text = forms.CharField(label=_("Thông tin bổ sung"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))


class TransitionForm(forms.Form):
    to = forms.ChoiceField(
        label=_("Chuyển sang"),
        choices=[
            (Status.ACCEPTED, _("Thụ lý")),
            (Status.REJECTED, _("Không thụ lý")),
            (Status.NEEDS_INFORMATION, _("Yêu cầu bổ sung thông tin")),
            (Status.IN_PROGRESS, _("Bắt đầu xử lý")),
            (Status.CLOSED, _("Đóng")),
        ],
    )
    note = forms.CharField(
        label=_("Lý do / nội dung gửi người dân"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Bắt buộc khi không thụ lý hoặc yêu cầu bổ sung thông tin."),
    )


class AnswerForm(forms.Form):
    text = forms.CharField(
        label=_("Nội dung trả lời (công khai trên trang tra cứu)"),
        max_length=8000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )


class ApproveForm(forms.Form):
    text = forms.CharField(
        label=_("Nội dung trả lời được phê duyệt (có thể chỉnh sửa)"),
        max_length=8000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )

    def __init__(self, *args, **kwargs):
        # Its own ids: the case page shows other forms with a field of the same name.
        kwargs.setdefault("auto_id", "approve_%s")
        super().__init__(*args, **kwargs)


class ReturnAnswerForm(forms.Form):
    note = forms.CharField(
        label=_("Lý do trả lại dự thảo (chỉ cán bộ xem được)"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "return_%s")
        super().__init__(*args, **kwargs)


class PublishForm(forms.Form):
    """No field: the approved text is published as it is."""


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Ghi chú nội bộ (người dân không xem được)"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )


class AssignForm(forms.Form):
    officer = forms.ModelChoiceField(label=_("Cán bộ xử lý"), queryset=User.objects.none())

    def __init__(self, *args, unit: Unit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officer"].queryset = User.objects.filter(
            unit=unit, is_active=True, role__in=[User.Role.OFFICER, User.Role.LEAD]
        ).order_by("username")


class TransferForm(forms.Form):
    unit = UnitChoiceField(label=_("Chuyển đến đơn vị"), queryset=Unit.objects.none())
    reason = forms.CharField(label=_("Lý do chuyển"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, current_unit: Unit, **kwargs):
        super().__init__(*args, **kwargs)
        units = Unit.objects.active().exclude(pk=current_unit.pk).select_related("group")
        self.fields["unit"].queryset = units
        self.fields["unit"].choices = _grouped_unit_choices(units)


class DataRequestForm(forms.Form):
    """The citizen's request: the tracking code and the contact they gave prove that the data is theirs."""

    code = forms.CharField(
        label=_("Mã tra cứu"),
        max_length=64,
        help_text=_("Mã gồm 16 ký tự bạn nhận được khi gửi phản ánh."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"}),
    )
    contact = forms.CharField(
        label=_("Email hoặc số điện thoại bạn đã cung cấp"),
        max_length=254,
        help_text=_("Đúng email hoặc số điện thoại bạn đã ghi khi gửi phản ánh."),
        widget=forms.TextInput(attrs={"autocomplete": "email", "autocapitalize": "none", "spellcheck": "false"}),
    )
    kind = forms.ChoiceField(
        label=_("Bạn muốn"),
        choices=[
            (DataRequest.Kind.SEE, _("Xem thông tin liên hệ cơ quan đang lưu")),
            (DataRequest.Kind.DELETE, _("Xóa thông tin liên hệ của tôi")),
        ],
        widget=forms.RadioSelect,
    )
    confirm_delete = forms.BooleanField(
        label=_(
            "Tôi hiểu rằng sau khi xóa, cơ quan không thể gửi trả lời qua email/SMS cho tôi; tôi vẫn xem được "
            "kết quả bằng mã tra cứu."
        ),
        required=False,
    )

    def clean(self):
        data = super().clean()
        if data.get("kind") == DataRequest.Kind.DELETE and not data.get("confirm_delete"):
            self.add_error("confirm_delete", _("Hãy đánh dấu xác nhận để xóa thông tin liên hệ."))
        return data


class RecordDataRequestForm(forms.Form):
    """Staff record a request received by letter, phone or at the counter, after checking who is asking."""

    code = forms.CharField(label=_("Mã tra cứu của phản ánh"), max_length=64)
    kind = forms.ChoiceField(label=_("Yêu cầu"), choices=DataRequest.Kind.choices)
    note = forms.CharField(
        label=_("Ghi chú (kênh nhận, số văn bản...)"),
        max_length=300,
        required=False,
        help_text=_("Không ghi thông tin cá nhân của người dân vào đây."),
    )

    def clean_code(self) -> str:
        return "".join(self.cleaned_data["code"].split()).lower()
