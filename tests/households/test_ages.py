"""One definition of age (households.ages): Python and SQL agree on every (birth, day) pair, 29
February birthdays included (reached on 1 March in a non-leap year)."""

from datetime import date, timedelta

import pytest
from django.db import connection

from households.ages import age_on, age_sql, under_age_sql
from households.models import Person


def _grid() -> list[tuple[date, date]]:
    births = [
        date(2000, 2, 29),
        date(2008, 2, 29),
        date(2008, 2, 28),
        date(2008, 3, 1),
        date(2007, 12, 31),
        date(2008, 1, 1),
        date(1999, 6, 15),
    ]
    pairs = []
    for born in births:
        for years in (17, 18, 19):
            # Around the anniversary: 28 February / 1 March of leap and non-leap years for 29 Feb
            # births, the day before / of / after the birthday for every other one.
            year = born.year + years
            anchor = date(year, born.month, min(born.day, 28))
            pairs += [(born, anchor + timedelta(days=d)) for d in range(-2, 4)]
    # A 29 February birth through whole leap and non-leap years.
    pairs += [(date(2008, 2, 29), date(2008, 2, 29) + timedelta(days=d)) for d in range(0, 366 * 20, 29)]
    return pairs


GRID = _grid()


def test_python_and_sql_agree_on_every_pair_of_the_grid(db):
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT {age_sql("g.born", "g.day")}, {under_age_sql("g.born", "g.day", 18)}
                FROM unnest(%s::date[], %s::date[]) WITH ORDINALITY AS g(born, day, n) ORDER BY g.n""",
            [[b for b, _ in GRID], [d for _, d in GRID]],
        )
        in_sql = cursor.fetchall()
    in_python = [(age_on(b, d), age_on(b, d) < 18) for b, d in GRID]
    disagreements = [(b, d, s, p) for (b, d), s, p in zip(GRID, in_sql, in_python, strict=True) if s != p]
    assert disagreements == []


@pytest.mark.parametrize(
    ("born", "day", "age"),
    [
        # 29 February: not yet 18 on 28 February of a non-leap year, 18 on 1 March.
        (date(2008, 2, 29), date(2026, 2, 28), 17),
        (date(2008, 2, 29), date(2026, 3, 1), 18),
        # In a leap year the birthday itself exists.
        (date(2008, 2, 29), date(2028, 2, 28), 19),
        (date(2008, 2, 29), date(2028, 2, 29), 20),
        # Any other birthday is reached on the day itself.
        (date(2008, 5, 17), date(2026, 5, 16), 17),
        (date(2008, 5, 17), date(2026, 5, 17), 18),
        (date(2008, 2, 28), date(2026, 2, 28), 18),
        (date(2008, 3, 1), date(2026, 2, 28), 17),
    ],
)
def test_age_on_the_edges(born, day, age):
    assert age_on(born, day) == age


def test_sql_is_not_postgres_interval_arithmetic(db):
    """The expression PostgreSQL offers makes a leap-day child 18 on 28 February; ours does not."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT %(day)s::date < %(born)s::date + interval '18 years', {under_age_sql('%(born)s::date', '%(day)s::date', 18)}",
            {"born": date(2008, 2, 29), "day": date(2026, 2, 28)},
        )
        assert cursor.fetchone() == (False, True)


def test_a_persons_age_uses_the_same_definition():
    person = Person(birth_date=date(2008, 2, 29))
    assert person.age_on(date(2026, 2, 28)) == 17 and person.age_on(date(2026, 3, 1)) == 18
