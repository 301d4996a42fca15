"""The monthly list to medical insurance (issue 16: ≤ 5 s for a city of 150,000 monitored people),
and, on the same data, the per-record ORM loop the set-based query replaces.

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/jiuzhu_bench_medlist
    .venv/bin/python benchmarks/medical_list_bench.py [--people 150000] [--new 5000] [--exits 3000] [--repeat 5]

On an empty database it first makes the data: benchmarks.datagen's population (16 counties × 10
towns × 10 villages, every person under active monitoring), then a year of monitoring history,
each step one set-based statement:
- every record's enrolment (before NULL, after active) at an instant of the twelve months before
  the measured month, except `--new` records enrolled in the measured month;
- in each of the eleven earlier months, 3,000 people leaving and coming back (two rows each);
- in the measured month: `--new` enrolments (a third of them from 防止返贫监测, i.e. a category change
  on a record monitored before), `--exits` exits (the record exited, the row before → after),
  1,000 moves between villages (a region-only change: no row in the list) and 500 people who came
  and went within the month (no row either).
The measured month is the one before today's (clock.today()). Then it produces the city's list
`--repeat` times (the first run writes version 1, the others find the same bytes and return it;
each run reads everything) and runs the ORM loop once, and checks both give the same rows.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from assistance.services.exchanges import (  # noqa: E402
    CATEGORY_WORDS,
    EXIT,
    NEW,
    csv_rows,
    medical_list_produce,
    previous_month,
)
from assistance.services.grants import next_month  # noqa: E402
from benchmarks import datagen  # noqa: E402
from benchmarks.measure import scalar  # noqa: E402
from households import clock  # noqa: E402
from monitoring.models import MonitoringRecord, MonitoringRecordHistory  # noqa: E402

JSON = (
    "jsonb_build_object('category', {c}, 'since', {s}, 'status', {st}, 'exit_date', {e}, "
    "'region_code', {r}, 'household_id', m.household_id)"
)
ACTIVE = JSON.format(c="m.category", s="m.since", st="'active'", e="NULL", r="m.region_code")


def history(period, new: int, exits: int) -> dict[str, int]:
    """A year of history rows for the population (see the module docstring); counts by kind."""
    start, end = clock.at(period), clock.at(next_month(period))
    year_start = clock.at(period.replace(year=period.year - 1))
    made = {}
    with connection.cursor() as cursor:
        cursor.execute("SELECT max(id) FROM monitoring_monitoringrecord")
        top = cursor.fetchone()[0]
        params = {
            "period": period,
            "start": start,
            "end": end,
            "year": year_start,
            "new": new,
            "exits": exits,
            "top": top,
        }
        # Enrolments: the last `new` ids in the month (a third from 防止返贫监测), the others before.
        cursor.execute(
            f"""
            INSERT INTO monitoring_monitoringrecordhistory (record_id, changed_at, before, after)
            SELECT m.id,
                   CASE WHEN m.id > %(top)s - %(new)s
                        THEN %(start)s + (m.id %% 2400000) * interval '1 second'
                        ELSE %(year)s + (m.id %% (365 * 86400 - 40 * 86400)) * interval '1 second' END,
                   CASE WHEN m.id > %(top)s - %(new)s AND m.id %% 3 = 0
                        THEN {JSON.format(c="'relapse_watch'", s="m.since - 200", st="'active'", e="NULL", r="m.region_code")}
                   END,
                   {ACTIVE}
              FROM monitoring_monitoringrecord m
            """,
            params,
        )
        made["enrolments"] = cursor.rowcount
        # Exits in the month: records below the new ones, every 37th, up to `exits`.
        cursor.execute(
            """
            CREATE TEMP TABLE bench_exit AS
            SELECT id FROM monitoring_monitoringrecord WHERE id %% 37 = 0 AND id <= %(top)s - %(new)s
            ORDER BY id LIMIT %(exits)s
            """,
            params,
        )
        cursor.execute(
            f"""
            INSERT INTO monitoring_monitoringrecordhistory (record_id, changed_at, before, after)
            SELECT m.id, %(start)s + interval '2 days' + (m.id %% 2000000) * interval '1 second', {ACTIVE},
                   {JSON.format(c="m.category", s="m.since", st="'exited'", e="(%(period)s::date + 20)", r="m.region_code")}
              FROM monitoring_monitoringrecord m JOIN bench_exit x ON x.id = m.id
            """,
            params,
        )
        made["exits"] = cursor.rowcount
        cursor.execute(
            """
            UPDATE monitoring_monitoringrecord m SET status = 'exited', exit_date = %(period)s::date + 20
              FROM bench_exit x WHERE x.id = m.id
            """,
            params,
        )
        # Moves within the month (region only) and people who came and went (two rows each).
        cursor.execute(
            f"""
            INSERT INTO monitoring_monitoringrecordhistory (record_id, changed_at, before, after)
            SELECT m.id, %(start)s + interval '5 days', {ACTIVE},
                   {JSON.format(c="m.category", s="m.since", st="'active'", e="NULL", r="left(m.region_code, 9) || '299'")}
              FROM monitoring_monitoringrecord m WHERE m.id %% 41 = 1 AND m.status = 'active' AND m.id <= 41000
            """,
            params,
        )
        made["moves"] = cursor.rowcount
        cursor.execute(
            f"""
            INSERT INTO monitoring_monitoringrecordhistory (record_id, changed_at, before, after)
            SELECT m.id, %(start)s + interval '3 days' + k * interval '10 days',
                   CASE WHEN k = 0 THEN NULL ELSE {ACTIVE} END,
                   CASE WHEN k = 0 THEN {ACTIVE}
                        ELSE {JSON.format(c="m.category", s="m.since", st="'exited'", e="(%(period)s::date + 13)", r="m.region_code")} END
              FROM monitoring_monitoringrecord m CROSS JOIN generate_series(0, 1) k
             WHERE m.id %% 43 = 2 AND m.status = 'active' AND m.id <= 21500
            """,
            params,
        )
        made["came and went (rows)"] = cursor.rowcount
        # The earlier months: 3,000 people a month leave and come back (two rows each).
        cursor.execute(
            f"""
            INSERT INTO monitoring_monitoringrecordhistory (record_id, changed_at, before, after)
            SELECT m.id, %(year)s + mo * interval '1 month' + interval '3 days' + k * interval '9 days',
                   CASE WHEN k = 0 THEN {ACTIVE}
                        ELSE {JSON.format(c="m.category", s="m.since", st="'exited'", e="m.since", r="m.region_code")} END,
                   CASE WHEN k = 0 THEN {JSON.format(c="m.category", s="m.since", st="'exited'", e="m.since", r="m.region_code")}
                        ELSE {ACTIVE} END
              FROM generate_series(0, 10) mo
              JOIN monitoring_monitoringrecord m ON m.id %% 50 = mo AND m.id <= 3000 * 50
             CROSS JOIN generate_series(0, 1) k
            """,
            params,
        )
        made["earlier months (rows)"] = cursor.rowcount
        cursor.execute("VACUUM ANALYZE monitoring_monitoringrecordhistory")
        cursor.execute("VACUUM ANALYZE monitoring_monitoringrecord")
    return made


def orm_loop(period, prefix: str) -> list[list[str]]:
    """The same rows the way a per-record ORM loop builds them: the records changed in the month,
    then per record its month's history and its person (two queries a record)."""
    start, end = clock.at(period), clock.at(next_month(period))
    in_month = MonitoringRecordHistory.objects.filter(changed_at__gte=start, changed_at__lt=end)
    rows = []
    for record_id in in_month.values_list("record_id", flat=True).distinct().order_by():
        changes = list(in_month.filter(record_id=record_id).order_by("changed_at", "id"))
        before, after = changes[0].before, changes[-1].after
        if not after["region_code"].startswith(prefix):
            continue
        person = MonitoringRecord.objects.select_related("person").get(pk=record_id).person
        active_after = after["status"] == "active"
        active_before = before is not None and before["status"] == "active"
        if active_after and (not active_before or before["category"] != after["category"]):
            change, category, effective = NEW, after["category"], after["since"]
        elif active_before and not active_after:
            change, category, effective = EXIT, before["category"], after["exit_date"]
        else:
            continue
        rows.append(
            [
                person.id_number,
                person.name,
                after["region_code"],
                CATEGORY_WORDS[category],
                change,
                effective,
                settings.MEDICAL_LIST_SUBSIDY_CLASS.get(category, ""),
            ]
        )
    rows.sort(key=lambda r: (r[2], r[4] == EXIT, r[0]))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--people", type=int, default=150_000)
    parser.add_argument("--new", type=int, default=5_000)
    parser.add_argument("--exits", type=int, default=3_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--skip-orm", action="store_true")
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    period = previous_month(clock.today())
    if not scalar("SELECT count(*) FROM (SELECT 1 FROM households_person LIMIT 1) p"):
        started = time.perf_counter()
        datagen.population(args.people)
        made = history(period, args.new, args.exits)
        print("made: " + ", ".join(f"{n:,} {kind}" for kind, n in made.items()), flush=True)
        print(f"data ready in {time.perf_counter() - started:.0f} s", flush=True)
    start, end = clock.at(period), clock.at(next_month(period))
    print(
        f"dataset: {scalar('SELECT count(*) FROM households_person'):,} people, "
        f"{scalar('SELECT count(*) FROM monitoring_monitoringrecord'):,} monitoring records, "
        f"{scalar('SELECT count(*) FROM monitoring_monitoringrecordhistory'):,} history rows "
        f"({scalar('SELECT count(*) FROM monitoring_monitoringrecordhistory WHERE changed_at >= %s AND changed_at < %s', [start, end]):,} "
        f"in {period:%Y-%m}); load {' '.join(f'{x:.2f}' for x in os.getloadavg())}",
        flush=True,
    )
    city = settings.CITY_REGION_CODE
    times = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        medical_list, _created = medical_list_produce(period=period, region_code=city)
        times.append(time.perf_counter() - started)
    print(
        f"set-based: {medical_list.rows_new:,} new, {medical_list.rows_exit:,} exits, "
        f"{len(medical_list.csv_content):,} bytes; first {times[0]:.2f} s, median {statistics.median(times):.2f} s, "
        f"max {max(times):.2f} s over {len(times)} runs",
        flush=True,
    )
    if args.skip_orm:
        return
    started = time.perf_counter()
    rows = orm_loop(period, city[:4])
    elapsed = time.perf_counter() - started
    same = rows == csv_rows(medical_list.csv_content)[1:]
    print(f"ORM loop: {len(rows):,} rows in {elapsed:.2f} s; same rows as the list: {same}", flush=True)


if __name__ == "__main__":
    main()
