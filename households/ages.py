"""A person's age in whole years (周岁) on a day: one definition, written once in Python and once
in SQL, side by side so they cannot drift (tests/households/test_ages.py runs both over a grid).

The definition: an age of N is reached on the N-th anniversary of the birth date, counted by the
calendar (公历) year, month and day; before that day the person is N − 1. A 29 February birthday
has no anniversary in a non-leap year and is reached on 1 March there: on 28 February the person
is not yet N. That is the Chinese rule for periods counted in years (民法典 第二百零三条: without a
corresponding day in the final month, the month's last day — 28 February — is the period's last
day, so the age is reached the day after, 1 March), and it is what comparing (month, day) pairs
gives: (2, 28) < (2, 29).

Not PostgreSQL's `birth + interval 'N years'`, which clamps 29 February to 28 February and so made
a leap-day child N one day earlier in SQL than in Python on 28 February of every non-leap year.
(Legal texts count 已满N周岁 from the day after the birthday — 民法典 第二百零一条, 法释〔2006〕1号
第二条 — for every birthday, not only 29 February; the product counts the birthday itself as
reached, as it always has: "under 18 on the event date" is false on the 18th birthday.)
"""

from datetime import date


def age_on(birth_date: date, day: date) -> int:
    """Whole years (周岁) on `day` of someone born on `birth_date`."""
    years = day.year - birth_date.year
    return years - ((day.month, day.day) < (birth_date.month, birth_date.day))


def age_sql(birth_date: str, day: str) -> str:
    """The same as `age_on`, as an SQL integer expression over two date expressions."""
    return (
        f"(extract(year FROM {day})::int - extract(year FROM {birth_date})::int"
        f" - CASE WHEN (extract(month FROM {day}), extract(day FROM {day}))"
        f" < (extract(month FROM {birth_date}), extract(day FROM {birth_date})) THEN 1 ELSE 0 END)"
    )


def under_age_sql(birth_date: str, day: str, years: int) -> str:
    """SQL: younger than `years` whole years on `day` (`age_on(...) < years`)."""
    return f"{age_sql(birth_date, day)} < {int(years)}"
