"""Supervisor dashboard: server time of the page for a city and a county supervisor.

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/jz_dashboard_bench
    .venv/bin/python benchmarks/dashboard_bench.py [--people 150000] [--alerts 1000000] [--repeat 30]

On an empty database it first makes the data (benchmarks.datagen: population and alerts, plus
verification times, history events and a year of import batches), then refreshes the nightly
dashboard summaries (timed) and requests the dashboard repeatedly through Django's test client
(the whole request: middleware, queries, template). Prints dataset size, p50/p95/max per persona.
"""

import argparse
import hashlib
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# No collectstatic for a benchmark: plain static storage resolves {% static %} without a manifest.
os.environ.setdefault("STATICFILES_BACKEND", "django.contrib.staticfiles.storage.StaticFilesStorage")

import django

django.setup()

from datetime import date, timedelta  # noqa: E402

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from alerts.services.dashboard import refresh_dashboard_summaries  # noqa: E402
from benchmarks import datagen  # noqa: E402
from benchmarks.measure import QueryCounter, p50_p95_max, scalar, time_requests  # noqa: E402
from households import clock  # noqa: E402
from households.models import Role, User  # noqa: E402

CITY_USER, COUNTY_USER = "bench_city_supervisor", "bench_county_supervisor"
COUNTY = "130921"
TOWN = "130921101"
OPEN_ALERTS = "SELECT count(*) FROM alerts_alert WHERE status <> 'closed'"


def make_users() -> list[int]:
    """One caseworker per town (scope = the town) and the two supervisors; returns caseworker ids."""
    ids = datagen.town_caseworkers()
    for username, scope in ((CITY_USER, "130900"), (COUNTY_USER, COUNTY)):
        User.objects.get_or_create(username=username, defaults={"role": Role.SUPERVISOR, "scope_id": scope})
    return ids


def enrich_alerts() -> None:
    """Verification times and history events, as triage would have left them (set-based SQL)."""
    with connection.cursor() as cursor:
        # datagen closes some recent alerts "in the future"; triage never would.
        cursor.execute(
            """
            UPDATE alerts_alert SET
                closed_at = LEAST(closed_at, %(now)s),
                verified_at = CASE WHEN id %% 3 = 0 THEN NULL ELSE
                    LEAST(coalesce(LEAST(closed_at, %(now)s), %(now)s),
                          raised_on + make_interval(days => (id %% 9)::int, hours => 10)) END
            WHERE status IN ('verifying', 'closed')
            """,
            {"now": clock.now()},
        )
        # Where verified_at is empty the history tells when verification started.
        cursor.execute(
            """
            INSERT INTO alerts_alertevent (alert_id, actor_id, at, action, from_status, to_status, note, data)
            SELECT id, assignee_id, LEAST(%(now)s, raised_on + make_interval(days => (id %% 11)::int, hours => 9)),
                   'start_verification', 'assigned', 'verifying', '', '{}'::jsonb
            FROM alerts_alert WHERE status IN ('verifying', 'closed')
            """,
            {"now": clock.now()},
        )
        cursor.execute("VACUUM ANALYZE alerts_alert")
        cursor.execute("VACUUM ANALYZE alerts_alertevent")


def make_batches() -> None:
    """Twelve monthly batches per feed category, the last medical file unusually small."""
    from imports.models import Department, FeedCategory, ImportBatch

    dept, _ = Department.objects.get_or_create(code="bench", defaults={"name": "基准测试部门"})
    today = clock.today()
    rows = []
    for category in FeedCategory.values:
        for m in range(12, 0, -1):
            day = (today.replace(day=1) - timedelta(days=30 * m)).replace(day=5)
            size = 20_000 + 100 * m
            if category == "medical_settlement" and m == 1:
                size = 3_000
            rows.append(
                ImportBatch(
                    category=category,
                    department=dept,
                    file_name=f"{category}-{day:%Y%m}.csv",
                    sha256=hashlib.sha256(f"{category}-{m}".encode()).hexdigest(),
                    status="succeeded",
                    data_rows=size,
                    rows_read=size,
                    loaded=size - 50,
                    rejected=50,
                    name_mismatch=7,
                )
            )
    made = ImportBatch.objects.bulk_create(rows)
    for batch in made:  # created_at is auto_now_add: set the month the file arrived
        day = date(int(batch.file_name[-10:-6]), int(batch.file_name[-6:-4]), 5)
        ImportBatch.objects.filter(pk=batch.pk).update(
            created_at=timezone.make_aware(timezone.datetime(day.year, day.month, day.day, 9))
        )


def setup_data(people: int, alerts: int) -> None:
    """Make whatever part of the dataset is missing (a re-run reuses the data)."""
    started = time.perf_counter()
    if not scalar("SELECT count(*) FROM alerts_alert"):
        datagen.population(people)
        caseworkers = make_users()
        datagen.alerts(alerts, caseworkers)
    if not scalar("SELECT count(*) FROM (SELECT 1 FROM alerts_alertevent LIMIT 1) e"):
        enrich_alerts()
    if not scalar("SELECT count(*) FROM imports_importbatch"):
        make_batches()
    print(f"data ready in {time.perf_counter() - started:.0f} s", flush=True)


def report(label: str, times: list[float], queries: int) -> None:
    p50, p95, slowest = p50_p95_max(times)
    print(
        f"{label:<42} p50 {p50:6.1f} ms   p95 {p95:6.1f} ms   "
        f"max {slowest:6.1f} ms   ({len(times)} requests, {queries} SQL queries)",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--people", type=int, default=150_000)
    parser.add_argument("--alerts", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--setup-only", action="store_true")
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    setup_data(args.people, args.alerts)
    make_users()
    if args.setup_only:
        return
    print(
        f"dataset: {scalar('SELECT count(*) FROM alerts_alert'):,} alerts, "
        f"{scalar('SELECT count(*) FROM monitoring_monitoringrecord'):,} monitored people, "
        f"{scalar('SELECT count(*) FROM alerts_alertevent'):,} alert events, "
        f"{scalar(OPEN_ALERTS):,} open alerts, "
        f"{scalar('SELECT count(*) FROM households_region'):,} regions",
        flush=True,
    )
    started = time.perf_counter()
    refresh = refresh_dashboard_summaries(as_of=clock.today())
    print(
        f"nightly refresh_dashboard_summaries: {(time.perf_counter() - started):.1f} s, "
        f"{refresh.row_count:,} summary rows",
        flush=True,
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE alerts_dashboardsummary")
    print(f"load before requests: {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
    cases = [
        ("city supervisor, /alerts/dashboard/", CITY_USER, reverse("alerts:dashboard")),
        ("county supervisor, /alerts/dashboard/", COUNTY_USER, reverse("alerts:dashboard")),
        ("city supervisor, drill-down to 沧县", CITY_USER, reverse("alerts:dashboard_region", args=[COUNTY])),
        (
            "county supervisor, drill-down to a town",
            COUNTY_USER,
            reverse("alerts:dashboard_region", args=[TOWN]),
        ),
        ("city supervisor, .xlsx export", CITY_USER, reverse("alerts:dashboard_export")),
    ]
    for label, username, url in cases:
        client = Client()
        client.force_login(User.objects.get(username=username))
        counter = QueryCounter()
        with connection.execute_wrapper(counter):
            client.get(url)
        wall, _sql, _cpu = time_requests(client, url, args.repeat)
        report(label, wall, counter.count)
    print(f"load after requests: {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)


if __name__ == "__main__":
    main()
