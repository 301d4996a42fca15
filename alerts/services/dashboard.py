"""Nightly dashboard summaries: the figures over the alert history, computed once per night.

The supervisor dashboard reads live only what changes during the day and is cheap to read (open
alerts, caseload) from small partial indexes; everything that would scan the alert history (alerts
per month, outcomes, median durations) and the monitored population comes from `DashboardSummary`.
"""

import time
from datetime import date, datetime, timedelta
from datetime import time as dtime

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from alerts.models import Alert, AlertEvent, AlertStatus, DashboardRefresh, DashboardSummary
from monitoring.models import MonitoringRecord, MonitoringSpell

# Serialises refreshes (a manual one never interleaves with the nightly one).
_LOCK_KEY = 6_060_001

# Every region level a row belongs to: the city (4-character prefix), county, town, village.
# A row whose region code is shorter than a level (a household registered at county level) has no
# node at that level; GROUPING SETS then yields a NULL node, which is dropped.
_LEVELS = """
    left({col}, 4) AS n4,
    left({col}, 6) AS n6,
    CASE WHEN length({col}) >= 9 THEN left({col}, 9) END AS n9,
    CASE WHEN length({col}) = 12 THEN {col} END AS n12
"""
_NODE = """
    CASE WHEN GROUPING(n4) = 0 THEN n4 WHEN GROUPING(n6) = 0 THEN n6
         WHEN GROUPING(n9) = 0 THEN n9 ELSE n12 END
"""


def _sets(*extra: str) -> str:
    """GROUPING SETS over the four levels, each combined with the `extra` column groups."""
    groups = []
    for level in ("n4", "n6", "n9", "n12"):
        for cols in extra or ("",):
            groups.append(f"({', '.join(c for c in (level, cols) if c)})")
    return ", ".join(groups)


def window_start(as_of: date) -> date:
    """First day of the twelve calendar months ending with `as_of`'s month (the charts' window)."""
    month = as_of.year * 12 + as_of.month - 1 - 11
    return date(month // 12, month % 12 + 1, 1)


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, dtime.min))


def _statements() -> list[str]:
    alert, event = Alert._meta.db_table, AlertEvent._meta.db_table
    record, summary = MonitoringRecord._meta.db_table, DashboardSummary._meta.db_table
    # Monitored on as_of: the spell in force that day (its category then), counted where the
    # person's record places them now.
    spell = MonitoringSpell._meta.db_table
    insert = f"INSERT INTO {summary} (as_of, node, measure, rule, month, key, count, median_days)"
    monitored = f"""
        {insert}
        SELECT %(as_of)s, node, 'monitored', '', NULL, category, n, NULL FROM (
            SELECT {_NODE} AS node, category, count(*) AS n
            FROM (SELECT {_LEVELS.format(col="r.region_code")}, sp.category
                  FROM {spell} sp JOIN {record} r ON r.person_id = sp.person_id
                  WHERE r.region_code LIKE %(city)s AND sp.since <= %(as_of)s
                    AND (sp.exit_date IS NULL OR sp.exit_date > %(as_of)s)) s
            GROUP BY GROUPING SETS ({_sets("category")})
        ) g WHERE node IS NOT NULL
    """
    raised = f"""
        {insert}
        SELECT %(as_of)s, node, 'raised', rule, month, '', n, NULL FROM (
            SELECT {_NODE} AS node, rule, month, count(*) AS n
            FROM (SELECT {_LEVELS.format(col="region_id")}, rule,
                         date_trunc('month', raised_on)::date AS month
                  FROM {alert}
                  WHERE region_id LIKE %(city)s AND raised_on BETWEEN %(start)s AND %(as_of)s) s
            GROUP BY GROUPING SETS ({_sets("rule, month")})
        ) g WHERE node IS NOT NULL
    """
    closed = f"""
        {insert}
        SELECT %(as_of)s, node, 'closed', rule, NULL, outcome, n, NULL FROM (
            SELECT {_NODE} AS node, rule, outcome, count(*) AS n
            FROM (SELECT {_LEVELS.format(col="region_id")}, rule, outcome FROM {alert}
                  WHERE status = %(closed)s AND region_id LIKE %(city)s
                    AND closed_at >= %(start_at)s AND closed_at < %(end_at)s) s
            GROUP BY GROUPING SETS ({_sets("rule, outcome")})
        ) g WHERE node IS NOT NULL
    """
    # A person alerted twice (two rules, or twice by one rule) is one person: counted per rule and,
    # under rule "", once over all rules.
    people = f"""
        {insert}
        SELECT %(as_of)s, node, 'people', rule, NULL, '', n, NULL FROM (
            SELECT {_NODE} AS node, CASE WHEN GROUPING(rule) = 0 THEN rule ELSE '' END AS rule,
                   count(DISTINCT person_id) AS n
            FROM (SELECT {_LEVELS.format(col="region_id")}, rule, person_id
                  FROM {alert}
                  WHERE region_id LIKE %(city)s AND raised_on BETWEEN %(start)s AND %(as_of)s) s
            GROUP BY GROUPING SETS ({_sets("rule", "")})
        ) g WHERE node IS NOT NULL
    """
    # Verification starts when verified_at is set; older alerts only have it in their history.
    verify_moment = f"""
        coalesce(a.verified_at, (SELECT min(e.at) FROM {event} e
                                 WHERE e.alert_id = a.id AND e.to_status = %(verifying)s))
    """
    durations = [
        ("days_to_verify", verify_moment, "a.status <> %(new)s"),
        ("days_to_close", "a.closed_at", "a.status = %(closed)s"),
    ]
    medians = []
    for measure, moment, condition in durations:
        medians.append(f"""
            {insert}
            SELECT %(as_of)s, node, '{measure}', rule, NULL, '', n, median FROM (
                SELECT {_NODE} AS node, CASE WHEN GROUPING(rule) = 0 THEN rule ELSE '' END AS rule,
                       count(*) AS n, percentile_cont(0.5) WITHIN GROUP (ORDER BY days) AS median
                FROM (SELECT {_LEVELS.format(col="region_id")}, rule,
                             (moment AT TIME ZONE %(tz)s)::date - raised_on AS days
                      FROM (SELECT a.region_id, a.rule, a.raised_on, {moment} AS moment
                            FROM {alert} a WHERE {condition} AND a.region_id LIKE %(city)s) m
                      WHERE moment >= %(start_at)s AND moment < %(end_at)s) s
                GROUP BY GROUPING SETS ({_sets("rule", "")})
            ) g WHERE node IS NOT NULL
        """)
    return [monitored, raised, people, closed, *medians]


@transaction.atomic
def refresh_dashboard_summaries(*, as_of: date) -> DashboardRefresh:
    """Rebuild every dashboard summary as of the end of `as_of`, for every region node at once.

    Guarantees: set-based SQL only; the old summaries are replaced in one transaction (readers see
    either the old or the new set, never a mix); concurrent refreshes wait for each other. Figures:
    people under monitoring on `as_of` per category; alerts raised per rule and month, the distinct
    people they were raised for (per rule and over all rules), and alerts closed per rule and
    outcome, in the twelve months ending with `as_of`'s month; the median days
    from raising to the start of verification and to closing, over alerts verified (closed) in
    that window. Returns the refresh record (as_of, duration, rows written).
    """
    started = time.monotonic()
    params = {
        "as_of": as_of,
        "start": window_start(as_of),
        "start_at": _day_start(window_start(as_of)),
        "end_at": _day_start(as_of + timedelta(days=1)),
        "city": settings.CITY_REGION_CODE[:4] + "%",
        "tz": settings.TIME_ZONE,
        "new": AlertStatus.NEW,
        "verifying": AlertStatus.VERIFYING,
        "closed": AlertStatus.CLOSED,
    }
    rows = 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
        cursor.execute(f"DELETE FROM {DashboardSummary._meta.db_table}")
        for statement in _statements():
            cursor.execute(statement, params)
            rows += cursor.rowcount
    return DashboardRefresh.objects.create(
        as_of=as_of, duration_ms=int((time.monotonic() - started) * 1000), row_count=rows
    )
