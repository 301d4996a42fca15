"""Synthetic data at benchmark scale, written with COPY and set-based SQL (never an ORM loop).

    population(people=150_000)  regions (16 counties × 10 towns × 10 villages), households,
                                persons and active monitoring records
    alerts(count=1_000_000)     alerts spread over the monitored people, all states and rules

Used by the benchmark scripts; each function is idempotent only on an empty database
(benchmarks run against their own database, see benchmarks/README.md).
"""

import json
import random
from datetime import date, timedelta

from django.db import connection

from alerts.rules import default_params
from households import clock, idcard

COUNTIES = [
    "130902", "130903", "130921", "130922", "130923", "130924", "130925", "130926",
    "130927", "130928", "130929", "130930", "130981", "130982", "130983", "130984",
]  # fmt: skip
TOWNS_PER_COUNTY = 10
VILLAGES_PER_TOWN = 10


def _copy(table: str, columns: list[str], rows) -> None:
    with (
        connection.cursor() as cursor,
        cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)


def villages() -> list[str]:
    """Create towns and villages under the 16 counties; return the village codes."""
    towns, villages_ = [], []
    for county in COUNTIES:
        for t in range(1, TOWNS_PER_COUNTY + 1):
            town = f"{county}{100 + t:03d}"
            towns.append((town, f"镇{town}", "town", county))
            for v in range(1, VILLAGES_PER_TOWN + 1):
                code = f"{town}{200 + v:03d}"
                villages_.append((code, f"村{code}", "village", town))
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM households_region WHERE length(code) > 6 AND NOT EXISTS (SELECT 1 FROM households_household h WHERE h.region_id = code)"
        )
    _copy("households_region", ["code", "name", "level", "parent_id"], towns + villages_)
    return [v[0] for v in villages_]


def population(people: int = 150_000, seed: int = 1) -> int:
    """Households of 1–4 people, every person under active monitoring. Returns persons made."""
    rng = random.Random(seed)
    codes = villages()
    today = clock.today()
    used: set[str] = set()
    households, persons = [], []
    hh_id = 0
    while len(persons) < people:
        hh_id += 1
        village = rng.choice(codes)
        size = min(rng.choice([1, 2, 2, 3, 3, 4]), people - len(persons))
        members = []
        for m in range(size):
            while True:
                born = date(rng.randint(1940, 2015), rng.randint(1, 12), rng.randint(1, 28))
                first17 = f"{village[:6]}{born:%Y%m%d}{rng.randint(1, 999):03d}"
                id_number = first17 + idcard.check_char(first17)
                if id_number not in used:
                    used.add(id_number)
                    break
            members.append((id_number, born, "head" if m == 0 else rng.choice(["spouse", "child", "parent"])))
        households.append((hh_id, members[0][0], village, "rural", rng.randint(0, 40000)))
        persons.extend((hh_id, *member) for member in members)
    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(max(id), 0) FROM households_household")
        offset = cursor.fetchone()[0]
    now = clock.now()
    _copy(
        "households_household",
        [
            "id",
            "head_id_number",
            "region_id",
            "address",
            "area_type",
            "annual_income",
            "created_at",
            "updated_at",
        ],
        ((offset + h[0], h[1], h[2], "", h[3], h[4], now, now) for h in households),
    )
    _copy(
        "households_person",
        [
            "id_number",
            "name",
            "birth_date",
            "sex",
            "household_id",
            "relation",
            "phone",
            "created_at",
            "updated_at",
        ],
        (
            (p[1], f"人员{i}", p[2], "M" if int(p[1][16]) % 2 else "F", offset + p[0], p[3], "", now, now)
            for i, p in enumerate(persons)
        ),
    )
    categories = (
        ["dibao"] * 45
        + ["tekun"] * 8
        + ["dibao_edge"] * 20
        + ["rigid_expense"] * 10
        + ["relapse_watch"] * 10
        + ["other_low_income"] * 7
    )
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO monitoring_monitoringrecord
                (person_id, household_id, region_code, category, since, status, created_at, updated_at)
            SELECT p.id, p.household_id, h.region_id,
                   (%(cats)s::text[])[1 + (p.id %% cardinality(%(cats)s::text[]))],
                   %(since)s::date - (p.id %% 1500)::int, 'active', %(now)s, %(now)s
            FROM households_person p JOIN households_household h ON h.id = p.household_id
            WHERE NOT EXISTS (SELECT 1 FROM monitoring_monitoringrecord m WHERE m.person_id = p.id)
            """,
            {"cats": categories, "since": today - timedelta(days=30), "now": now},
        )
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('households_household', 'id'), (SELECT max(id) FROM households_household))"
        )
        cursor.execute(
            "ANALYZE households_household; ANALYZE households_person; ANALYZE monitoring_monitoringrecord; "
            "ANALYZE monitoring_monitoringspell"
        )
    return len(persons)


def alerts(count: int = 1_000_000, caseworker_ids: list[int] | None = None) -> int:
    """Alerts over the last 12 months for monitored people: ~20% open, some overdue, rest closed."""
    rules = ["high_medical_self_pay", "serious_disease", "registered_unemployment", "new_severe_disability"]
    outcomes = [
        "enrol_dibao",
        "enrol_tekun",
        "temporary_assistance",
        "refer_medical",
        "already_covered",
        "not_eligible",
        "data_error",
    ]
    with connection.cursor() as cursor:
        for rule in rules:
            cursor.execute(
                "INSERT INTO alerts_ruleversion (rule, version, params, note, created_at) VALUES (%s, 1, %s, 'benchmark', %s) ON CONFLICT DO NOTHING",
                [rule, json.dumps(default_params(rule), ensure_ascii=False), clock.now()],
            )
        cursor.execute(
            """
            WITH people AS (
                SELECT row_number() OVER (ORDER BY m.person_id) AS n, m.person_id, m.household_id, m.region_code
                FROM monitoring_monitoringrecord m
            ), total AS (SELECT count(*) AS c FROM people),
            gen AS (
                SELECT g, (%(rules)s::text[])[1 + g %% 4] AS rule,
                       %(today)s::date - (g %% 365) AS raised_on
                FROM generate_series(1, %(count)s) g
            )
            INSERT INTO alerts_alert
                (rule, rule_version_id, dedupe_key, person_id, household_id, region_id, raised_on, evidence,
                 status, assignee_id, deadline, outcome, close_note, closed_at, lock_version, created_at, updated_at)
            SELECT gen.rule, rv.id, 'bench:' || gen.g, p.person_id, p.household_id, p.region_code, gen.raised_on,
                   jsonb_build_object('summary', '基准测试数据', 'values', '{}'::jsonb, 'sources', '[]'::jsonb),
                   st.status,
                   CASE WHEN st.status <> 'new' AND cardinality(%(users)s::bigint[]) > 0
                        THEN (%(users)s::bigint[])[1 + gen.g %% cardinality(%(users)s::bigint[])] END,
                   gen.raised_on + (rv.params ->> 'deadline_days')::int,
                   CASE WHEN st.status = 'closed' THEN (%(outcomes)s::text[])[1 + gen.g %% 7] ELSE '' END,
                   CASE WHEN st.status = 'closed' THEN '基准测试' ELSE '' END,
                   CASE WHEN st.status = 'closed' THEN gen.raised_on + (gen.g %% 20) END,
                   0, gen.raised_on, gen.raised_on
            FROM gen
            CROSS JOIN total
            JOIN people p ON p.n = 1 + (gen.g::bigint * 7919) %% total.c
            JOIN alerts_ruleversion rv ON rv.rule = gen.rule AND rv.version = 1
            CROSS JOIN LATERAL (SELECT CASE
                WHEN gen.raised_on > %(today)s::date - 30 AND gen.g %% 10 < 4 THEN
                    CASE WHEN cardinality(%(users)s::bigint[]) = 0 THEN 'new'
                         ELSE (ARRAY['new', 'assigned', 'verifying'])[1 + gen.g %% 3] END
                WHEN gen.g %% 50 = 0 THEN 'new'
                ELSE 'closed' END AS status) st
            """,
            {
                "rules": rules,
                "count": count,
                "users": caseworker_ids or [],
                "outcomes": outcomes,
                "today": clock.today(),
            },
        )
        made = cursor.rowcount
        cursor.execute("ANALYZE alerts_alert")
    return made


def town_caseworkers() -> list[int]:
    """One caseworker per town (scope = the town), as the benchmarks' inboxes need; returns their
    ids in town order. One INSERT; caseworkers a previous call made are kept as they are."""
    from households.models import Region, Role, User

    towns = Region.objects.filter(level="town").order_by("code").values_list("code", flat=True)
    usernames = {code: f"bench_cw_{code}" for code in towns}
    User.objects.bulk_create(
        [
            User(username=username, role=Role.CASEWORKER, scope_id=code, first_name=f"经办人{code[-5:]}")
            for code, username in usernames.items()
        ],
        ignore_conflicts=True,
    )
    ids = dict(User.objects.filter(username__in=usernames.values()).values_list("username", "id"))
    return [ids[username] for username in usernames.values()]
