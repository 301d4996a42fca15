"""Monitoring spells: every period a person was monitored, kept in step with the record by the
database (migration 0005's triggers), its constraints, and the backfill from history (0006)."""

import importlib
from datetime import date, datetime

import pytest
from django.db import connection
from django.utils import timezone

from monitoring.models import MonitoringRecord, MonitoringRecordHistory, MonitoringSpell
from tests.factories import MonitoringRecordFactory, PersonFactory
from tests.helpers import violates

pytestmark = pytest.mark.django_db

BACKFILL = importlib.import_module("monitoring.migrations.0006_backfill_spells").BACKFILL


def spells(person) -> list[tuple]:
    return list(
        MonitoringSpell.objects.filter(person=person)
        .order_by("since")
        .values_list("since", "exit_date", "category")
    )


def write(record, **fields) -> None:
    """An UPDATE statement on the record, as the roster loader's SQL or the admin would issue."""
    MonitoringRecord.objects.filter(pk=record.pk).update(**fields)


def exit_(record, on: date) -> None:
    write(record, status="exited", exit_date=on)


def come_back(record, since: date, category: str = "dibao") -> None:
    write(record, status="active", exit_date=None, since=since, category=category)


def test_a_new_record_opens_a_spell():
    record = MonitoringRecordFactory(since=date(2025, 1, 10), category="tekun")
    assert spells(record.person) == [(date(2025, 1, 10), None, "tekun")]
    spell = MonitoringSpell.objects.get(person=record.person)
    assert spell.updated_at == record.updated_at


def test_exit_closes_the_spell_and_a_return_opens_another():
    record = MonitoringRecordFactory(since=date(2025, 1, 10))
    exit_(record, date(2025, 6, 30))
    assert spells(record.person) == [(date(2025, 1, 10), date(2025, 6, 30), "dibao")]
    come_back(record, date(2026, 3, 1), category="dibao_edge")
    assert spells(record.person) == [
        (date(2025, 1, 10), date(2025, 6, 30), "dibao"),
        (date(2026, 3, 1), None, "dibao_edge"),
    ]
    exit_(record, date(2026, 5, 1))
    assert spells(record.person)[-1] == (date(2026, 3, 1), date(2026, 5, 1), "dibao_edge")


def test_category_change_and_since_correction_rewrite_the_open_spell():
    record = MonitoringRecordFactory(since=date(2025, 1, 10))
    write(record, category="tekun")
    assert spells(record.person) == [(date(2025, 1, 10), None, "tekun")]
    write(record, since=date(2025, 2, 1))
    assert spells(record.person) == [(date(2025, 2, 1), None, "tekun")]
    # An exit reversed (same since): the spell is open again, not a second one.
    exit_(record, date(2025, 6, 30))
    come_back(record, date(2025, 2, 1), category="tekun")
    assert spells(record.person) == [(date(2025, 2, 1), None, "tekun")]


def test_a_corrected_history_cuts_or_drops_the_spells_it_overlaps():
    record = MonitoringRecordFactory(since=date(2025, 1, 10))
    exit_(record, date(2025, 6, 30))
    # Back from a day before the recorded exit: the earlier spell ends where the new one begins.
    come_back(record, date(2025, 6, 1))
    assert spells(record.person) == [
        (date(2025, 1, 10), date(2025, 6, 1), "dibao"),
        (date(2025, 6, 1), None, "dibao"),
    ]
    # The open spell's since moved before both: one spell from then on.
    write(record, since=date(2024, 12, 1))
    assert spells(record.person) == [(date(2024, 12, 1), None, "dibao")]


def test_one_statement_writes_the_spells_of_every_record_it_changes():
    records = [MonitoringRecordFactory(since=date(2025, 1, 10)) for _ in range(3)]
    MonitoringRecord.objects.filter(pk__in=[r.pk for r in records[:2]]).update(
        status="exited", exit_date=date(2025, 6, 30)
    )
    assert [spells(r.person)[0][1] for r in records] == [date(2025, 6, 30), date(2025, 6, 30), None]
    # A statement that changes only the region (a move) leaves the spells alone.
    before = list(MonitoringSpell.objects.order_by("id").values_list("id", "updated_at"))
    MonitoringRecord.objects.update(region_code="130921101202")
    assert list(MonitoringSpell.objects.order_by("id").values_list("id", "updated_at")) == before


def test_active_on_a_past_day_uses_the_spells():
    record = MonitoringRecordFactory(since=date(2025, 1, 10))
    exit_(record, date(2025, 6, 30))
    come_back(record, date(2026, 3, 1))
    active = MonitoringRecord.objects.active_on
    assert list(active(date(2025, 5, 1))) == [record]
    assert list(active(date(2025, 6, 30))) == []
    assert list(active(date(2025, 10, 1))) == []
    assert list(active(date(2026, 3, 1))) == [record]


def test_the_database_refuses_overlapping_or_second_open_spells():
    person = PersonFactory()
    spell = MonitoringSpell.objects.create(person=person, category="dibao", since=date(2025, 1, 10))
    new = MonitoringSpell.objects.create
    assert violates(lambda: new(person=person, category="dibao", since=date(2026, 3, 1)))  # second open
    assert violates(
        lambda: new(person=person, category="dibao", since=date(2025, 1, 10), exit_date=date(2025, 2, 1))
    )
    spell.exit_date = date(2025, 6, 30)
    spell.save()
    overlapping = {
        "person": person,
        "category": "dibao",
        "since": date(2025, 6, 29),
        "exit_date": date(2025, 8, 1),
    }
    assert violates(lambda: new(**overlapping))
    assert violates(lambda: new(person=person, category="dibao", since=date(2025, 3, 1)))  # open, inside
    assert violates(
        lambda: new(person=person, category="dibao", since=date(2025, 8, 1), exit_date=date(2025, 7, 1))
    )
    assert violates(lambda: new(person=person, category="五保", since=date(2025, 8, 1)))
    # Back on the day the last spell ended: adjacent, not overlapping.
    new(person=person, category="tekun", since=date(2025, 6, 30))
    # Another person's spells are their own.
    new(person=PersonFactory(), category="dibao", since=date(2025, 1, 10))
    assert MonitoringSpell.objects.count() == 3


def at(day: str) -> datetime:
    return timezone.make_aware(datetime.fromisoformat(day))


def state(since, category="dibao", exit_date=None) -> dict:
    return {
        "category": category,
        "since": since,
        "status": "exited" if exit_date else "active",
        "exit_date": exit_date,
        "region_code": "130921101201",
        "household_id": 1,
    }


def history(record, *changes) -> None:
    for when, before, after in changes:
        row = MonitoringRecordHistory.objects.create(record=record, before=before, after=after)
        MonitoringRecordHistory.objects.filter(pk=row.pk).update(changed_at=at(when))


def test_backfill_rebuilds_spells_from_records_and_their_history():
    returned = MonitoringRecordFactory(since=date(2026, 3, 1))
    history(
        returned,
        ("2025-01-10 09:00", None, state("2025-01-10", "tekun")),
        ("2025-07-01 09:00", state("2025-01-10", "tekun"), state("2025-01-10", "tekun", "2025-06-30")),
        ("2026-03-01 09:00", state("2025-01-10", "tekun", "2025-06-30"), state("2026-03-01")),
    )
    corrected = MonitoringRecordFactory(since=date(2025, 1, 15))  # 2025-02-01 was a typo
    history(
        corrected,
        ("2025-02-01 09:00", None, state("2025-02-01")),
        ("2025-02-03 09:00", state("2025-02-01"), state("2025-01-15")),
    )
    no_history = MonitoringRecordFactory(since=date(2024, 1, 1), status="exited", exit_date=date(2024, 5, 1))
    overlapping = MonitoringRecordFactory(since=date(2025, 6, 1))
    history(
        overlapping,
        ("2025-01-01 09:00", None, state("2025-01-01", "dibao", "2025-12-31")),
        ("2025-06-02 09:00", state("2025-01-01", "dibao", "2025-12-31"), state("2025-06-01")),
    )
    # History that only moved the household (region) adds nothing.
    moved = MonitoringRecordFactory(since=date(2024, 3, 1))
    history(moved, ("2025-03-01 09:00", state("2024-03-01"), state("2024-03-01")))
    MonitoringSpell.objects.all().delete()

    with connection.cursor() as cursor:
        cursor.execute(BACKFILL)

    assert spells(returned.person) == [
        (date(2025, 1, 10), date(2025, 6, 30), "tekun"),
        (date(2026, 3, 1), None, "dibao"),
    ]
    assert spells(corrected.person) == [(date(2025, 1, 15), None, "dibao")]
    assert spells(no_history.person) == [(date(2024, 1, 1), date(2024, 5, 1), "dibao")]
    assert spells(overlapping.person) == [
        (date(2025, 1, 1), date(2025, 6, 1), "dibao"),
        (date(2025, 6, 1), None, "dibao"),
    ]
    assert spells(moved.person) == [(date(2024, 3, 1), None, "dibao")]
    # Stamped when its last state was seen (the change that replaced it), not at migration time.
    first = MonitoringSpell.objects.get(person=returned.person, since=date(2025, 1, 10))
    assert first.updated_at == at("2026-03-01 09:00")
