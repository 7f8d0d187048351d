"""Pagination of API lists: numbered pages by default (cursor pagination is for the long, growing lists).

Strict about its parameters: a `page` or `page_size` that is not a whole number in range answers 400 naming the
parameter (DRF would silently ignore it), and a page past the end answers 404.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import pagination
from rest_framework.exceptions import ValidationError


def _whole_number(value: str, *, minimum: int, maximum: int) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if minimum <= number <= maximum else None


class PageNumberPagination(pagination.PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 200
    max_page = 10**9
    invalid_page_message = gettext_lazy("Trang không tồn tại.")
    page_query_description = gettext_lazy("Số trang, từ 1.")
    page_size_query_description = gettext_lazy("Số bản ghi mỗi trang, từ 1 đến 200 (mặc định 50).")

    def get_page_size(self, request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        size = _whole_number(raw, minimum=1, maximum=self.max_page_size)
        if size is None:
            message = _("Số bản ghi mỗi trang phải là số nguyên từ 1 đến %(max)d.") % {"max": self.max_page_size}
            raise ValidationError({self.page_size_query_param: [message]})
        return size

    def get_page_number(self, request, paginator):
        raw = request.query_params.get(self.page_query_param)
        if raw is None:
            return 1
        number = _whole_number(raw, minimum=1, maximum=self.max_page)
        if number is None:
            raise ValidationError({self.page_query_param: [_("Số trang phải là số nguyên dương.")]})
        return number

    def get_schema_operation_parameters(self, view) -> list[dict]:
        parameters = super().get_schema_operation_parameters(view)
        bounds = {
            self.page_query_param: {"minimum": 1, "maximum": self.max_page},
            self.page_size_query_param: {"minimum": 1, "maximum": self.max_page_size},
        }
        for parameter in parameters:
            parameter["schema"].update(bounds.get(parameter["name"], {}))
        return parameters


class RatingCursorPagination(pagination.CursorPagination):
    """Ratings are a long, growing list: a cursor keeps pages stable while new ratings arrive and costs the same
    on the thousandth page as on the first. Newest first; follow `next` until it is null."""

    ordering = ("-created_at", "-id")
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    invalid_cursor_message = gettext_lazy("Con trỏ trang không hợp lệ.")
    cursor_query_description = gettext_lazy("Con trỏ trang, lấy từ `next` hoặc `previous` của trang trước.")
    page_size_query_description = gettext_lazy("Số bản ghi mỗi trang, từ 1 đến 200 (mặc định 50).")

    def get_page_size(self, request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        size = _whole_number(raw, minimum=1, maximum=self.max_page_size)
        if size is None:
            message = _("Số bản ghi mỗi trang phải là số nguyên từ 1 đến %(max)d.") % {"max": self.max_page_size}
            raise ValidationError({self.page_size_query_param: [message]})
        return size

    def get_schema_operation_parameters(self, view) -> list[dict]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"].update({"minimum": 1, "maximum": self.max_page_size})
        return parameters
