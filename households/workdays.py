"""Time limits in working days (工作日): China's public holidays and make-up working days.

A day is a working day when it is a Monday to Friday that is not a public holiday (法定节假日), or a
weekend day the State Council made a make-up working day (调休上班). The arrangement comes from
`chinese-calendar` for the years it knows, with the rows of `households.CalendarDay` on top: a row
wins over the package for its date, and a year the package does not know is known once the table
has at least one 法定节假日 row for it.

A year known to neither is refused (`UnknownCalendarYear`, a Chinese message naming the year and
what to enter), never guessed as "weekends only": around the Spring Festival such a guess moves a
due date by a week or more, and a due date that is silently wrong is worse than a visible refusal.

Counting follows Chinese administrative time limits (民法典 第二百零一条, 行政许可法 第八十二条):
the day the period starts (受理之日) is not counted; the first working day *after* it is day 1,
whatever kind of day the start is. So "within 30 working days of acceptance" ends on
`add_working_days(accepted_on, 30)`, and a start on a holiday or a weekend makes the first working
day after it day 1. `add_working_days(start, 0)` is `start` itself.

Bulk use: a `WorkingCalendar` reads each year once (one query per year for the table, the package
from memory) and keeps it, so computing many due dates costs no query per day or per row; the
module functions build a fresh calendar per call (an admin's change is seen at once by every
process). "Today" comes from `households.clock` only.
"""

from datetime import date, timedelta

from chinese_calendar import constants as package_data
from django.utils.translation import gettext as _

from households import clock

PACKAGE_YEARS = range(
    min(day.year for day in package_data.holidays), max(day.year for day in package_data.holidays) + 1
)


class UnknownCalendarYear(ValueError):
    """The holiday arrangement of a year is known neither to the package nor to the table."""

    def __init__(self, year: int):
        self.year = year
        super().__init__(
            _(
                "尚无%(year)s年的法定节假日安排，无法按工作日计算期限。请城市督导在管理后台"
                "“节假日与调休”中录入国务院办公厅公布的%(year)s年全部法定节假日和调休上班日后再试。"
            )
            % {"year": year}
        )


class WorkingCalendar:
    """The working days of the years asked for, each year read once and kept for this object's life."""

    def __init__(self):
        self._years: dict[int, tuple[frozenset[date], frozenset[date]]] = {}
        self._unknown: set[int] = set()

    def _year(self, year: int) -> tuple[frozenset[date], frozenset[date]]:
        """(days off on a weekday or holidays, make-up working days) of `year`, package and table merged."""
        if year in self._unknown:
            raise UnknownCalendarYear(year)
        if year not in self._years:
            from households.models import CalendarDay, CalendarDayKind

            holidays, makeup = set(), set()
            if year in PACKAGE_YEARS:
                holidays = {d for d in package_data.holidays if d.year == year}
                makeup = {d for d in package_data.workdays if d.year == year}
            entries = CalendarDay.objects.filter(date__year=year).values_list("date", "kind")
            table_holiday = False
            for day, kind in entries:
                holidays.discard(day)
                makeup.discard(day)
                if kind == CalendarDayKind.HOLIDAY:
                    holidays.add(day)
                    table_holiday = True
                else:
                    makeup.add(day)
            if year not in PACKAGE_YEARS and not table_holiday:
                self._unknown.add(year)
                raise UnknownCalendarYear(year)
            self._years[year] = (frozenset(holidays), frozenset(makeup))
        return self._years[year]

    def is_working_day(self, day: date) -> bool:
        holidays, makeup = self._year(day.year)
        if day in makeup:
            return True
        return day.weekday() < 5 and day not in holidays

    def add_working_days(self, start: date, n: int) -> date:
        """The n-th working day after `start` (`start` itself is not counted; n = 0 gives `start`)."""
        if n < 0:
            raise ValueError(_("工作日天数不能为负数（收到 %(n)s）；期限只能从起算日向后计算。") % {"n": n})
        day = start
        while n:
            day += timedelta(days=1)
            if self.is_working_day(day):
                n -= 1
        return day

    def working_days_between(self, a: date, b: date) -> int:
        """Working days after `a` up to and including `b`; negative when `b` is before `a`.

        `working_days_between(start, add_working_days(start, n)) == n`.
        """
        if b < a:
            return -self.working_days_between(b, a)
        return sum(1 for k in range(1, (b - a).days + 1) if self.is_working_day(a + timedelta(days=k)))


def is_working_day(day: date) -> bool:
    return WorkingCalendar().is_working_day(day)


def add_working_days(start: date, n: int) -> date:
    """The due date n working days after `start` (see the module's counting convention)."""
    return WorkingCalendar().add_working_days(start, n)


def working_days_between(a: date, b: date) -> int:
    return WorkingCalendar().working_days_between(a, b)


def working_days_left(due: date) -> int:
    """Working days from today (Beijing, `households.clock`) to `due`: 0 when `due` is today,
    negative once it has passed."""
    return WorkingCalendar().working_days_between(clock.today(), due)
