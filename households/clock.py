"""The one place code takes "now" and "today" from.

`now()` is an aware instant; `today()` is the date in Beijing (settings.TIME_ZONE), whatever the
machine's or the database server's time zone. SQL never calls the server's `now()` or
`CURRENT_DATE`: it gets these values as parameters, so the app, its tests (which pin the clock with
time-machine) and the database always agree on what time it is.
"""

from datetime import date, datetime

from django.utils import timezone


def now() -> datetime:
    return timezone.now()


def today() -> date:
    return timezone.localdate(now())
