"""A due date pending because the year's holidays were unknown gets its date once the city
supervisor enters them; a corrected holiday moves the due dates it touches."""

from datetime import date

import pytest

from assistance.services.due_dates import due_dates_refresh
from households.models import CalendarDay, CalendarDayKind
from tests.assistance.case_factories import apply, family, fresh
from tests.conftest import beijing

pytestmark = pytest.mark.django_db


def test_entering_2027_holidays_gives_pending_due_dates_their_date(
    pinned_clock, caseworker_a, django_capture_on_commit_callbacks
):
    pinned_clock.move_to(beijing("2027-03-01 09:00"))  # a Monday; 2027 is unknown to chinese-calendar
    application = apply(caseworker_a, family(), "rural_dibao")
    assert (application.due_on, application.current_due_on) == (None, None)

    # The supervisor enters the year (two days are enough to make it known here), in the admin's
    # transaction; the refresh runs after commit (in-process without a broker).
    with django_capture_on_commit_callbacks(execute=True):
        CalendarDay.objects.create(date=date(2027, 1, 1), kind=CalendarDayKind.HOLIDAY, name="元旦")
        CalendarDay.objects.create(date=date(2027, 3, 5), kind=CalendarDayKind.HOLIDAY, name="测试假日")

    application = fresh(application)
    # 30 working days from Monday 2027-03-01 skipping the weekends and Friday 3-05: Tuesday 4-13.
    assert application.due_on == date(2027, 4, 13)
    assert application.current_due_on == application.due_on == application.current_step.due_on


def test_a_corrected_holiday_moves_an_open_due_date_and_nothing_else_changes(pinned_clock, caseworker_a):
    pinned_clock.move_to(beijing("2026-06-08 09:00"))
    application = apply(caseworker_a, family(), "rural_dibao")
    before = application.due_on
    assert due_dates_refresh() == 0  # nothing to change
    CalendarDay.objects.create(date=date(2026, 6, 10), kind=CalendarDayKind.HOLIDAY, name="临时调整")
    assert due_dates_refresh() == 1
    assert fresh(application).due_on > before


def test_the_refresh_reads_in_a_fixed_number_of_queries_however_many_applications(
    pinned_clock, caseworker_a, django_assert_num_queries
):
    # an admin's calendar edit may touch tens of thousands of open applications: no query per row
    pinned_clock.move_to(beijing("2026-06-08 09:00"))
    for k in range(5):
        apply(caseworker_a, family(head=f"王{k}"), "rural_dibao")
    CalendarDay.objects.create(date=date(2026, 6, 10), kind=CalendarDayKind.HOLIDAY, name="临时调整")
    # the applications, the year's table rows, a savepoint pair, one UPDATE per table
    with django_assert_num_queries(6):
        assert due_dates_refresh() == 5
