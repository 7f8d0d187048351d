"""The working-day calendar for PAKN deadlines.

A day is a working day when it is Monday to Friday and not a Vietnamese public holiday (from the maintained
`holidays` library, which includes Tết and the other lunar holidays and their substitute days), unless the
`CalendarDay` table says otherwise: an extra day off removes a working day, a make-up working day (often a
Saturday) adds one. Deadlines count whole working days after the day of the event: a case received on a Friday
with 2 working days to classify is due on the Tuesday, not counting any holiday in between.

Default deadlines, in working days (overridable with the `PAKN_DEADLINES` setting, read at call time):
classify or reject 2, ask for information 5, answer 15, publish 2 after approval.
"""

import datetime
from functools import lru_cache

import holidays
from django.conf import settings

DEFAULT_DEADLINES = {"classify": 2, "information": 5, "answer": 15, "publish": 2}


def deadline_days(kind: str) -> int:
    """The number of working days allowed for `kind` (classify, information, answer, publish)."""
    configured = getattr(settings, "PAKN_DEADLINES", {}) or {}
    return int(configured.get(kind, DEFAULT_DEADLINES[kind]))


@lru_cache(maxsize=16)
def _public_holidays(year: int) -> frozenset[datetime.date]:
    return frozenset(holidays.country_holidays("VN", years=year).keys())


class WorkCalendar:
    """Answers "is this a working day?" with the exceptions loaded once, so that a batch of deadlines costs one
    query. Make one per request or job; exceptions edited later are seen by the next calendar."""

    def __init__(self) -> None:
        from .models import CalendarDay

        self._days_off: set[datetime.date] = set()
        self._working: set[datetime.date] = set()
        for day, kind in CalendarDay.objects.values_list("date", "kind"):
            (self._working if kind == CalendarDay.Kind.WORKING_DAY else self._days_off).add(day)

    def is_working_day(self, day: datetime.date) -> bool:
        if day in self._working:
            return True
        if day in self._days_off:
            return False
        return day.weekday() < 5 and day not in _public_holidays(day.year)

    def add_working_days(self, start: datetime.date, days: int) -> datetime.date:
        """The date of the `days`-th working day after `start` (start itself is never counted)."""
        if days < 0:
            raise ValueError("days must not be negative")
        day, counted = start, 0
        while counted < days:
            day += datetime.timedelta(days=1)
            if self.is_working_day(day):
                counted += 1
        return day

    def working_days_between(self, start: datetime.date, end: datetime.date) -> int:
        """How many working days fall after `start` up to and including `end` (0 when end <= start)."""
        count, day = 0, start
        while day < end:
            day += datetime.timedelta(days=1)
            count += self.is_working_day(day)
        return count


def add_working_days(start: datetime.date, days: int) -> datetime.date:
    return WorkCalendar().add_working_days(start, days)


def is_working_day(day: datetime.date) -> bool:
    return WorkCalendar().is_working_day(day)
