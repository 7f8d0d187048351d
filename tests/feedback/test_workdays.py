"""Working-day deadlines: weekends, Tết and other public holidays, extra days off and make-up days."""

import datetime

import pytest

from feedback.models import CalendarDay
from feedback.workdays import WorkCalendar, add_working_days, deadline_days, is_working_day

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        # A Friday before a plain weekend: Monday is 1, Tuesday is 2.
        (D(2026, 3, 6), 2, D(2026, 3, 10)),
        # Friday 13 Feb 2026, just before Tết Bính Ngọ (16-20 Feb off): the weekend and all of Tết are skipped.
        (D(2026, 2, 13), 2, D(2026, 2, 24)),
        (D(2026, 2, 13), 5, D(2026, 2, 27)),
        (D(2026, 2, 13), 15, D(2026, 3, 13)),
        # Wednesday 3 Feb 2027, before Tết Đinh Mùi (4-10 Feb off, partly over a weekend).
        (D(2027, 2, 3), 2, D(2027, 2, 12)),
        (D(2027, 2, 3), 1, D(2027, 2, 11)),
        # Received on a Saturday: counting starts with the next working day.
        (D(2026, 3, 7), 2, D(2026, 3, 10)),
        # National Day 2026 (1-2 Sep) and the substitute Monday 31 Aug.
        (D(2026, 8, 28), 1, D(2026, 9, 3)),
    ],
)
def test_deadlines_skip_weekends_and_vietnamese_holidays(start, days, expected):
    assert add_working_days(start, days) == expected


def test_tet_days_are_not_working_days():
    assert not is_working_day(D(2026, 2, 17))  # Mùng 1 Tết 2026
    assert not is_working_day(D(2027, 2, 8))  # Mùng 3 Tết 2027
    assert not is_working_day(D(2026, 3, 7))  # Saturday
    assert is_working_day(D(2026, 2, 23))


def test_make_up_working_day_and_extra_day_off_are_respected():
    # given a make-up Saturday and an extra day off on the following Monday
    CalendarDay.objects.create(date=D(2026, 3, 7), kind=CalendarDay.Kind.WORKING_DAY, note="Làm bù")
    CalendarDay.objects.create(date=D(2026, 3, 9), kind=CalendarDay.Kind.DAY_OFF, note="Nghỉ thêm")
    calendar = WorkCalendar()
    # then Friday + 1 is the make-up Saturday, + 2 skips the Sunday and the day off
    assert calendar.add_working_days(D(2026, 3, 6), 1) == D(2026, 3, 7)
    assert calendar.add_working_days(D(2026, 3, 6), 2) == D(2026, 3, 10)


def test_deadline_lengths_default_to_the_law_and_are_configurable(settings):
    assert [deadline_days(k) for k in ("classify", "information", "answer", "publish")] == [2, 5, 15, 2]
    settings.PAKN_DEADLINES = {"answer": 10}
    assert deadline_days("answer") == 10
    assert deadline_days("classify") == 2


def test_working_days_between_counts_only_working_days():
    assert WorkCalendar().working_days_between(D(2026, 2, 13), D(2026, 2, 24)) == 2
    assert WorkCalendar().working_days_between(D(2026, 2, 24), D(2026, 2, 13)) == 0
