"""A run for a past as-of date judges people by the monitoring spell of that date, as the roster
files left it (history), not by today's record."""

from datetime import date, timedelta

import pytest

from alerts.models import Alert
from alerts.services.run import monitoring_run
from households import clock
from imports.models import ImportBatch
from monitoring.models import MonitoringSpell
from tests.alerts.feed_factories import (
    DisabilityCertificateFactory,
    UnemploymentRegistrationFactory,
    rule_defaults,  # noqa: F401
)
from tests.conftest import beijing
from tests.imports.helpers import csv_bytes, id18
from tests.imports.test_roster import HEADER, person_row

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("rule_defaults")]

PERSON = id18(born=date(1975, 4, 4), seq=61)


def roster_row(**kwargs) -> list:
    return person_row(PERSON, "刘监测", head=PERSON, relation="户主", **kwargs)


def import_rosters(load, user, pinned_clock, files) -> None:
    """Each (moment, row) file imported with the clock at that moment (Beijing); the clock returns
    to where the test stood."""
    start = clock.now()
    for moment, row in files:
        pinned_clock.move_to(beijing(moment))
        batch = load("roster", csv_bytes([HEADER, row]), f"名册{moment[:10]}.csv", user=user)
        # (A later file about the same person counts as a correction of the roster entry.)
        assert (batch.loaded + batch.corrected, batch.rejected) == (1, 0)
    pinned_clock.move_to(start)


def monitored_since_2024_until(load, user, pinned_clock, *, exit_date: date, reported_at: str) -> None:
    """Two roster files: monitored from 2024-01-01 (imported the next day), then exited on
    `exit_date` (imported at `reported_at`)."""
    exited = roster_row(since="2024-01-01", status="退出", exit_date=exit_date.isoformat())
    import_rosters(
        load,
        user,
        pinned_clock,
        [("2024-01-02 10:00", roster_row(since="2024-01-01")), (reported_at, exited)],
    )


def alerted(rule: str) -> set[str]:
    return set(Alert.objects.filter(rule=rule, person__id_number=PERSON).values_list("dedupe_key", flat=True))


def test_a_run_for_a_past_date_uses_the_spell_of_that_date(load, data_admin, pinned_clock):
    import_rosters(
        load,
        data_admin,
        pinned_clock,
        [
            ("2025-01-10 10:00", roster_row(since="2025-01-10")),
            ("2025-07-01 10:00", roster_row(since="2025-01-10", status="退出", exit_date="2025-06-30")),
            ("2026-03-01 10:00", roster_row(since="2026-03-01")),
        ],
    )
    assert list(
        MonitoringSpell.objects.filter(person__id_number=PERSON)
        .order_by("since")
        .values_list("since", "exit_date")
    ) == [(date(2025, 1, 10), date(2025, 6, 30)), (date(2026, 3, 1), None)]
    today = clock.today()
    register = UnemploymentRegistrationFactory
    while_monitored = register(id_number=PERSON, registered_on=date(2025, 4, 20)).registration_no
    while_exited = register(id_number=PERSON, registered_on=date(2025, 9, 20)).registration_no
    lately = register(id_number=PERSON, registered_on=today - timedelta(days=10)).registration_no
    rule = "registered_unemployment"

    monitoring_run(as_of=date(2025, 5, 1))
    assert alerted(rule) == {while_monitored}
    assert Alert.objects.get(dedupe_key=while_monitored).raised_on == date(2025, 5, 1)

    monitoring_run(as_of=date(2025, 10, 1))  # between the spells: not monitored, no alert
    assert alerted(rule) == {while_monitored}
    assert while_exited not in alerted(rule)

    monitoring_run(as_of=today)
    assert alerted(rule) == {while_monitored, lately}


def test_someone_who_exited_last_week_is_seen_by_a_run_for_last_month(load, data_admin, pinned_clock):
    today = clock.today()
    last_week = today - timedelta(days=7)
    monitored_since_2024_until(
        load, data_admin, pinned_clock, exit_date=last_week, reported_at=f"{today} 08:00"
    )
    certificate = DisabilityCertificateFactory(id_number=PERSON, issued_on=today - timedelta(days=40))
    monitoring_run(as_of=today)  # exited: not seen today
    assert alerted("new_severe_disability") == set()
    monitoring_run(as_of=today - timedelta(days=30))
    assert alerted("new_severe_disability") == {certificate.certificate_no}


def test_an_incremental_night_rechecks_someone_who_came_back(load, data_admin, pinned_clock):
    today = clock.today()
    yesterday = today - timedelta(days=1)
    monitored_since_2024_until(
        load, data_admin, pinned_clock, exit_date=date(2024, 6, 30), reported_at="2024-07-01 10:00"
    )
    registration = UnemploymentRegistrationFactory(id_number=PERSON, registered_on=today - timedelta(days=20))
    # Imported long before last night's run (so only the return can make tonight look at it).
    ImportBatch.objects.filter(pk=registration.batch_id).update(finished_at=clock.now() - timedelta(days=3))
    pinned_clock.shift(timedelta(hours=-2))  # last night's run, two hours ago
    monitoring_run(as_of=yesterday, mode="full")
    pinned_clock.shift(timedelta(hours=2))
    assert alerted("registered_unemployment") == set()
    # Today's roster brings them back.
    back = load(
        "roster", csv_bytes([HEADER, roster_row(since=today.isoformat())]), "名册.csv", user=data_admin
    )
    assert back.corrected == 1

    night = monitoring_run(as_of=today)
    assert night.counts["modes"]["registered_unemployment"] == (
        "full" if today.isoweekday() == 7 else "incremental"
    )
    assert alerted("registered_unemployment") == {registration.registration_no}
