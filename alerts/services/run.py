"""The nightly monitoring run: the four rules evaluated set-based for an as-of date.

A run is three steps, so Celery can spread the middle one over workers:

    run_begin(as_of)            one MonitoringRun row per as-of date at a time (a DB constraint);
                                a run left "running" by a dead worker is resumed, not duplicated
    run_county(run_id, county)  one transaction per county: one INSERT … SELECT … ON CONFLICT per
                                rule; records the county's counts in the run in the same transaction
    run_finish(run_id)          adds up the counts, assigns the new alerts, refreshes the dashboard

`monitoring_run(as_of=…)` does all three in-process (the command line, tests, benchmarks).

Idempotency comes from the database, not from bookkeeping: every alert has a unique
(rule, dedupe_key) and `ON CONFLICT DO NOTHING`; the self-pay rule's "one alert per person per
cooldown" is a NOT EXISTS over the person's alerts, made safe against concurrent runs by a
per-county advisory lock (a person's alerts are only ever raised by their county's task).

Incremental nights: a run in mode "auto" compares itself with the newest successful run (the
baseline, at most 7 days older, not on Sundays — that night is always full). A rule whose version
did not change and none of whose inputs changed is skipped ("unchanged"). For the other rules whose
version did not change, only people whose inputs may have changed are evaluated: their monitoring
record changed or started, a batch that finished after the baseline began (less a safety margin)
wrote one of the rule's feed rows, an unemployment registration or disability certificate is dated
after the baseline's as-of date, or (self-pay) their cooldown ran out. Counts of an incremental run
cover those people only. The touched people are found once when the run begins and kept, by rule
and county, in the run's `counts["touched"]` (the night's work list), so each county's statement
looks them up by id instead of recomputing the set; the list is dropped when the run ends.
"""

import json
import time
from datetime import date, timedelta

from django.db import IntegrityError, connection, transaction
from django.db.models import F, Func, JSONField, Min, Q, Value

from alerts.assignment import auto_assign_new_alerts
from alerts.models import MonitoringRun, RuleCode, RuleVersion, RunStatus, SelfPayState
from alerts.rules.sql import insert_sql, rule_params, touched_sql
from alerts.services.dashboard import refresh_dashboard_summaries
from alerts.services.rules import current_rule_versions
from households import clock
from imports.models import FeedCategory, ImportBatch

# Two-key advisory lock (class, county): one county's rules are evaluated by one task at a time,
# across runs of any date, so the self-pay cooldown check sees every alert already raised.
COUNTY_LOCK_CLASS = 6_060_004
# Rows written this long before the baseline run began may not have been visible to it (a batch
# transaction that started earlier and committed later); re-checking them costs little.
WATERMARK_MARGIN = timedelta(minutes=30)
INCREMENTAL_MAX_GAP_DAYS = 7


def county_lock_key(county: str) -> int:
    """Second key of the county's advisory lock (the county code as a number)."""
    return int(county)


def run_counties(*, as_of: date) -> list[str]:
    """County codes (first 6 digits of the household's region) of everyone monitored on as_of."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT DISTINCT left(h.region_id, 6)
            FROM monitoring_monitoringspell m
            JOIN households_person p ON p.id = m.person_id
            JOIN households_household h ON h.id = p.household_id
            WHERE m.since <= %(as_of)s AND (m.exit_date IS NULL OR m.exit_date > %(as_of)s)
            ORDER BY 1
            """,
            {"as_of": as_of},
        )
        return [row[0] for row in cursor.fetchall()]


def _plan(*, as_of: date, mode: str, versions: dict) -> dict:
    """Which rules run incrementally and against which baseline (stored in run.counts)."""
    plan = {
        "modes": dict.fromkeys(RuleCode.values, "full"),
        "county_list": run_counties(as_of=as_of),
        "counties": {},
    }
    if mode == "full" or (mode == "auto" and as_of.isoweekday() == 7):
        _forget_self_pay_states()
        return plan
    baseline = (
        MonitoringRun.objects.filter(status=RunStatus.SUCCEEDED, as_of__lte=as_of)
        .order_by("-as_of", "-id")
        .first()
    )
    if baseline is None or (as_of - baseline.as_of).days > INCREMENTAL_MAX_GAP_DAYS:
        _forget_self_pay_states()
        return plan
    watermark = baseline.started_at - WATERMARK_MARGIN
    batches = list(
        ImportBatch.objects.filter(Q(finished_at__gt=watermark) | Q(finished_at__isnull=True)).values_list(
            "id", flat=True
        )
    )
    plan.update(
        baseline_run=baseline.id,
        prev_as_of=baseline.as_of.isoformat(),
        watermark=watermark.isoformat(),
        batches=sorted(batches),
        ahead_batches=_settlement_batches_after_stored_bounds(exclude=batches),
    )
    with connection.cursor() as cursor:
        _tune_run_transaction(cursor)
        # Each work list is a union of ID numbers (~100,000 after a large file) matched to people;
        # estimated at 200 rows, it would be looked up one index probe at a time (~4 µs each)
        # instead of one hash join over the registry.
        cursor.execute("SET LOCAL enable_nestloop = off")
        for rule in RuleCode.values:
            if baseline.rule_versions.get(rule) != versions[rule]:
                continue  # new parameters: the whole population is evaluated again
            params = {
                "as_of": as_of,
                "rule": rule,
                "version_id": versions[rule],
                "watermark": plan["watermark"],
                "prev_as_of": plan["prev_as_of"],
                "batches": plan["batches"],
                "ahead_batches": plan["ahead_batches"],
                **rule_params(rule, RuleVersion.objects.get(pk=versions[rule]).params),
            }
            cursor.execute(touched_sql(rule), params)  # self-pay: also moves the stored bounds
            touched = dict(cursor.fetchall())
            plan["modes"][rule] = "incremental" if touched else "unchanged"
            plan.setdefault("touched", {})[rule] = touched
    return plan


def _settlement_batches_after_stored_bounds(*, exclude: list[int]) -> list[int]:
    """Settlement batches (other than tonight's new ones) that may hold rows dated after a stored
    self-pay bound's date: those finished on a later day. The loader rejects dates after the import
    day, so a batch finished on or before that date holds no such row."""
    oldest = SelfPayState.objects.aggregate(day=Min("as_of"))["day"]
    if oldest is None:
        return []
    return sorted(
        ImportBatch.objects.filter(category=FeedCategory.MEDICAL_SETTLEMENT, finished_at__date__gt=oldest)
        .exclude(id__in=exclude)
        .values_list("id", flat=True)
    )


def _tune_run_transaction(cursor) -> None:
    """Settings for the run's statements, for the current transaction only (JIT is off for the
    whole application: config/settings.py)."""
    # Sorts and hashes of a night's work lists and evidence aggregates stay in memory.
    cursor.execute("SET LOCAL work_mem = '64MB'")


def _forget_self_pay_states() -> None:
    """A full self-pay evaluation stores every monitored person's total afresh; the bounds of people
    it does not reach (no longer monitored) would miss what arrived meanwhile, so all go first."""
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM alerts_selfpaystate")


def run_begin(*, as_of: date, mode: str = "auto", user=None) -> MonitoringRun:
    """Start the run of `as_of`, or resume the one still marked running for that date.

    Guarantees: at most one running run per as-of date (constraint
    `monitoringrun_one_running_per_date`); the rule versions are fixed when the run begins, so a
    parameter change saved during the night applies from the next run. A run still "running"
    (its worker died) is returned as is: its finished counties are skipped, the others redone.
    `mode` is "auto" (incremental when a recent baseline allows), "full" or "incremental".
    """
    existing = MonitoringRun.objects.filter(as_of=as_of, status=RunStatus.RUNNING).first()
    if existing is not None:
        return existing
    versions = {rule: v.id for rule, v in current_rule_versions().items()}
    try:
        # The plan moves stored self-pay bounds: kept only if this run is the one that begins.
        with transaction.atomic():
            plan = _plan(as_of=as_of, mode=mode, versions=versions)
            return MonitoringRun.objects.create(
                as_of=as_of, rule_versions=versions, counts=plan, triggered_by=user
            )
    except IntegrityError:
        # Another process began the same night a moment ago: join it.
        return MonitoringRun.objects.get(as_of=as_of, status=RunStatus.RUNNING)


@transaction.atomic
def run_county(*, run_id: int, county: str) -> dict:
    """Evaluate the four rules for one county of a run; return the county's counts.

    Guarantees: all four rules of the county commit together with the county's counts in the run,
    or nothing does (a killed worker leaves no half county); a county already recorded for this
    run is not evaluated again, so a redelivered task changes nothing.
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [COUNTY_LOCK_CLASS, county_lock_key(county)])
        _tune_run_transaction(cursor)
    run = MonitoringRun.objects.get(pk=run_id)
    if run.status != RunStatus.RUNNING:
        # A task redelivered after its run was finished (or given up): nothing left to do.
        return run.counts.get("counties", {}).get(county, {})
    if county in run.counts.get("counties", {}):
        return run.counts["counties"][county]
    versions = RuleVersion.objects.in_bulk(run.rule_versions.values())
    plan = run.counts
    counts = {}
    with connection.cursor() as cursor:
        for rule in RuleCode.values:
            if plan["modes"].get(rule) == "unchanged":
                counts[rule] = {"candidates": 0, "new": 0, "already_alerted": 0}
                continue
            version = versions[run.rule_versions[rule]]
            incremental = plan["modes"].get(rule) == "incremental"
            params = {
                "as_of": run.as_of,
                "county": f"{county}%",
                "rule": rule,
                "version_id": version.id,
                "run_id": run.id,
                "now": clock.now(),
                **rule_params(rule, version.params),
            }
            if incremental:
                params.update(
                    watermark=plan["watermark"],
                    prev_as_of=plan["prev_as_of"],
                    batches=plan["batches"],
                    touched_ids=plan["touched"][rule].get(county, []),
                )
            cursor.execute(insert_sql(rule, incremental=incremental), params)
            candidates, new = cursor.fetchone()
            counts[rule] = {"candidates": candidates, "new": new, "already_alerted": candidates - new}
        # Only the first task to finish the county records it (a duplicate delivery found nothing new).
        cursor.execute(
            """
            UPDATE alerts_monitoringrun
            SET counts = jsonb_set(counts, ARRAY['counties', %(county)s], %(counts)s::jsonb)
            WHERE id = %(id)s AND NOT (counts -> 'counties') ? %(county)s
            """,
            {"id": run.id, "county": county, "counts": _json(counts)},
        )
    return counts


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False)


def run_finish(*, run_id: int) -> MonitoringRun:
    """Close a run: per-rule totals, duration, status; assign its new alerts; refresh the dashboard.

    Guarantees: idempotent (a finished run is returned unchanged); the run is marked succeeded only
    after every county of the as-of date has its counts, otherwise it is marked failed with the
    missing counties named.
    """
    with transaction.atomic():
        run = MonitoringRun.objects.select_for_update().get(pk=run_id)
        if run.status != RunStatus.RUNNING:
            return run
        done = run.counts.get("counties", {})
        missing = sorted(set(run.counts.get("county_list", [])) - set(done))
        totals = {
            rule: {
                key: sum(c[rule][key] for c in done.values())
                for key in ("candidates", "new", "already_alerted")
            }
            for rule in RuleCode.values
        }
        now = clock.now()
        # The work lists (up to ~100,000 ids per rule) are of no use once the run is over.
        run.counts = {**{k: v for k, v in run.counts.items() if k != "touched"}, "rules": totals}
        run.finished_at = now
        run.duration_ms = int((now - run.started_at).total_seconds() * 1000)
        if missing:
            run.status = RunStatus.FAILED
            run.error = "以下区县未完成：" + "、".join(missing)
        else:
            run.status = RunStatus.SUCCEEDED
        run.save(update_fields=["counts", "finished_at", "duration_ms", "status", "error"])
    if run.status == RunStatus.SUCCEEDED:
        auto_assign_new_alerts(run_id=run.id)
        refresh_dashboard_summaries(as_of=run.as_of)
    return run


def run_fail(*, run_id: int, error: str) -> None:
    """Mark a running run failed (a county task gave up); the next run of the date starts afresh."""
    MonitoringRun.objects.filter(pk=run_id, status=RunStatus.RUNNING).update(
        status=RunStatus.FAILED,
        error=error[:2000],
        finished_at=clock.now(),
        counts=Func(  # counts - 'touched': the work lists are of no use once the run is over
            F("counts"),
            Value("touched"),
            arg_joiner=" - ",
            template="%(expressions)s",
            output_field=JSONField(),
        ),
    )


def monitoring_run(*, as_of: date, mode: str = "auto", user=None) -> MonitoringRun:
    """The whole run in this process, county after county (command line, tests, benchmarks)."""
    started = time.monotonic()
    run = run_begin(as_of=as_of, mode=mode, user=user)
    try:
        for county in run.counts["county_list"]:
            run_county(run_id=run.id, county=county)
    except Exception as exc:
        run_fail(run_id=run.id, error=repr(exc))
        raise
    run = run_finish(run_id=run.id)
    run.wall_seconds = time.monotonic() - started
    return run
