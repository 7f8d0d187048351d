"""Reporting periods: a month, a quarter, a year or a custom range of days, and their text forms.

Text forms (used by `compute_indices --period` and the dashboard's `ky` parameter): `2025` (year), `2025-Q1`
(quarter), `2025-03` (month), `2025-01-01..2025-03-15` (custom range, both days included).
"""

from __future__ import annotations

import calendar
import datetime
import re
from dataclasses import dataclass

from django.utils.formats import date_format
from django.utils.translation import gettext as _


class PeriodError(ValueError):
    """The text is not a period."""


@dataclass(frozen=True, order=True)
class Period:
    start: datetime.date
    end: datetime.date
    kind: str

    def __str__(self) -> str:
        if self.kind == "year":
            return f"{self.start.year}"
        if self.kind == "quarter":
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        if self.kind == "month":
            return f"{self.start:%Y-%m}"
        return f"{self.start:%Y-%m-%d}..{self.end:%Y-%m-%d}"

    @property
    def label(self) -> str:
        if self.kind == "year":
            return _("Năm %(year)s") % {"year": self.start.year}
        if self.kind == "quarter":
            return _("Quý %(q)s/%(year)s") % {"q": (self.start.month - 1) // 3 + 1, "year": self.start.year}
        if self.kind == "month":
            return _("Tháng %(month)s") % {"month": f"{self.start:%m/%Y}"}
        return f"{date_format(self.start, 'SHORT_DATE_FORMAT')} – {date_format(self.end, 'SHORT_DATE_FORMAT')}"

    @property
    def is_whole_months(self) -> bool:
        return self.kind in ("month", "quarter", "year")

    def as_tuple(self) -> tuple[str, datetime.date, datetime.date]:
        return (self.kind, self.start, self.end)


def month(year: int, number: int) -> Period:
    return Period(
        datetime.date(year, number, 1), datetime.date(year, number, calendar.monthrange(year, number)[1]), "month"
    )


def quarter(year: int, number: int) -> Period:
    first = 3 * (number - 1) + 1
    return Period(datetime.date(year, first, 1), month(year, first + 2).end, "quarter")


def year(number: int) -> Period:
    return Period(datetime.date(number, 1, 1), datetime.date(number, 12, 31), "year")


def periods_containing(day: datetime.date) -> list[Period]:
    """The month, quarter and year that contain the day."""
    return [month(day.year, day.month), quarter(day.year, (day.month - 1) // 3 + 1), year(day.year)]


def periods_of_year(number: int) -> list[Period]:
    """The 12 months, 4 quarters and the year."""
    return [month(number, m) for m in range(1, 13)] + [quarter(number, q) for q in range(1, 5)] + [year(number)]


def parse_period(text: str) -> Period:
    text = (text or "").strip()
    try:
        if m := re.fullmatch(r"(\d{4})", text):
            return year(int(m[1]))
        if m := re.fullmatch(r"(\d{4})-[Qq]([1-4])", text):
            return quarter(int(m[1]), int(m[2]))
        if m := re.fullmatch(r"(\d{4})-(\d{1,2})", text):
            return month(int(m[1]), int(m[2]))
        if m := re.fullmatch(r"(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})", text):
            start, end = datetime.date.fromisoformat(m[1]), datetime.date.fromisoformat(m[2])
            if end < start:
                raise PeriodError(_("Ngày kết thúc phải sau ngày bắt đầu."))
            return Period(start, end, "custom")
    except ValueError as error:
        if isinstance(error, PeriodError):
            raise
        raise PeriodError(_("Kỳ không hợp lệ: %(text)s") % {"text": text}) from error
    raise PeriodError(
        _("Kỳ không hợp lệ: %(text)s. Dùng 2025, 2025-Q1, 2025-03 hoặc 2025-01-01..2025-03-15.") % {"text": text}
    )
