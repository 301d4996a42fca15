"""The demo a new user starts with: built through the real imports, run and triage services."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import F
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from alerts.models import Alert, AlertStatus, DashboardRefresh, MonitoringRun, RunStatus
from households.models import Household, Person, User
from imports.models import BatchStatus, FeedCategory, ImportBatch
from monitoring.models import MonitoringRecord


@pytest.mark.django_db
def test_seed_demo_builds_a_working_year_and_is_idempotent(cangzhou):
    out = StringIO()
    call_command("seed_demo", households=200, stdout=out)  # enough for open alerts in jingban_a's town

    assert Household.objects.count() == 200
    assert Person.objects.count() == MonitoringRecord.objects.count() > 200
    batches = ImportBatch.objects.all()
    assert {b.category for b in batches} == set(FeedCategory.values)
    assert all(b.status == BatchStatus.SUCCEEDED for b in batches)
    # Every demo file carries a damaged row, and the counts add up for each.
    assert not batches.exclude(
        data_rows=F("loaded") + F("corrected") + F("duplicate") + F("rejected")
    ).exists()
    assert not batches.filter(rejected=0).exists()
    assert MonitoringRun.objects.filter(status=RunStatus.SUCCEEDED).count() >= 12
    assert Alert.objects.exists()
    # The simulated triage is moved back to the days it would have happened on: alerts closed a
    # month or more ago, not all just now.
    month_ago = timezone.now() - timedelta(days=30)
    assert Alert.objects.filter(status=AlertStatus.CLOSED, closed_at__lt=month_ago).exists()
    assert not Alert.objects.filter(status=AlertStatus.CLOSED, closed_at__gt=timezone.now()).exists()
    assert DashboardRefresh.objects.exists()
    jingban_a = User.objects.get(username="jingban_a")
    assert jingban_a.check_password("demo-2025")
    # The caseworker of the first demo town finds open alerts of that town in the inbox.
    client = Client()
    client.force_login(jingban_a)
    inbox = client.get(reverse("alerts:inbox")).context["page"].alerts
    assert inbox and all(a.status != AlertStatus.CLOSED for a in inbox)
    assert all(a.region.code.startswith("130921101") for a in inbox)
    assert "医保结算明细" in out.getvalue()

    alerts, people = Alert.objects.count(), Person.objects.count()
    call_command("seed_demo", households=200, stdout=StringIO())
    assert (Alert.objects.count(), Person.objects.count()) == (alerts, people)
