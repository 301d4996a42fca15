"""The one place code takes "now" and "today" from.

`now()` is an aware instant; `today()` is the date in Beijing (settings.TIME_ZONE), whatever the
machine's or the database server's time zone. SQL never calls the server's `now()` or
`CURRENT_DATE`: it gets these values as parameters, so the app, its tests (which pin the clock with
time-machine) and the database always agree on what time it is. `tests/households/test_clock.py`
fails when code reads the real clock any other way.

`simulated(instant)` is for simulations only (the demo living through its year): inside it, `now()`
is the simulated instant, which stands still until the simulation moves it.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime, timedelta

from django.utils import timezone

_simulated: ContextVar["SimulatedClock | None"] = ContextVar("simulated_clock", default=None)


def now() -> datetime:
    simulation = _simulated.get()
    return simulation.instant if simulation is not None else timezone.now()


def today() -> date:
    return timezone.localdate(now())


def at(day: date, hour: int = 0, minute: int = 0) -> datetime:
    """The aware instant of `day` at hour:minute Beijing time."""
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour, minute))


def _checked(instant: datetime) -> datetime:
    if timezone.is_naive(instant):
        raise ValueError("a simulated instant must be aware")
    if instant > timezone.now():
        raise ValueError(f"a simulation does not reach the future ({instant} is after the real now)")
    return instant


class SimulatedClock:
    """The clock of a simulation: an instant that moves only when told, never backwards."""

    def __init__(self, instant: datetime):
        self.instant = _checked(instant)

    def move_to(self, instant: datetime) -> None:
        if instant < self.instant:
            raise ValueError(f"a simulated clock does not go back ({instant} < {self.instant})")
        self.instant = _checked(instant)

    def advance(self, delta: timedelta) -> None:
        self.move_to(self.instant + delta)


@contextmanager
def simulated(instant: datetime) -> Iterator[SimulatedClock]:
    """Inside the block `now()` and `today()` answer the simulated instant (yielded, to be moved).

    Only for simulations of past activity, such as the demo's year (assistance.demo_history):
    application code never enters it. The instant never goes back, nor past the real now.
    """
    token = _simulated.set(SimulatedClock(instant))
    try:
        yield _simulated.get()
    finally:
        _simulated.reset(token)
