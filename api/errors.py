"""One shape for every API error: `{"detail": "...", "errors": {"field": ["...", ...]}}`.

`detail` is a sentence for a person; `errors` names the fields that were wrong (dotted paths for nested data,
`non_field_errors` for the request as a whole) and is empty when no field is at fault. Messages are Vietnamese by
default and follow the request's language (`Accept-Language: en`) through LocaleMiddleware. Bad input of any kind
(malformed JSON, unknown filter values, a domain service's ValidationError) answers a 4xx, never a 500.
"""

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc: Exception, context: dict) -> Response | None:
    """DRF's EXCEPTION_HANDLER: DRF's own handling (status, headers, rollback), then the project's body."""
    exc = _as_api_exception(exc)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # A genuine bug: let Django answer 500 and log it.
    response.data = error_body(exc, method=getattr(context.get("request"), "method", ""))
    return response


def error_body(exc: exceptions.APIException, method: str = "") -> dict[str, Any]:
    if isinstance(exc, exceptions.ValidationError):
        errors = _flatten(
            exc.detail if isinstance(exc.detail, dict) else {api_settings.NON_FIELD_ERRORS_KEY: exc.detail}
        )
        non_field = errors.get(api_settings.NON_FIELD_ERRORS_KEY)
        if non_field and len(errors) == 1:
            detail = non_field[0]
        else:
            detail = _("Dữ liệu gửi lên không hợp lệ. Xem chi tiết từng trường trong “errors”.")
        return {"detail": detail, "errors": errors}
    return {"detail": _detail_for(exc, method), "errors": {}}


def _as_api_exception(exc: Exception) -> Exception:
    if isinstance(exc, Http404):
        return exceptions.NotFound()
    if isinstance(exc, DjangoPermissionDenied):
        return exceptions.PermissionDenied()
    if isinstance(exc, DjangoValidationError):
        # Domain services raise Django's ValidationError; a field dict when they can name the field.
        if hasattr(exc, "error_dict"):
            return exceptions.ValidationError(exc.message_dict)
        return exceptions.ValidationError({api_settings.NON_FIELD_ERRORS_KEY: exc.messages})
    return exc


def _detail_for(exc: exceptions.APIException, method: str) -> str:
    """The Vietnamese sentence for an error. A view's or a service's own message is kept; the framework's
    generic English ones are replaced."""
    is_default = str(exc.detail) == str(exc.default_detail)
    if isinstance(exc, exceptions.NotAuthenticated):
        return _("Chưa xác thực: hãy gửi mã truy cập (Authorization: Token …) hoặc đăng nhập.")
    if isinstance(exc, exceptions.AuthenticationFailed):
        return _("Mã truy cập hoặc thông tin đăng nhập không hợp lệ.")
    if isinstance(exc, exceptions.Throttled):
        if exc.wait is None:
            return _("Quá nhiều yêu cầu. Vui lòng thử lại sau.")
        return _("Quá nhiều yêu cầu. Vui lòng thử lại sau %(wait)d giây.") % {"wait": max(1, round(exc.wait))}
    if isinstance(exc, exceptions.MethodNotAllowed):
        return _("Địa chỉ này không nhận phương thức %(method)s.") % {"method": method}
    if isinstance(exc, exceptions.UnsupportedMediaType):
        return _("Kiểu dữ liệu gửi lên không được hỗ trợ; hãy gửi JSON (Content-Type: application/json).")
    if isinstance(exc, exceptions.NotAcceptable):
        return _("Không thể trả lời theo định dạng được yêu cầu; API trả về JSON.")
    if isinstance(exc, exceptions.ParseError):
        return _("Dữ liệu gửi lên không đọc được (sai cú pháp JSON hoặc biểu mẫu).")
    if isinstance(exc, exceptions.PermissionDenied) and is_default:
        return _("Bạn không có quyền thực hiện thao tác này.")
    if isinstance(exc, exceptions.NotFound) and is_default:
        return _("Không tìm thấy.")
    return str(exc.detail)


def _flatten(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """{"items": [{"code": ["..."]}]} -> {"items.0.code": ["..."]}: every key names one field."""
    if isinstance(detail, dict):
        flat: dict[str, list[str]] = {}
        for key, value in detail.items():
            flat.update(_flatten(value, f"{prefix}.{key}" if prefix else str(key)))
        return flat
    if isinstance(detail, list) and any(isinstance(item, dict | list) for item in detail):
        flat = {}
        for index, value in enumerate(detail):
            if value:
                flat.update(_flatten(value, f"{prefix}.{index}" if prefix else str(index)))
        return flat
    messages = detail if isinstance(detail, list) else [detail]
    return {prefix or api_settings.NON_FIELD_ERRORS_KEY: [str(message) for message in messages]}


class Conflict(exceptions.APIException):
    """409: the request is well formed but conflicts with what is stored (a used key, a taken dossier code)."""

    status_code = 409
    default_detail = "Conflict."
    default_code = "conflict"


class UnknownReference(exceptions.ValidationError):
    """404 with the field errors: the input names an object (a unit of a bulk row) that does not exist."""

    status_code = 404
    default_code = "not_found"
