"""The read log is append-only for everyone but the retention job, which deletes old rows only."""

from datetime import timedelta
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from households import clock
from households.readlog.models import Channel, ReadAction, ReadLogEntry
from households.readlog.services import entries_purge
from households.readlog.tasks import read_log_purge

pytestmark = pytest.mark.django_db


def entry(days_ago: float = 0) -> ReadLogEntry:
    return ReadLogEntry.objects.create(
        at=clock.now() - timedelta(days=days_ago),
        actor="someone",
        channel=Channel.WEB,
        actions=[ReadAction.HOUSEHOLD_VIEW],
        household_ids=[1],
    )


def refused(statement, *params):
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement, params)


def test_update_and_delete_are_refused_by_the_database():
    row = entry(days_ago=5000)
    refused("UPDATE readlog_readlogentry SET actor = 'nobody' WHERE id = %s", row.pk)
    refused("DELETE FROM readlog_readlogentry WHERE id = %s", row.pk)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        ReadLogEntry.objects.filter(pk=row.pk).update(household_ids=[])
    row.refresh_from_db()
    assert row.actor == "someone" and row.household_ids == [1]


def test_the_retention_setting_does_not_open_updates_nor_recent_rows():
    old, recent = entry(days_ago=5000), entry(days_ago=1)
    cutoff = (clock.now() - timedelta(days=30)).isoformat()
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('readlog.purge_before', %s, true)", [cutoff])
        refused("UPDATE readlog_readlogentry SET actor = 'nobody' WHERE id = %s", old.pk)
        refused("DELETE FROM readlog_readlogentry WHERE id = %s", recent.pk)
    assert ReadLogEntry.objects.count() == 2


def test_the_setting_ends_with_the_retention_transaction():
    row = entry(days_ago=5000)
    assert entries_purge(days=10000) == 0
    refused("DELETE FROM readlog_readlogentry WHERE id = %s", row.pk)


def test_the_retention_job_deletes_entries_past_the_period_only():
    days = settings.READ_LOG_RETENTION_DAYS
    assert days == 3 * 365
    kept = [entry(days_ago=days - 1), entry(days_ago=0)]
    entry(days_ago=days + 1)
    entry(days_ago=days * 2)
    assert read_log_purge() == 2
    assert sorted(ReadLogEntry.objects.values_list("pk", flat=True)) == sorted(e.pk for e in kept)
    assert read_log_purge() == 0  # idempotent


def test_the_command_takes_a_period_and_says_what_it_did(pinned_clock):
    entry(days_ago=40)
    entry(days_ago=10)
    out = StringIO()
    call_command("purge_read_log", "--days", "30", stdout=out)
    assert "已删除 1 条" in out.getvalue()
    assert ReadLogEntry.objects.count() == 1


def test_the_retention_job_runs_nightly_from_the_beat_schedule():
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "households.readlog.tasks.read_log_purge" in tasks


def test_an_entry_needs_an_action():
    with pytest.raises(DatabaseError), transaction.atomic():
        ReadLogEntry.objects.create(at=clock.now(), actor="x", channel=Channel.WEB, actions=[])


@pytest.mark.parametrize("command", ["purge_read_log", "purge_raw_files"])
def test_a_period_below_one_day_is_refused_with_what_is_allowed(command):
    entry(days_ago=5000)
    with pytest.raises(CommandError, match="--days 须为不小于 1 的整数"):
        call_command(command, "--days", "0")
    assert ReadLogEntry.objects.count() == 1
