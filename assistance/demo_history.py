"""A year of activity for the demo: department files imported, nightly runs, caseworkers at work.

Everything goes through the real services (imports, the monitoring run, triage), so the demo shows
what the system itself produces. Only the timestamps of the simulated triage are moved back to the
days it would have happened on, so the dashboard's durations and months look like a real year.
"""

import random
import tempfile
from datetime import date, timedelta
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.db import connection

from alerts.models import Alert, AlertStatus, Outcome
from alerts.services import triage
from alerts.services.dashboard import refresh_dashboard_summaries
from alerts.services.run import monitoring_run
from assistance.demo_feeds import write_demo_feeds
from imports.models import FeedCategory, ImportBatch

# How caseworkers closed the alerts of the past year (outcome, weight).
OUTCOME_WEIGHTS = [
    (Outcome.ENROL_DIBAO, 14),
    (Outcome.ENROL_TEKUN, 3),
    (Outcome.TEMPORARY_ASSISTANCE, 18),
    (Outcome.ENROL_EDGE_MONITORING, 8),
    (Outcome.REFER_MEDICAL, 16),
    (Outcome.REFER_DISABILITY, 6),
    (Outcome.REFER_EMPLOYMENT, 7),
    (Outcome.ALREADY_COVERED, 15),
    (Outcome.NOT_ELIGIBLE, 10),
    (Outcome.DATA_ERROR, 3),
]
FINDINGS = [
    "户主住院治疗，家中仅老人照看孩子，医疗费用负担重。",
    "家庭主要劳动力失业，暂无稳定收入，靠亲友接济。",
    "家中有重度残疾人需长期照护，收入来源单一。",
    "经入户了解，家庭收入稳定，生活基本有保障。",
]


def import_demo_file(*, category: str, path: Path, stdout) -> None:
    """Load one department file as the demo's data admin (shuju) would, printing the batch summary."""
    call_command("import_feed", category, str(path), user="shuju", stdout=stdout)


def import_demo_feeds(*, today: date, stdout) -> None:
    """Write the demo department files and load each."""
    with tempfile.TemporaryDirectory() as folder:
        for demo_file in write_demo_feeds(Path(folder), today=today):
            import_demo_file(category=demo_file.category, path=demo_file.path, stdout=stdout)


def run_past_year(*, today: date, stdout) -> None:
    """One monitoring run at the end of each of the last 12 months, then today's."""
    days = []
    for back in range(11, 0, -1):
        year, month = divmod(today.year * 12 + today.month - 1 - back, 12)
        days.append(date(year, month + 1, 28))
    days.append(today)
    for as_of in sorted(set(days)):
        run = monitoring_run(as_of=as_of, mode="full")
        new = sum(c.get("new", 0) for c in run.counts.get("rules", {}).values())
        stdout.write(f"  监测运行 {as_of}：新增预警 {new}")


def _backdate(days: list[tuple[int, date, date | None, date]]) -> None:
    """Move the triage of each (alert id, verified on, closed on or None, raised on) to those days."""
    params = {
        "ids": [alert_id for alert_id, _, _, _ in days],
        "v": [verified for _, verified, _, _ in days],
        "c": [closed or verified for _, verified, closed, _ in days],
        "r": [raised for _, _, _, raised in days],
        "tz": settings.TIME_ZONE,
    }
    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE alerts_alert a SET verified_at = (d.v + time '10:00') AT TIME ZONE %(tz)s,
                   closed_at = CASE WHEN a.closed_at IS NULL THEN NULL
                                    ELSE (d.c + time '16:00') AT TIME ZONE %(tz)s END
              FROM unnest(%(ids)s::bigint[], %(v)s::date[], %(c)s::date[]) AS d(id, v, c)
             WHERE a.id = d.id;
            UPDATE alerts_alertevent e SET at = (CASE
                WHEN e.action = 'close' THEN d.c + time '16:00'
                WHEN e.action = 'record_visit' THEN d.v + time '15:00'
                WHEN e.action = 'start_verification' THEN d.v + time '09:00'
                ELSE d.r + time '08:30' + (e.id %% 60) * interval '1 minute' END) AT TIME ZONE %(tz)s
              FROM unnest(%(ids)s::bigint[], %(v)s::date[], %(c)s::date[], %(r)s::date[]) AS d(id, v, c, r)
             WHERE e.alert_id = d.id;
            """,
            params,
        )


def simulate_triage(*, today: date, stdout, seed: int = 2025) -> None:
    """Caseworkers verify and close most alerts older than a fortnight; recent ones stay open."""
    rng = random.Random(seed)
    outcomes, weights = zip(*OUTCOME_WEIGHTS, strict=True)
    closed = 0
    backdated: list[tuple[int, date, date | None, date]] = []
    open_alerts = Alert.objects.filter(status=AlertStatus.ASSIGNED).select_related("assignee").order_by("id")
    for alert in open_alerts:
        age = (today - alert.raised_on).days
        if age < 5 or (age < 30 and rng.random() < 0.5):
            continue
        actor = alert.assignee
        verified = min(today, alert.raised_on + timedelta(days=rng.randint(1, 12)))
        alert = triage.alert_start_verification(
            actor=actor, alert_id=alert.pk, lock_version=alert.lock_version
        )
        if age < 20 and rng.random() < 0.4:
            backdated.append((alert.pk, verified, None, alert.raised_on))
            continue  # still being verified
        triage.alert_record_visit(
            actor=actor,
            alert_id=alert.pk,
            lock_version=alert.lock_version,
            visited_on=verified,  # on or after raised_on: the alert is at least 5 days old
            visitors=f"{actor.first_name or actor.username}、村网格员",
            findings=rng.choice(FINDINGS),
            household_situation="家庭成员身体状况、收入与支出情况已逐项核实并记录。",
        )
        alert.refresh_from_db(fields=["lock_version"])
        closed_on = min(today, verified + timedelta(days=rng.randint(0, 10)))
        triage.alert_close(
            actor=actor,
            alert_id=alert.pk,
            lock_version=alert.lock_version,
            outcome=rng.choices(outcomes, weights=weights)[0],
            note="已入户核查并按规定办理。",
        )
        backdated.append((alert.pk, verified, closed_on, alert.raised_on))
        closed += 1
    _backdate(backdated)
    stdout.write(f"  模拟办理：已办结 {closed} 条预警")


def build_demo_history(*, today: date, stdout) -> None:
    if ImportBatch.objects.exclude(category=FeedCategory.ROSTER).exists():
        stdout.write("已有导入批次，跳过演示业务数据生成。")
        return
    stdout.write("生成演示业务数据：")
    import_demo_feeds(today=today, stdout=stdout)
    run_past_year(today=today, stdout=stdout)
    simulate_triage(today=today, stdout=stdout)
    refresh = refresh_dashboard_summaries(as_of=today)
    stdout.write(f"  看板汇总：{refresh.row_count} 行")
