"""Properties of the working-day calendar (hypothesis), over many start days and lengths rather than a few cases.

Adding n working days never lands on a day off (a weekend that is not a make-up day, a public holiday, an extra day
off), is strictly increasing in n and never decreasing in the start day, is undone by `working_days_between`, and
skips Tết. The dates of Tết (Mùng 1) are written here from the lunar calendar, independently of the `holidays`
library that the code reads, so the library is checked too. The calendar reads its exceptions from the database
once, so each test builds one and queries it for every example.
"""

import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from feedback.models import CalendarDay
from feedback.workdays import WorkCalendar
from tests.fuzzing import examples

pytestmark = pytest.mark.django_db

D = datetime.date
ONE_DAY = datetime.timedelta(days=1)

# Mùng 1 Tết in Vietnam (UTC+7): 2030's falls a day before China's (the new moon is at 23:07 in Hà Nội).
TET = {
    2024: D(2024, 2, 10),
    2025: D(2025, 1, 29),
    2026: D(2026, 2, 17),
    2027: D(2027, 2, 6),
    2028: D(2028, 1, 26),
    2029: D(2029, 2, 13),
    2030: D(2030, 2, 2),
}
# Tết gives five days off (Labour Code 2019, article 112), which always include the first three of the lunar year.
TET_CORE = {mung_1 + offset * ONE_DAY for mung_1 in TET.values() for offset in range(3)}

# A make-up Saturday and an extra day off, both around Tết 2026, for the tests that use exceptions.
MAKE_UP_SATURDAY = D(2026, 2, 28)
EXTRA_DAY_OFF = D(2026, 2, 23)

property_test = settings(
    max_examples=examples(200), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
start_days = st.dates(min_value=D(2024, 1, 1), max_value=D(2030, 12, 31))
lengths = st.integers(min_value=0, max_value=40)


@pytest.fixture
def calendar(db) -> WorkCalendar:
    return WorkCalendar()


@pytest.fixture
def calendar_with_exceptions(db) -> WorkCalendar:
    CalendarDay.objects.create(date=MAKE_UP_SATURDAY, kind=CalendarDay.Kind.WORKING_DAY, note="Làm bù")
    CalendarDay.objects.create(date=EXTRA_DAY_OFF, kind=CalendarDay.Kind.DAY_OFF, note="Nghỉ thêm")
    return WorkCalendar()


@property_test
@given(start=start_days, n=st.integers(min_value=1, max_value=40))
def test_adding_working_days_never_lands_on_a_day_off(calendar, start, n):
    due = calendar.add_working_days(start, n)
    assert due > start
    assert due.weekday() < 5
    assert due not in TET_CORE
    assert calendar.is_working_day(due)


@property_test
@given(start=st.dates(min_value=D(2026, 2, 1), max_value=D(2026, 3, 15)), n=st.integers(min_value=1, max_value=20))
def test_exceptions_move_deadlines_onto_make_up_days_and_off_extra_days_off(calendar_with_exceptions, start, n):
    due = calendar_with_exceptions.add_working_days(start, n)
    assert due != EXTRA_DAY_OFF
    assert due.weekday() < 5 or due == MAKE_UP_SATURDAY
    assert due not in TET_CORE


@property_test
@given(start=start_days, n=lengths, more=st.integers(min_value=1, max_value=20))
def test_adding_working_days_is_strictly_increasing_in_n(calendar, start, n, more):
    assert calendar.add_working_days(start, n) < calendar.add_working_days(start, n + more)


@property_test
@given(start=start_days, later_by=st.integers(min_value=0, max_value=30), n=lengths)
def test_a_later_start_never_gives_an_earlier_deadline(calendar, start, later_by, n):
    later = start + later_by * ONE_DAY
    assert calendar.add_working_days(start, n) <= calendar.add_working_days(later, n)


@property_test
@given(start=start_days, n=lengths)
def test_working_days_between_undoes_adding_them(calendar, start, n):
    due = calendar.add_working_days(start, n)
    assert calendar.working_days_between(start, due) == n
    # The day before the deadline is one working day short: the deadline is the first day that reaches n.
    if n:
        assert calendar.working_days_between(start, due - ONE_DAY) == n - 1


def _weekday_deadline_skipping_tet_core(start: datetime.date, n: int) -> datetime.date:
    """The n-th weekday after `start` that is not one of the three core days of Tết: no real calendar can reach a
    deadline sooner, whatever other holidays it knows."""
    day, counted = start, 0
    while counted < n:
        day += ONE_DAY
        counted += day.weekday() < 5 and day not in TET_CORE
    return day


@property_test
@given(
    year=st.sampled_from(sorted(TET)),
    days_before=st.integers(min_value=1, max_value=14),
    n=st.integers(min_value=1, max_value=20),
)
def test_deadlines_across_tet_skip_its_days(calendar, year, days_before, n):
    mung_1 = TET[year]
    start = mung_1 - days_before * ONE_DAY
    due = calendar.add_working_days(start, n)
    assert not any(calendar.is_working_day(mung_1 + offset * ONE_DAY) for offset in range(3))
    assert due not in TET_CORE
    assert due >= _weekday_deadline_skipping_tet_core(start, n)
    # A deadline whose plain weekday count reaches Tết is pushed past Tết's third day.
    plain = start
    for _ in range(n):
        plain += ONE_DAY
        while plain.weekday() >= 5:
            plain += ONE_DAY
    if plain >= mung_1:
        assert due > mung_1 + 2 * ONE_DAY
