"""Generated data for the dashboard tests: monitored people, alerts in every state, import batches.

`generate(...)` returns the objects it made so the tests can compute every expected figure in plain
Python over them (never with the SQL under test).
"""

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from alerts.models import Alert, AlertEvent, AlertStatus, Outcome, RuleCode
from households import clock
from imports.models import BatchStatus, Department, ImportBatch
from monitoring.models import MonitoringCategory, MonitoringRecord
from tests.factories import AlertFactory, HouseholdFactory, MonitoringRecordFactory, PersonFactory, region


def monitored(
    region_code: str, category: str, since: date, exit_date: date | None = None
) -> MonitoringRecord:
    household = HouseholdFactory(region=region(region_code))
    person = PersonFactory(household=household)
    return MonitoringRecordFactory(
        person=person,
        category=category,
        since=since,
        status="exited" if exit_date else "active",
        exit_date=exit_date,
    )


def at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


@dataclass
class Generated:
    records: list[MonitoringRecord] = field(default_factory=list)
    alerts: list[Alert] = field(default_factory=list)
    # alert id → when verification started according to its history (verified_at empty)
    verify_events: dict[int, datetime] = field(default_factory=dict)


def generate(
    *, regions: list[str], caseworkers: list, today: date, alerts: int = 120, seed: int = 5
) -> Generated:
    """Monitored people and alerts spread over `regions`, all rules, states, outcomes and the
    last ~15 months (some before the charts' window, some closed late at night)."""
    rng = random.Random(seed)
    made = Generated()
    for i, code in enumerate(regions * 4):
        category = rng.choice(MonitoringCategory.values)
        since = today - timedelta(days=rng.randint(0, 900))
        exit_date = None
        if i % 7 == 3:
            exit_date = today - timedelta(days=rng.randint(1, 30))  # exited: not counted
            since = exit_date - timedelta(days=100)
        if i % 11 == 5:
            since = today + timedelta(days=3)  # enrolled from next week: not counted yet
        made.records.append(monitored(code, category, since, exit_date))
    now = clock.now()
    for i in range(alerts):
        record = made.records[rng.randrange(len(made.records))]
        rule = rng.choice(RuleCode.values)
        raised = today - timedelta(days=rng.choice([0, 1, 3, 10, 20, 40, 70, 100, 200, 300, 360, 420, 470]))
        status = rng.choice(
            [AlertStatus.NEW, AlertStatus.ASSIGNED, AlertStatus.VERIFYING] + [AlertStatus.CLOSED] * 3
        )
        assignee = None if status == AlertStatus.NEW else rng.choice(caseworkers)
        verified_at = closed_at = None
        event_at = None
        outcome = ""
        if status in (AlertStatus.VERIFYING, AlertStatus.CLOSED):
            moment = min(at(raised + timedelta(days=rng.randint(0, 9)), rng.choice([7, 15])), now)
            if i % 3 == 0:
                event_at = moment  # only the history knows
            else:
                verified_at = moment
        if status == AlertStatus.CLOSED:
            # 07:00 local is the previous day in UTC: the local date must be the one counted.
            closed_at = min(at(raised + timedelta(days=rng.randint(2, 30)), rng.choice([7, 15])), now)
            if verified_at:
                closed_at = max(closed_at, verified_at)
            outcome = rng.choice(Outcome.values)
        alert = AlertFactory(
            rule=rule,
            person=record.person,
            raised_on=raised,
            deadline=raised
            + timedelta(days=7 if rule in ("serious_disease", "new_severe_disability") else 15),
            status=status,
            assignee=assignee,
            verified_at=verified_at,
            closed_at=closed_at,
            outcome=outcome,
            close_note="核查完毕" if closed_at else "",
        )
        if event_at:
            AlertEvent.objects.create(
                alert=alert,
                actor=assignee,
                action="start_verification",
                from_status="assigned",
                to_status="verifying",
            )
            # a later second start (after a reopen) must not count: the first one does
            AlertEvent.objects.create(
                alert=alert,
                actor=assignee,
                action="start_verification",
                from_status="assigned",
                to_status="verifying",
            )
            events = list(AlertEvent.objects.filter(alert=alert).order_by("id"))
            AlertEvent.objects.filter(pk=events[0].pk).update(at=event_at)
            AlertEvent.objects.filter(pk=events[1].pk).update(at=event_at + timedelta(days=5))
            made.verify_events[alert.id] = event_at
        made.alerts.append(alert)
    return made


def batch(
    category: str, *, arrived: date, rows: int, rejected: int = 0, name_mismatch: int = 0
) -> ImportBatch:
    """A successful import batch that arrived on `arrived`."""
    department, _ = Department.objects.get_or_create(code="test-dept", defaults={"name": "测试部门"})
    made = ImportBatch.objects.create(
        category=category,
        department=department,
        file_name=f"{category}-{arrived:%Y%m%d}.csv",
        sha256=f"{category}{arrived:%Y%m%d}{rows}".ljust(64, "0"),
        status=BatchStatus.SUCCEEDED,
        data_rows=rows,
        rows_read=rows,
        loaded=rows - rejected,
        rejected=rejected,
        name_mismatch=name_mismatch,
    )
    ImportBatch.objects.filter(pk=made.pk).update(created_at=at(arrived, 9))
    return made
