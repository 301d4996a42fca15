"""Nightly monitoring run: a full night, an incremental night after a 100k-row import, and the
per-person ORM loop it replaces (timed on a sample, extrapolated).

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/jz_run_bench
    .venv/bin/python benchmarks/monitoring_run_bench.py [--people 150000] [--rows 10000000] [--sample 1000]

On an empty database it first makes the data: `datagen.population(people)` and `rows` feed rows over
the 12 months before the as-of date, in date order as monthly files would arrive (94% medical
settlements, 4% diagnoses, 1% disability certificates, 1% unemployment registrations; 85% of the
rows are about monitored people, the rest about people outside the registry), one batch per
category and month — all with INSERT … SELECT over generate_series. Prints dataset size, timings
and the load average (the machine's 2 cores are shared with other jobs).
"""

import argparse
import os
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from decimal import Decimal  # noqa: E402

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from alerts.models import Alert, RuleCode  # noqa: E402
from alerts.rules.definitions import normalize_code  # noqa: E402
from alerts.services.rules import current_rule_versions  # noqa: E402
from alerts.services.run import run_begin, run_county, run_finish  # noqa: E402
from benchmarks import datagen  # noqa: E402
from benchmarks.measure import scalar  # noqa: E402
from households import clock  # noqa: E402

AS_OF = date(2026, 11, 18)  # a Wednesday, so "auto" may run incrementally the next night

CATEGORIES = {
    "medical_settlement": ("healthcare_security", 0.94),
    "diagnosis": ("health_commission", 0.04),
    "disability_certificate": ("disabled_persons_federation", 0.01),
    "unemployment_registration": ("human_resources", 0.01),
}
# Everyday codes (none on the serious-disease list) and codes of serious diseases (DOMAIN.md).
COMMON_CODES = ["I10", "E11.9", "J18.9", "K29.7", "M54.5", "I25.1", "N39.0", "R51", "Z00.0", "K80.2",
                "I50.9", "E78.5"]  # fmt: skip
SERIOUS_CODES = ["C34.9", "I63.9", "C92.0", "N18.5", "C16.0", "H25.9", "F20.0", "J44.1"]


def sql(statement: str, params=None) -> int:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.rowcount


def insert_batches(batches_sql: str, params: dict) -> list[int]:
    """Succeeded import batches, one per row of `batches_sql` (columns category, department — its
    code —, file_name, sha256, at: when it was created, started and finished); returns their ids."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO imports_importbatch (category, department_id, file_name, file, sha256, size_bytes,
                created_at, started_at, finished_at, status, data_rows, rows_read, loaded, corrected,
                duplicate, rejected, name_mismatch, error_code, error_message, extra_columns, columns, encoding,
                attempts)
            SELECT b.category, d.id, b.file_name, '', b.sha256, 0, b.at, b.at, b.at,
                   'succeeded', 0, 0, 0, 0, 0, 0, 0, '', '', '[]'::jsonb, '[]'::jsonb, 'utf-8', 1
            FROM ({batches_sql}) b, imports_department d
            WHERE d.code = b.department
            RETURNING id
            """,
            params,
        )
        return [row[0] for row in cursor.fetchall()]


def make_batches(as_of: date) -> None:
    """One succeeded batch per category and month, finished on the last day it covers (the loader
    rejects dates after the import day; the run relies on that)."""
    for category, (department, _share) in CATEGORIES.items():
        insert_batches(
            """
            SELECT %(cat)s AS category, %(dep)s AS department, %(cat)s || '_' || m || '.csv' AS file_name,
                   md5(%(cat)s || m) AS sha256,
                   ((%(as_of)s::date - m * 365 / 12) + time '21:00') AT TIME ZONE 'Asia/Shanghai' AS at
            FROM generate_series(0, 11) m
            """,
            {"cat": category, "dep": department, "as_of": as_of},
        )


def make_people_table() -> None:
    """Monitored people numbered 1..n, so generated rows can pick one by number (a hash join)."""
    sql("DROP TABLE IF EXISTS bench_people")
    sql(
        """
        CREATE UNLOGGED TABLE bench_people AS
        SELECT row_number() OVER (ORDER BY p.id) AS n, p.id_number
        FROM households_person p JOIN monitoring_monitoringrecord m ON m.person_id = p.id
        """
    )
    sql("ALTER TABLE bench_people ADD PRIMARY KEY (n)")
    sql("ANALYZE bench_people")


def people_cte() -> str:
    return "WITH total AS (SELECT count(*) AS c FROM bench_people)"


def person_expr(g: str) -> str:
    # 15% of feed rows are about people outside the registry ('99…' IDs match no person); the
    # `/ 300` keeps every 300th row (the serious-disease codes) from all falling on one side.
    return f"""CASE WHEN ({g} * 7 + {g} / 300) %% 100 < 15 THEN '99' || lpad((({g} * 2654435761) %% 10000000000000000)::text, 16, '0')
                ELSE bp.id_number END"""


def person_join(g: str) -> str:
    return f"JOIN bench_people bp ON bp.n = 1 + ({g} * 2654435761) %% total.c"


def make_feed(
    rows: int, as_of: date, *, days: int = 365, categories: dict = CATEGORIES, batch_ids: dict | None = None
) -> dict[str, int]:
    """`rows` feed rows dated over the `days` days up to `as_of`, in date order."""
    made = {}
    offset = scalar("SELECT coalesce(max(id), 0) FROM imports_medicalsettlement") or 0
    for category, (_department, share) in categories.items():
        n = int(rows * share)
        batch = (
            f"%(batch_{category})s"
            if batch_ids
            # The month's batch: make_batches numbered them consecutively, month 0 first.
            else f"((SELECT min(id) FROM imports_importbatch WHERE category = '{category}') "
            f"+ LEAST(11, ((%(as_of)s::date - day) * 12 / {days})))"
        )
        common = f"""
            {people_cte()}, gen AS (
                SELECT g, %(as_of)s::date - ({days} - 1 - (g - 1) * {days} / %(n)s)::int AS day
                FROM generate_series(1::bigint, %(n)s) g
            )"""
        params = {
            "as_of": as_of,
            "n": n,
            "codes": COMMON_CODES,
            "serious": SERIOUS_CODES,
            "offset": offset,
            "now": clock.now(),
        }
        if batch_ids:
            params[f"batch_{category}"] = batch_ids[category]
        if category == "medical_settlement":
            statement = f"""{common}
            INSERT INTO imports_medicalsettlement (id_number, name, batch_id, updated_at, settlement_id, settle_date,
                institution, visit_type, diagnosis_code, diagnosis_name, total_cost, fund_paid,
                serious_illness_paid, assistance_paid, self_paid)
            SELECT {person_expr("(g + %(offset)s)")}, '', {batch}, %(now)s::timestamptz - interval '2 days',
                   'JS' || (g + %(offset)s), day, '', 'outpatient',
                   CASE WHEN g %% 300 = 0 THEN (%(serious)s::text[])[1 + (g / 300) %% 8]
                        ELSE (%(codes)s::text[])[1 + g %% 12] END, '',
                   s.paid * 3, s.paid, 0, 0, s.paid
            FROM gen CROSS JOIN total {person_join("(g + %(offset)s)")}
            CROSS JOIN LATERAL (SELECT round(((random() + 0 * g) ^ 10 * 1500)::numeric, 2) AS paid) s"""
        elif category == "diagnosis":
            statement = f"""{common}
            INSERT INTO imports_diagnosis (id_number, name, batch_id, updated_at, record_id, diagnosed_on,
                institution, diagnosis_code, diagnosis_name)
            SELECT {person_expr("(g * 31 + %(offset)s)")}, '', {batch}, %(now)s::timestamptz - interval '2 days',
                   'ZD' || (g + %(offset)s), day, '',
                   CASE WHEN g %% 10 = 0 THEN (%(serious)s::text[])[1 + (g / 10) %% 8]
                        ELSE (%(codes)s::text[])[1 + g %% 12] END, ''
            FROM gen CROSS JOIN total {person_join("(g * 31 + %(offset)s)")}"""
        elif category == "disability_certificate":
            statement = f"""{common}
            INSERT INTO imports_disabilitycertificate (id_number, name, batch_id, updated_at, certificate_no,
                disability_type, grade, issued_on, status)
            SELECT {person_expr("(g * 37 + %(offset)s)")}, '', {batch}, %(now)s::timestamptz - interval '2 days',
                   'CJ' || (g + %(offset)s), 1 + g %% 7, 1 + g %% 4, day,
                   CASE WHEN g %% 20 = 0 THEN 'cancelled' ELSE 'valid' END
            FROM gen CROSS JOIN total {person_join("(g * 37 + %(offset)s)")}"""
        else:
            statement = f"""{common}
            INSERT INTO imports_unemploymentregistration (id_number, name, batch_id, updated_at, registration_no,
                registered_on, status, ended_on)
            SELECT {person_expr("(g * 41 + %(offset)s)")}, '', {batch}, %(now)s::timestamptz - interval '2 days',
                   'SY' || (g + %(offset)s), day,
                   CASE WHEN g %% 3 = 0 THEN 'employed' ELSE 'unemployed' END,
                   CASE WHEN g %% 3 = 0 THEN day + 30 END
            FROM gen CROSS JOIN total {person_join("(g * 41 + %(offset)s)")}"""
        made[category] = sql(statement, params)
    return made


def orm_loop(sample: int, as_of: date) -> float:
    """The per-person way: for each monitored person, ORM queries per rule. Seconds per person."""
    from imports.models import Diagnosis, DisabilityCertificate, MedicalSettlement, UnemploymentRegistration
    from monitoring.models import MonitoringRecord

    versions = current_rule_versions()
    p1 = versions[RuleCode.HIGH_MEDICAL_SELF_PAY].params
    diseases = [
        (d["key"], [normalize_code(c) for c in d["codes"]], d["child"])
        for d in versions[RuleCode.SERIOUS_DISEASE].params["diseases"]
    ]
    from django.db.models import Q, Sum

    records = list(MonitoringRecord.objects.active_on(as_of).select_related("person").order_by("?")[:sample])
    started = time.perf_counter()
    would_raise = 0
    for record in records:
        person = record.person
        start365 = as_of - timedelta(days=p1["window_days"])
        total = MedicalSettlement.objects.filter(
            id_number=person.id_number, settle_date__gt=start365, settle_date__lte=as_of
        ).aggregate(s=Sum("self_paid"))["s"] or Decimal(0)
        if total >= Decimal(p1["threshold_yuan"]):
            recent = Alert.objects.filter(
                person=person, rule=RuleCode.HIGH_MEDICAL_SELF_PAY,
                raised_on__gt=as_of - timedelta(days=p1["cooldown_days"]),
            ).exists()  # fmt: skip
            would_raise += not recent
        start90 = as_of - timedelta(days=90)
        codes = list(
            MedicalSettlement.objects.filter(
                id_number=person.id_number, settle_date__gt=start90, settle_date__lte=as_of
            ).values_list("diagnosis_code", "settle_date")
        ) + list(
            Diagnosis.objects.filter(
                id_number=person.id_number, diagnosed_on__gt=start90, diagnosed_on__lte=as_of
            ).values_list("diagnosis_code", "diagnosed_on")
        )
        for disease_key, prefixes, child in diseases:
            for code, day in codes:
                if any(normalize_code(code).startswith(p) for p in prefixes) and (
                    not child or person.age_on(day) < 18
                ):
                    key = f"{person.id}:{disease_key}"
                    would_raise += not Alert.objects.filter(
                        rule=RuleCode.SERIOUS_DISEASE, dedupe_key=key
                    ).exists()
                    break
        for reg in UnemploymentRegistration.objects.filter(
            Q(ended_on__gt=as_of) | Q(ended_on__isnull=True, status="unemployed"),
            id_number=person.id_number,
            registered_on__gt=start90,
            registered_on__lte=as_of,
        ):
            would_raise += not Alert.objects.filter(
                rule=RuleCode.REGISTERED_UNEMPLOYMENT, dedupe_key=reg.registration_no
            ).exists()
        for cert in DisabilityCertificate.objects.filter(
            id_number=person.id_number,
            status="valid",
            grade__lte=2,
            issued_on__gt=start90,
            issued_on__lte=as_of,
        ):
            would_raise += not Alert.objects.filter(
                rule=RuleCode.NEW_SEVERE_DISABILITY, dedupe_key=cert.certificate_no[:20]
            ).exists()
    return (time.perf_counter() - started) / max(len(records), 1)


def _county(run_id: int, county: str) -> float:
    t = time.perf_counter()
    try:
        run_county(run_id=run_id, county=county)
    finally:
        connection.close()  # each thread has its own connection
    return time.perf_counter() - t


def between_nights() -> None:
    """What autovacuum does on a default server in the day between two nights (it is switched off
    on this machine's PostgreSQL): a full night deletes and rewrites every stored self-pay bound."""
    for table in ("alerts_selfpaystate", "alerts_alert", "alerts_alertevent", "imports_medicalsettlement"):
        sql(f"VACUUM ANALYZE {table}")


def timed_run(as_of: date, mode: str, parallel: int = 1):
    """The run as the Celery tasks do it (`parallel` counties at a time, like a worker's
    concurrency), with the rules and the final step timed apart."""
    from concurrent.futures import ThreadPoolExecutor

    between_nights()
    t0 = time.perf_counter()
    run = run_begin(as_of=as_of, mode=mode)
    t1 = time.perf_counter()
    with ThreadPoolExecutor(max_workers=parallel) as pool:
        per_county = list(pool.map(lambda c: _county(run.id, c), run.counts["county_list"]))
    t2 = time.perf_counter()
    run = run_finish(run_id=run.id)
    t3 = time.perf_counter()
    print(
        f"  [{mode}, {parallel} at a time] begin {t1 - t0:.1f} s · rules over {len(per_county)} counties {t2 - t1:.1f} s "
        f"(slowest county {max(per_county):.1f} s) · final step (assign + dashboard refresh) {t3 - t2:.1f} s"
    )
    return run, t3 - t0


def print_rule_counts(run) -> None:
    for rule, counts in run.counts["rules"].items():
        print(f"  {rule}: {counts}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--people", type=int, default=150_000)
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--increment", type=int, default=100_000)
    parser.add_argument("--sample", type=int, default=1_000)
    parser.add_argument("--parallel", type=int, default=1, help="counties at a time (a worker's concurrency)")
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    print(f"load average before: {os.getloadavg()}")
    if not scalar("SELECT count(*) FROM monitoring_monitoringrecord"):
        t = time.perf_counter()
        made = datagen.population(args.people)
        print(f"population: {made:,} monitored people in {time.perf_counter() - t:.0f} s")
        # The roster was imported before the nights measured here.
        for table in ("monitoring_monitoringrecord", "monitoring_monitoringspell"):
            sql(
                f"UPDATE {table} SET updated_at = %(now)s::timestamptz - interval '3 days'",
                {"now": clock.now()},
            )
    if not scalar("SELECT count(*) FROM imports_medicalsettlement"):
        t = time.perf_counter()
        sql(
            "TRUNCATE imports_medicalsettlement, imports_diagnosis, imports_disabilitycertificate, "
            "imports_unemploymentregistration"
        )
        sql("DELETE FROM imports_importbatch")
        make_batches(AS_OF)
        make_people_table()
        made = make_feed(args.rows, AS_OF)
        print(f"feed: {made} in {time.perf_counter() - t:.0f} s")
        t = time.perf_counter()
        sql("VACUUM ANALYZE imports_medicalsettlement")
        for table in (
            "imports_diagnosis",
            "imports_disabilitycertificate",
            "imports_unemploymentregistration",
        ):
            sql(f"VACUUM ANALYZE {table}")
        print(f"vacuum analyze: {time.perf_counter() - t:.0f} s")
    # Start from no alerts, no runs and no earlier increment, so the full night is a first night.
    sql(
        "DELETE FROM imports_medicalsettlement WHERE batch_id IN "
        "(SELECT id FROM imports_importbatch WHERE file_name = 'increment.csv')"
    )
    sql("DELETE FROM imports_importbatch WHERE file_name = 'increment.csv'")
    # Index-only scans need the visibility map the deleted increment left unset (autovacuum's job).
    sql("VACUUM imports_medicalsettlement")
    sql("TRUNCATE alerts_alertevent, alerts_homevisit, alerts_alert, alerts_monitoringrun CASCADE")
    sizes = {
        t: scalar(f"SELECT count(*) FROM {t}")
        for t in (
            "monitoring_monitoringrecord",
            "imports_medicalsettlement",
            "imports_diagnosis",
            "imports_disabilitycertificate",
            "imports_unemploymentregistration",
        )
    }
    print("dataset:", {k: f"{v:,}" for k, v in sizes.items()})

    full, full_s = timed_run(AS_OF, "full", args.parallel)
    print(f"first full night (every alert new): {full_s:.1f} s wall, status {full.status}")
    print_rule_counts(full)
    # A full night once alerts exist (a Sunday, or after a parameter change): same reads, few inserts.
    again, again_s = timed_run(AS_OF, "full", args.parallel)
    print(f"full night again (alerts already raised): {again_s:.1f} s wall")
    print_rule_counts(again)
    print(f"load average after full run: {os.getloadavg()}")

    # The next day: one 100k-row medical-settlement file arrives, then the night runs "auto".
    sql("UPDATE alerts_monitoringrun SET started_at = started_at - interval '1 day'")
    next_day = AS_OF + timedelta(days=1)
    [batch_id] = insert_batches(
        "SELECT 'medical_settlement' AS category, 'healthcare_security' AS department, "
        "'increment.csv' AS file_name, md5(random()::text) AS sha256, %(now)s::timestamptz AS at",
        {"now": clock.now()},
    )
    t = time.perf_counter()
    make_people_table()
    made = make_feed(
        args.increment,
        next_day,
        days=7,
        categories={"medical_settlement": ("healthcare_security", 1.0)},
        batch_ids={"medical_settlement": batch_id},
    )
    sql("ANALYZE imports_medicalsettlement")
    print(f"increment: {made} rows in batch #{batch_id} ({time.perf_counter() - t:.0f} s to load)")
    night, night_s = timed_run(next_day, "auto", args.parallel)
    print(f"incremental run: {night_s:.1f} s wall, modes {night.counts['modes']}")
    print_rule_counts(night)
    print(f"load average after incremental run: {os.getloadavg()}")
    # The shortcut's proof on this data: a full run of the same night finds nothing more to raise.
    check, check_s = timed_run(next_day, "full", args.parallel)
    missed = {rule: c["new"] for rule, c in check.counts["rules"].items()}
    print(f"full run of the same night afterwards: {check_s:.1f} s, new alerts per rule {missed} (must be 0)")
    if any(missed.values()):
        sys.exit("the incremental night missed alerts that a full run raises")

    per_person = orm_loop(args.sample, AS_OF)
    people = sizes["monitoring_monitoringrecord"]
    print(
        f"ORM loop: {per_person * 1000:.1f} ms per person on a sample of {args.sample:,} "
        f"→ {per_person * people:.0f} s extrapolated to {people:,} people (reads only, no inserts)"
    )
    print(f"alerts now: {Alert.objects.count():,}; load average end: {os.getloadavg()}")


if __name__ == "__main__":
    main()
