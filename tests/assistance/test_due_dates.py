"""Due dates of applications and steps (services): working days across the Spring Festival and its
make-up Saturdays, the 45-day complex case, the 7 calendar days of 公示, and a year the calendar
does not know (pending until someone enters it)."""

from datetime import date

import pytest

from assistance.services.due_dates import due_dates_refresh
from households.models import CalendarDay, CalendarDayKind
from tests.assistance.case_factories import application_at, apply, family, fresh, pass_step
from tests.conftest import beijing

pytestmark = pytest.mark.django_db


def test_30_working_days_from_2_february_2026_end_on_20_march(pinned_clock, caseworker_a):
    # Accepted Monday 2026-02-02: the Spring Festival week (2-15..2-23) is not counted, the
    # make-up Saturdays 2-14 and 2-28 are (see tests/households/test_workdays.py).
    pinned_clock.move_to(beijing("2026-02-02 09:00"))
    application = apply(caseworker_a, family(), "rural_dibao")
    assert application.accepted_on == date(2026, 2, 2)
    assert application.due_on == date(2026, 3, 20)
    # 申请受理 has no limit of its own: it is due with the whole procedure
    assert application.current_due_on == date(2026, 3, 20)
    assert application.steps.get(code="accept").due_on == date(2026, 3, 20)


def test_a_complex_case_has_45_working_days_across_qingming(pinned_clock, caseworker_a):
    # 30 working days end on 3-20; 15 more: 3-23..4-03 (10), 清明 4-04..4-06 off, 4-07..4-10, 4-13.
    pinned_clock.move_to(beijing("2026-02-02 09:00"))
    application = apply(caseworker_a, family(), "rural_dibao", complex_case=True)
    assert application.complex_case
    assert application.due_on == date(2026, 4, 13)


def test_the_next_step_opens_with_the_procedure_s_due_date(pinned_clock, caseworker_a):
    pinned_clock.move_to(beijing("2026-02-02 09:00"))
    application = apply(caseworker_a, family(), "rural_dibao")
    pinned_clock.move_to(beijing("2026-02-13 16:00"))
    pass_step(caseworker_a, application)
    step = application.steps.get(code="home_visit")
    assert step.opened_on == date(2026, 2, 13) and step.due_on == date(2026, 3, 20)
    assert fresh(application).current_due_on == date(2026, 3, 20)


def test_the_public_notice_step_counts_7_calendar_days_even_over_the_holiday(pinned_clock, caseworker_a):
    pinned_clock.move_to(beijing("2026-02-13 10:00"))
    application = application_at("first_review", family(), caseworker_a)
    pass_step(caseworker_a, application, "经初审符合条件")
    application = fresh(application)
    assert application.current_step_code == "notice"
    # opened Friday 2-13: due 2-20, a Spring Festival holiday (calendar days, not working days)
    assert application.current_due_on == date(2026, 2, 20)
    assert application.steps.get(code="notice").due_on == date(2026, 2, 20)


def test_in_a_year_the_calendar_does_not_know_the_due_dates_are_pending(caseworker_a):
    # The default pinned instant, 2027-03-01, is in a year neither the package nor the table knows.
    application = apply(caseworker_a, family(), "rural_dibao")
    assert application.accepted_on == date(2027, 3, 1)
    assert application.due_on is None and application.current_due_on is None
    assert application.steps.get(code="accept").due_on is None
    pass_step(caseworker_a, application)  # casework is never blocked by a missing calendar
    assert fresh(application).current_step_code == "home_visit"


def test_once_2027_is_entered_the_due_date_is_computed(caseworker_a):
    CalendarDay.objects.create(date=date(2027, 1, 1), kind=CalendarDayKind.HOLIDAY, name="元旦")
    CalendarDay.objects.create(date=date(2027, 4, 5), kind=CalendarDayKind.HOLIDAY, name="清明节")
    application = apply(caseworker_a, family(), "rural_dibao")
    # Monday 2027-03-01 + 30 working days: 22 in March, 4-01, 4-02, 4-06..4-09, 4-12, 4-13
    # (Monday 4-05 is 清明 as entered).
    assert application.due_on == date(2027, 4, 13)
    assert application.current_due_on == date(2027, 4, 13)


def test_a_due_date_running_into_an_unknown_year_is_pending(pinned_clock, caseworker_a):
    pinned_clock.move_to(beijing("2026-12-01 09:00"))
    application = apply(caseworker_a, family(), "rural_dibao")
    assert application.due_on is None
    # a calendar-day step still has its date
    application = application_at("first_review", family(), caseworker_a)
    pass_step(caseworker_a, application, "同意")
    assert fresh(application).current_due_on == date(2026, 12, 8)


def test_a_pending_due_date_is_computed_once_the_year_is_entered(caseworker_a):
    application = apply(caseworker_a, family(), "rural_dibao")
    lock_version = fresh(application).lock_version
    assert application.due_on is None
    CalendarDay.objects.create(date=date(2027, 1, 1), kind=CalendarDayKind.HOLIDAY, name="元旦")
    CalendarDay.objects.create(date=date(2027, 4, 5), kind=CalendarDayKind.HOLIDAY, name="清明节")
    assert due_dates_refresh() == 1
    application = fresh(application)
    assert application.due_on == application.current_due_on == date(2027, 4, 13)
    assert application.steps.get(code="accept").due_on == date(2027, 4, 13)
    assert application.lock_version == lock_version  # a derived date: open forms stay valid
    assert due_dates_refresh() == 0


def test_the_next_step_computes_a_pending_due_date_once_the_year_is_entered(caseworker_a):
    application = apply(caseworker_a, family(), "rural_dibao")
    CalendarDay.objects.create(date=date(2027, 1, 1), kind=CalendarDayKind.HOLIDAY, name="元旦")
    pass_step(caseworker_a, application)
    application = fresh(application)
    assert application.due_on == application.current_due_on == date(2027, 4, 12)
