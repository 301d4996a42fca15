"""The demo a new user starts with: built through the real imports, run and triage services."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import F

from alerts.models import Alert, AlertStatus, DashboardRefresh, MonitoringRun, RunStatus
from households.models import Household, Person, User
from imports.models import BatchStatus, FeedCategory, ImportBatch
from monitoring.models import MonitoringRecord


@pytest.mark.django_db
def test_seed_demo_builds_a_working_year_and_is_idempotent(cangzhou):
    out = StringIO()
    call_command("seed_demo", households=60, stdout=out)

    assert Household.objects.count() == 60
    assert Person.objects.count() == MonitoringRecord.objects.count() > 60
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
    assert not Alert.objects.exclude(household__region__code__startswith="1309").exists()
    assert Alert.objects.filter(status=AlertStatus.CLOSED).exists()
    assert DashboardRefresh.objects.exists()
    jingban_a = User.objects.get(username="jingban_a")
    assert jingban_a.check_password("demo-2025")
    assert "医保结算明细" in out.getvalue()

    alerts, people = Alert.objects.count(), Person.objects.count()
    call_command("seed_demo", households=60, stdout=StringIO())
    assert (Alert.objects.count(), Person.objects.count()) == (alerts, people)
