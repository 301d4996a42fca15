"""Time limits in working days: public holidays and make-up working days (chinese-calendar), the
table that extends and corrects it, and the refusal for a year nobody has entered."""

from datetime import date, timedelta

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from households.models import CalendarDay, CalendarDayKind
from households.workdays import (
    UnknownCalendarYear,
    WorkingCalendar,
    add_working_days,
    is_working_day,
    working_days_between,
    working_days_left,
)
from tests.conftest import beijing

pytestmark = pytest.mark.django_db

D = date.fromisoformat


def holiday(day: str, name: str = "春节") -> CalendarDay:
    return CalendarDay.objects.create(date=D(day), kind=CalendarDayKind.HOLIDAY, name=name)


def makeup(day: str, name: str = "春节") -> CalendarDay:
    return CalendarDay.objects.create(date=D(day), kind=CalendarDayKind.MAKEUP_WORKDAY, name=name)


# --- the package's arrangement ---------------------------------------------------------------


def test_the_2026_spring_festival_week_is_off_and_its_make_up_saturdays_are_worked():
    # 春节 2026: 2-15 (Sun) to 2-23 (Mon) off; Saturdays 2-14 and 2-28 worked.
    assert [is_working_day(D("2026-02-15") + timedelta(days=k)) for k in range(9)] == [False] * 9
    assert is_working_day(D("2026-02-14")) and is_working_day(D("2026-02-28"))
    assert not is_working_day(D("2026-03-07"))  # an ordinary Saturday
    assert is_working_day(D("2026-02-24"))


def test_a_refusal_due_in_3_working_days_across_the_2026_spring_festival():
    # Decided Friday 2-13: day 1 is the make-up Saturday 2-14, then nine days off, 2-24 and 2-25.
    assert add_working_days(D("2026-02-13"), 3) == D("2026-02-25")
    # Without the holiday a weekday count would have said Wednesday 2-18.
    assert add_working_days(D("2026-02-12"), 1) == D("2026-02-13")


def test_30_working_days_from_acceptance_across_the_2026_spring_festival():
    # Accepted Monday 2026-02-02: February gives 2-03..2-13 (9), 2-14 Sat (10), 2-24..2-27 (14),
    # 2-28 Sat (15); March from Monday 3-02 gives the other 15, the 15th on Friday 3-20.
    assert add_working_days(D("2026-02-02"), 30) == D("2026-03-20")
    assert working_days_between(D("2026-02-02"), D("2026-03-20")) == 30


def test_the_2025_spring_festival_with_a_make_up_sunday_and_a_make_up_saturday():
    # 春节 2025: 1-28..2-04 off; Sunday 1-26 and Saturday 2-08 worked.
    assert add_working_days(D("2025-01-24"), 1) == D("2025-01-26")  # Friday → the make-up Sunday
    assert add_working_days(D("2025-01-26"), 1) == D("2025-01-27")
    assert add_working_days(D("2025-01-27"), 1) == D("2025-02-05")  # over the whole week off
    assert add_working_days(D("2025-02-07"), 1) == D("2025-02-08")  # the make-up Saturday counts
    assert add_working_days(D("2025-02-14"), 1) == D("2025-02-17")  # an ordinary Saturday does not
    assert working_days_between(D("2025-01-24"), D("2025-02-10")) == 7  # 1-26, 1-27, 2-05..2-08, 2-10


def test_national_day_week_2026():
    # 10-01..10-07 off; Sunday 9-20 and Saturday 10-10 worked.
    assert add_working_days(D("2026-09-18"), 1) == D("2026-09-20")
    assert add_working_days(D("2026-09-30"), 1) == D("2026-10-08")
    assert add_working_days(D("2026-09-30"), 3) == D("2026-10-10")
    assert add_working_days(D("2026-09-30"), 4) == D("2026-10-12")


def test_a_start_on_a_holiday_or_a_weekend_makes_the_next_working_day_day_1():
    assert add_working_days(D("2026-10-03"), 1) == D("2026-10-08")  # a National Day holiday
    assert add_working_days(D("2026-02-21"), 1) == D("2026-02-24")  # a Saturday inside 春节
    assert add_working_days(D("2026-03-01"), 1) == D("2026-03-02")  # an ordinary Sunday
    assert add_working_days(D("2026-03-01"), 5) == D("2026-03-06")


def test_zero_working_days_is_the_start_itself_even_on_a_holiday():
    for start in (D("2026-03-04"), D("2026-10-01"), D("2026-03-07")):
        assert add_working_days(start, 0) == start
        assert working_days_between(start, start) == 0


def test_a_negative_count_is_refused_in_chinese():
    with pytest.raises(ValueError, match="不能为负数"):
        add_working_days(D("2026-03-04"), -1)


def test_the_year_boundary_31_december_to_january_with_the_new_year_make_up_sunday():
    # 元旦 2026: 1-01..1-03 off, Sunday 1-04 worked.
    assert add_working_days(D("2025-12-31"), 1) == D("2026-01-04")
    assert add_working_days(D("2025-12-31"), 2) == D("2026-01-05")
    assert working_days_between(D("2025-12-30"), D("2026-01-05")) == 3


def test_between_counts_the_days_after_a_up_to_b_and_is_the_inverse_of_add():
    for start in (D("2025-01-20"), D("2025-09-26"), D("2026-02-13"), D("2026-09-28"), D("2026-11-02")):
        for n in (0, 1, 3, 7, 15, 30):
            due = add_working_days(start, n)
            assert working_days_between(start, due) == n
            assert working_days_between(due, start) == -n


def test_working_days_left_counts_from_the_clocks_beijing_today(pinned_clock):
    pinned_clock.move_to(beijing("2026-02-13 23:30"))  # Friday evening in Beijing, 15:30 UTC
    due = add_working_days(D("2026-02-13"), 3)
    assert working_days_left(due) == 3
    pinned_clock.move_to(beijing("2026-02-24 00:10"))  # back after the holiday
    assert working_days_left(due) == 1
    pinned_clock.move_to(beijing("2026-02-26 09:00"))
    assert working_days_left(due) == -1  # overdue by one working day


# --- years the package does not know ---------------------------------------------------------


def test_a_year_nobody_entered_is_refused_naming_the_year_and_what_to_enter():
    with pytest.raises(UnknownCalendarYear) as refused:
        add_working_days(D("2030-01-07"), 5)
    message = str(refused.value)
    assert "2030年" in message and "节假日与调休" in message and "调休上班日" in message
    with pytest.raises(UnknownCalendarYear, match="2030"):
        is_working_day(D("2030-03-05"))


def test_a_due_date_running_into_an_unknown_year_is_refused_not_guessed():
    with pytest.raises(UnknownCalendarYear, match="2027"):
        add_working_days(D("2026-12-28"), 5)
    assert add_working_days(D("2026-12-28"), 3) == D("2026-12-31")  # still inside 2026: fine


def test_a_year_entered_in_the_table_is_counted_with_its_holidays_and_make_up_days():
    holiday("2027-01-01", "元旦")
    assert add_working_days(D("2026-12-31"), 1) == D("2027-01-04")
    # a hypothetical 2030 春节: 2-02..2-08 off, Saturday 2-09 worked
    for k in range(7):
        holiday(f"2030-02-0{2 + k}")
    makeup("2030-02-09")
    assert add_working_days(D("2030-02-01"), 1) == D("2030-02-09")
    assert add_working_days(D("2030-02-01"), 2) == D("2030-02-11")
    assert working_days_between(D("2030-01-31"), D("2030-02-11")) == 3


def test_make_up_days_alone_do_not_make_a_year_known():
    makeup("2030-02-09")
    with pytest.raises(UnknownCalendarYear, match="2030"):
        is_working_day(D("2030-02-09"))


def test_a_table_entry_overrides_the_package_both_ways():
    assert add_working_days(D("2026-02-13"), 3) == D("2026-02-25")
    makeup("2026-02-23", "春节（更正）")  # the package's last holiday day made a working day
    assert add_working_days(D("2026-02-13"), 3) == D("2026-02-24")
    holiday("2026-03-02", "临时休假")  # a package working day made a holiday
    assert not is_working_day(D("2026-03-02"))
    assert add_working_days(D("2026-02-27"), 2) == D("2026-03-03")  # 2-28 (Sat) worked, 3-02 off


def test_a_calendar_reads_each_year_once_however_many_due_dates(django_assert_num_queries):
    calendar = WorkingCalendar()
    with django_assert_num_queries(1):
        dues = [calendar.add_working_days(D("2026-01-05") + timedelta(days=k), 3) for k in range(300)]
    assert dues[0] == D("2026-01-08") and len(set(dues)) > 150
    with django_assert_num_queries(1):  # 2027 is read once, and its refusal kept
        for k in range(31):
            with pytest.raises(UnknownCalendarYear):
                calendar.add_working_days(D("2026-12-01") + timedelta(days=k), 30)


# --- the table's constraints and its admin ---------------------------------------------------


def test_the_database_keeps_one_entry_per_date_and_only_the_two_kinds():
    holiday("2030-01-01", "元旦")
    with pytest.raises(IntegrityError), transaction.atomic():
        makeup("2030-01-01", "元旦")
    with pytest.raises(IntegrityError), transaction.atomic():
        CalendarDay.objects.create(date=D("2030-01-02"), kind="weekend", name="元旦")
    with pytest.raises(IntegrityError), transaction.atomic():
        CalendarDay.objects.create(date=D("2030-01-02"), kind=CalendarDayKind.HOLIDAY, name="")


def admin_add(client, day: str, kind: str = "holiday", name: str = "春节"):
    return client.post(
        reverse("admin:households_calendarday_add"),
        {"date": day, "kind": kind, "name": name, "note": "国办发明电"},
    )


def test_a_city_supervisor_enters_2030_in_the_admin_and_the_due_date_moves(client_for, city_supervisor):
    client = client_for(city_supervisor)
    assert admin_add(client, "2030-01-01", name="元旦").status_code == 302
    assert add_working_days(D("2030-02-01"), 3) == D("2030-02-06")  # the year is known: weekdays only
    for day in ("2030-02-04", "2030-02-05", "2030-02-06"):
        assert admin_add(client, day).status_code == 302
    assert add_working_days(D("2030-02-01"), 3) == D("2030-02-11")
    entry = CalendarDay.objects.get(date=D("2030-02-05"))
    assert entry.created_by == city_supervisor and entry.kind == CalendarDayKind.HOLIDAY
    listing = client.get(reverse("admin:households_calendarday_changelist")).content.decode()
    assert "2030" in listing and "法定节假日" in listing


def test_the_same_date_twice_is_refused_in_the_admin_form(client_for, city_supervisor):
    client = client_for(city_supervisor)
    admin_add(client, "2030-02-04")
    response = admin_add(client, "2030-02-04", kind="makeup_workday")
    assert response.status_code == 200
    assert "每个日期只能有一条" in response.content.decode()
    assert CalendarDay.objects.get(date=D("2030-02-04")).kind == CalendarDayKind.HOLIDAY


def test_a_county_supervisor_reads_the_calendar_but_cannot_change_it(client_for, county_supervisor):
    holiday("2030-01-01", "元旦")
    client = client_for(county_supervisor)
    assert client.get(reverse("admin:households_calendarday_changelist")).status_code == 200
    assert admin_add(client, "2030-02-04").status_code == 403
    assert not CalendarDay.objects.filter(date=D("2030-02-04")).exists()
