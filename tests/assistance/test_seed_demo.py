"""The demo a new user starts with: built through the real imports, run and triage services, and
causally sound whatever the hour it is built at."""

from datetime import timedelta
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection, models
from django.db.models import F, Min
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from alerts.models import (
    Alert,
    AlertEvent,
    AlertStatus,
    DashboardRefresh,
    HomeVisit,
    MonitoringRun,
    RunStatus,
)
from households import clock
from households.models import Household, Person, User
from imports.models import BatchStatus, FeedCategory, ImportBatch
from monitoring.models import MonitoringRecord
from tests.conftest import beijing

# Dates that may lie ahead: a deadline or due date, a planned follow-up visit, when a session expires.
FUTURE_DATES = {"deadline", "follow_up_on", "expire_date", "due_on", "current_due_on"}


def rows(sql: str, params=None) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def assert_nothing_in_the_future() -> None:
    now, today = clock.now(), clock.today()
    for model in apps.get_models():
        for f in model._meta.concrete_fields:
            if f.name in FUTURE_DATES:
                continue
            if isinstance(f, models.DateTimeField):
                later = model.objects.filter(**{f"{f.name}__gt": now})
            elif isinstance(f, models.DateField):
                later = model.objects.filter(**{f"{f.name}__gt": today})
            else:
                continue
            assert not later.exists(), f"{model.__name__}.{f.name} after {now}"


def assert_every_alert_lives_in_order() -> None:
    tz = timezone.get_current_timezone_name()
    # First event: the raising, when the alert was created, on the day it was raised; not yet due.
    firsts = rows(
        """
        SELECT a.id, e.action, e.at = a.created_at, (a.created_at AT TIME ZONE %s)::date = a.raised_on,
               a.deadline > a.raised_on
          FROM alerts_alert a
          JOIN LATERAL (SELECT * FROM alerts_alertevent e WHERE e.alert_id = a.id
                        ORDER BY e.at, e.id LIMIT 1) e ON true
        """,
        [tz],
    )
    assert len(firsts) == Alert.objects.count()
    assert {r[1:] for r in firsts} == {("raised", True, True, True)}
    # Each later event strictly after the one before (auto-assignment after the raising, …).
    unordered = rows(
        """
        SELECT alert_id FROM (
            SELECT alert_id, at <= lag(at) OVER (PARTITION BY alert_id ORDER BY id) AS not_after
              FROM alerts_alertevent) x
         WHERE not_after
        """
    )
    assert not unordered
    assert not AlertEvent.objects.filter(action="auto_assign", at__lte=F("alert__created_at")).exists()
    # Verified, visited and closed in that order, each no earlier than the step before.
    assert not Alert.objects.filter(verified_at__lt=F("created_at")).exists()
    assert not Alert.objects.filter(closed_at__lt=F("verified_at")).exists()
    assert not HomeVisit.objects.filter(visited_on__lt=F("alert__raised_on")).exists()
    assert not HomeVisit.objects.filter(created_at__lt=F("alert__verified_at")).exists()
    for visit in HomeVisit.objects.all():
        assert visit.visited_on <= timezone.localdate(visit.created_at)
    # Whoever acted had an account by then.
    assert not AlertEvent.objects.filter(at__lt=F("actor__date_joined")).exists()


def assert_runs_read_only_what_had_arrived() -> None:
    assert not ImportBatch.objects.filter(started_at__lt=F("created_at")).exists()
    assert not ImportBatch.objects.filter(finished_at__lt=F("started_at")).exists()
    assert not MonitoringRun.objects.filter(finished_at__lt=F("started_at")).exists()
    # Every record an alert rests on came in a batch loaded before the alert was raised.
    late = rows(
        """
        SELECT a.id FROM alerts_alert a
         CROSS JOIN LATERAL jsonb_array_elements(a.evidence -> 'sources') s
          JOIN imports_importbatch b ON b.id = (s ->> 'batch_id')::bigint
         WHERE b.finished_at > a.created_at
        """
    )
    assert not late
    assert not Alert.objects.filter(rule_version__created_at__gt=F("created_at")).exists()
    # A file only holds what had happened by the day it arrived (the loader refuses later dates).
    tz = timezone.get_current_timezone_name()
    for table, day in (
        ("imports_medicalsettlement", "settle_date"),
        ("imports_diagnosis", "diagnosed_on"),
        ("imports_unemploymentregistration", "registered_on"),
        ("imports_disabilitycertificate", "issued_on"),
    ):
        assert not rows(
            f"SELECT 1 FROM {table} f JOIN imports_importbatch b ON b.id = f.batch_id "
            f"WHERE f.{day} > (b.created_at AT TIME ZONE %s)::date",
            [tz],
        ), table
    # The registry came with the roster, before any department file.
    roster = ImportBatch.objects.get(category=FeedCategory.ROSTER)
    first_file = ImportBatch.objects.exclude(category=FeedCategory.ROSTER).aggregate(at=Min("created_at"))[
        "at"
    ]
    assert roster.finished_at < first_file
    assert not MonitoringRecord.objects.filter(created_at__gt=roster.finished_at).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("built_at", ["2027-03-01 00:30", "2026-12-07 07:10"])
def test_seed_demo_builds_a_causally_sound_working_year_and_is_idempotent(cangzhou, pinned_clock, built_at):
    pinned_clock.move_to(beijing(built_at))
    out = StringIO()
    call_command("seed_demo", households=200, stdout=out)

    assert Household.objects.count() == 200
    assert Person.objects.count() == MonitoringRecord.objects.count() > 200
    batches = ImportBatch.objects.all()
    assert {b.category for b in batches} == set(FeedCategory.values)
    assert all(b.status == BatchStatus.SUCCEEDED for b in batches)
    # A file a month from each department (the last months' files may not have arrived yet), each
    # with a damaged row, and the counts add up for each.
    assert batches.filter(category=FeedCategory.MEDICAL_SETTLEMENT).count() in (11, 12)
    assert not batches.exclude(
        data_rows=F("loaded") + F("corrected") + F("duplicate") + F("rejected")
    ).exists()
    assert not batches.filter(rejected=0).exists()
    assert batches.filter(corrected__gt=0).exists()  # registrations re-sent once they ended
    assert MonitoringRun.objects.filter(status=RunStatus.SUCCEEDED).count() >= 12
    assert Alert.objects.exists()
    # Caseworkers worked through the year: alerts of the last weeks are being handled, most older
    # than a month are closed, and everything from before the last quarter, long ago.
    month_ago = clock.now() - timedelta(days=30)
    older = Alert.objects.filter(created_at__lt=month_ago)
    assert older.filter(status=AlertStatus.CLOSED).count() > 0.75 * older.count()
    assert older.filter(closed_at__lt=month_ago).exists()
    quarter_ago = clock.now() - timedelta(days=100)
    assert not Alert.objects.filter(created_at__lt=quarter_ago).exclude(status=AlertStatus.CLOSED).exists()
    assert DashboardRefresh.objects.exists()
    assert_nothing_in_the_future()
    assert_every_alert_lives_in_order()
    assert_runs_read_only_what_had_arrived()

    assert User.objects.get(username="jingban_a").check_password("demo-2025")
    # A town's caseworker finds the open alerts of the town in the inbox.
    caseworker = Alert.objects.exclude(status=AlertStatus.CLOSED).earliest("deadline").assignee
    assert caseworker.check_password("demo-2025")
    client = Client()
    client.force_login(caseworker)
    inbox = client.get(reverse("alerts:inbox")).context["page"].alerts
    assert inbox and all(a.status != AlertStatus.CLOSED for a in inbox)
    assert all(a.region.code.startswith(caseworker.scope_id) for a in inbox)
    assert "医保结算明细" in out.getvalue()

    alerts, people = Alert.objects.count(), Person.objects.count()
    call_command("seed_demo", households=200, stdout=StringIO())
    assert (Alert.objects.count(), Person.objects.count()) == (alerts, people)
