"""Monitoring histories for the monthly-list tests: people entering and leaving at given instants."""

from datetime import date

from households import clock
from monitoring.enrolment import enrol_people
from monitoring.models import MonitoringRecord, MonitoringRecordHistory
from tests.assistance.case_factories import family
from tests.conftest import VILLAGE_A, beijing


def snapshot(record: MonitoringRecord) -> dict:
    """What the history's before/after hold (monitoring.roster.RECORD_JSON)."""
    return {
        "category": record.category,
        "since": record.since.isoformat(),
        "status": record.status,
        "exit_date": record.exit_date.isoformat() if record.exit_date else None,
        "region_code": record.region_code,
        "household_id": record.household_id,
    }


def person_in(village: str = VILLAGE_A, name: str = "王建国"):
    return family(village, members=1, head=name).members.get()


def enter(clock_, person, category: str, since: date, when: str) -> None:
    """`person` comes under monitoring in `category` (since `since`), written at `when` (Beijing)."""
    clock_.move_to(beijing(when))
    enrol_people(person_ids=[person.pk], category=category, since=since, actor=None, now=clock.now())


def leave(clock_, person, exit_date: date, when: str) -> None:
    """`person`'s record exits on `exit_date`, written at `when` (as an exit service writes it)."""
    clock_.move_to(beijing(when))
    record = MonitoringRecord.objects.get(person=person)
    before = snapshot(record)
    record.status, record.exit_date = "exited", exit_date
    record.save(update_fields=["status", "exit_date", "updated_at"])
    MonitoringRecordHistory.objects.create(record=record, before=before, after=snapshot(record))
