"""Alert inbox: server time of the inbox page for a town caseworker and a county supervisor.

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/jz_inbox_bench
    .venv/bin/python benchmarks/inbox_bench.py [--people 150000] [--alerts 1000000] [--repeat 50]

On an empty database it first makes the data (benchmarks.datagen: population, one caseworker per
town, alerts spread over them), then requests the inbox repeatedly through Django's test client
(the whole request: session, auth, every query, template), unfiltered and with filters, and prints
dataset size, p50/p95/max and the number of SQL queries per case.
"""

import argparse
import os
import re
import statistics
import sys
import time
from html import unescape
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# No collectstatic for a benchmark: plain static storage resolves {% static %} without a manifest.
os.environ.setdefault("STATICFILES_BACKEND", "django.contrib.staticfiles.storage.StaticFilesStorage")
# The bench times the ID search itself, --repeat times a persona: not the per-user limit's refusal.
os.environ.setdefault("ID_SEARCH_LIMIT", "1000000")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from benchmarks import datagen  # noqa: E402
from benchmarks.measure import QueryCounter, p50_p95_max, scalar, time_requests  # noqa: E402
from households.models import Person, Role, User  # noqa: E402

COUNTY = "130921"
TOWN = "130921101"
COUNTY_USER = "bench_county_supervisor"
TOWN_USER = f"bench_cw_{TOWN}"
OPEN_ALERTS = "SELECT count(*) FROM alerts_alert WHERE status <> 'closed'"


def make_users() -> list[int]:
    """One caseworker per town (scope = the town) and a county supervisor; returns caseworker ids."""
    ids = datagen.town_caseworkers()
    User.objects.get_or_create(username=COUNTY_USER, defaults={"role": Role.SUPERVISOR, "scope_id": COUNTY})
    return ids


def setup_data(people: int, alerts: int) -> None:
    started = time.perf_counter()
    if not scalar("SELECT count(*) FROM (SELECT 1 FROM alerts_alert LIMIT 1) a"):
        datagen.population(people)
        datagen.alerts(alerts, make_users())
    make_users()
    print(f"data ready in {time.perf_counter() - started:.0f} s", flush=True)


def report(
    label: str, timings: tuple[list[float], list[float], list[float]], queries: int, rows: int
) -> None:
    wall, sql, cpu = timings
    p50, p95, slowest = p50_p95_max(wall)
    print(
        f"| {label} | {p50:.1f} ms | {p95:.1f} ms | {slowest:.1f} ms "
        f"| {statistics.median(sql):.1f} ms | {statistics.median(cpu):.1f} ms | {queries} | {rows} |",
        flush=True,
    )


def second_page(client: Client, params: dict) -> str:
    """The URL of the inbox's second page (keyset cursor taken from the first)."""
    url = reverse("alerts:inbox")
    html = client.get(url, params).content.decode()
    cursor = re.search(r'id="next-page" href="\?([^"]+)"', html)
    return f"{url}?{unescape(cursor.group(1))}" if cursor else f"{url}?{urlencode(params)}"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--people", type=int, default=150_000)
    parser.add_argument("--alerts", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    setup_data(args.people, args.alerts)
    with connection.cursor() as cursor:
        # VACUUM, not only ANALYZE: the inbox's counts are index-only scans, which read the heap
        # until the visibility map is set. A server's autovacuum does this after a bulk insert;
        # this machine's PostgreSQL runs with autovacuum off (county inbox p95 328 ms without).
        cursor.execute("VACUUM ANALYZE alerts_alert")
        cursor.execute("VACUUM ANALYZE households_person")
    print(
        f"dataset: {scalar('SELECT count(*) FROM alerts_alert'):,} alerts "
        f"({scalar(OPEN_ALERTS):,} open), "
        f"{scalar('SELECT count(*) FROM households_person'):,} people, "
        f"{scalar('SELECT count(*) FROM households_region'):,} regions; "
        f"town {TOWN}: {scalar('SELECT count(*) FROM alerts_alert WHERE region_id LIKE %s', [TOWN + '%'])} alerts, "
        f"county {COUNTY}: {scalar('SELECT count(*) FROM alerts_alert WHERE region_id LIKE %s', [COUNTY + '%'])}",
        flush=True,
    )
    sample_id = scalar(
        "SELECT p.id FROM alerts_alert a JOIN households_person p ON p.id = a.person_id "
        "WHERE a.region_id LIKE %s ORDER BY a.id LIMIT 1",
        [TOWN + "%"],
    )
    sample = Person.objects.get(pk=sample_id)
    village = f"{TOWN}201"
    inbox = reverse("alerts:inbox")
    filtered_sets = {
        "unfiltered (open alerts, by deadline)": {},
        "overdue only": {"overdue": "on"},
        "category + raised date range": {
            "rule": "serious_disease",
            "raised_from": "2026-01-01",
            "raised_to": "2026-12-31",
        },
        "status closed": {"status": "closed"},
        "all statuses": {"status": "all"},
        "assignee = mine": {"assignee": "mine"},
        "search name prefix": {"q": sample.name[:4], "status": "all"},
        "search full ID": {"q": sample.id_number, "status": "all"},
    }
    print(f"load before requests: {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
    print("| persona, request | p50 | p95 | max | SQL time p50 | Django CPU p50 | SQL queries | rows shown |")
    print("|---|---|---|---|---|---|---|---|")
    for persona, username, extra in (
        ("town caseworker", TOWN_USER, {"region (village)": {"region": village}}),
        (
            "county supervisor",
            COUNTY_USER,
            {
                "region (town)": {"region": TOWN},
                "region (town) + closed": {"region": TOWN, "status": "closed"},
            },
        ),
    ):
        client = Client()
        client.force_login(User.objects.get(username=username))
        cases = [
            (label, f"{inbox}?{urlencode(params)}" if params else inbox)
            for label, params in {**filtered_sets, **extra}.items()
        ]
        cases.append(("all statuses, page 2 (keyset)", second_page(client, {"status": "all"})))
        for label, url in cases:
            counter = QueryCounter()
            with connection.execute_wrapper(counter):
                response = client.get(url)
            rows = response.content.decode().count("data-alert=")
            report(f"{persona}, {label}", time_requests(client, url, args.repeat), counter.count, rows)
    print(f"load after requests: {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)


if __name__ == "__main__":
    main()
