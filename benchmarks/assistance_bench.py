"""Assistance pages: server time of the application list and detail for a county supervisor and a
town caseworker (issue 15: p95 ≤ 100 ms at 200,000 applications and 150,000 grants).

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/jiuzhu_bench_app
    .venv/bin/python benchmarks/assistance_bench.py [--people 150000] [--applications 200000] [--repeat 200]

On an empty database it first makes the data: benchmarks.datagen's population (16 counties × 10
towns × 10 villages), two caseworkers per town and a supervisor per county, then `applications()`:
applications over all programmes, channels and steps with their step rows, history, findings,
investigation visits and grants, each table one set-based INSERT … SELECT. Then it requests the list
(default filter and each filter, first page and a later keyset page) and the detail of random
applications of the user's region through Django's test client (the whole request: session, auth,
every query, template), and prints dataset size, p50/p95/max and the number of SQL queries.
"""

import argparse
import os
import random
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

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import NoReverseMatch, reverse  # noqa: E402

from assistance.models import Program  # noqa: E402
from benchmarks import datagen  # noqa: E402
from benchmarks.measure import QueryCounter, SqlTimer, p50_p95_max, scalar  # noqa: E402
from households import clock  # noqa: E402
from households.models import Role, User  # noqa: E402

COUNTY = "130921"
TOWN = "130921101"
COUNTY_USER = f"bench_sup_{COUNTY}"
TOWN_USER = f"bench_cw_{TOWN}"

# How often each programme is applied for, out of 20 (低保 the bulk, as in the bureau's caseload).
# 城市低保 is left out: datagen's households are all rural (the service refuses the mismatch).
PROGRAM_WEIGHTS = {
    "rural_dibao": 8,
    "tekun_dispersed": 2,
    "tekun_centralised": 1,
    "temp_expenditure": 4,
    "temp_emergency": 2,
    "hardship_fund": 1,
    "dibao_edge": 1,
    "rigid_expense": 1,
}
CHANNELS = ["single_window"] * 5 + ["alert"] * 3 + ["grid_report"] + ["hotline"]


def staff() -> None:
    """Two caseworkers per town (investigations need two staff) and a supervisor per county."""
    datagen.town_caseworkers()
    towns = User.objects.filter(username__startswith="bench_cw_").values_list("scope_id", flat=True)
    User.objects.bulk_create(
        [User(username=f"bench_cw2_{code}", role=Role.CASEWORKER, scope_id=code) for code in towns]
        + [
            User(username=f"bench_sup_{code}", role=Role.SUPERVISOR, scope_id=code, is_staff=True)
            for code in datagen.COUNTIES
        ],
        ignore_conflicts=True,
    )


def _analyzed(cursor, tables: str, started: float) -> None:
    """Statistics of the rows just written, before the next statement joins them: the planner
    otherwise guesses from an empty table and picks nested loops over a million rows."""
    cursor.execute(f"ANALYZE {tables}")
    print(f"  {tables}: {time.perf_counter() - started:.0f} s", flush=True)


def applications(count: int = 200_000) -> dict[str, int]:
    """`count` applications spread over datagen's households (about 12 % in progress, some
    overdue; the rest approved, rejected or withdrawn), with everything the models hold about
    them. Returns rows made per table. Satisfies every constraint of assistance/models: at most one
    open application per household and programme (only a household's first application may be
    open), exactly one open step per open application (current_step/current_step_code/
    current_due_on/handling_level mirror it), closed ones without a current step."""
    slots = [code for code, weight in PROGRAM_WEIGHTS.items() for _ in range(weight)]
    today = clock.today()
    now = clock.now()
    made = {}
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT code, id FROM assistance_program")
        program_ids = dict(cursor.fetchall())
        cursor.execute(
            """
            CREATE TEMP TABLE bench_staff ON COMMIT DROP AS
            SELECT t.code AS town, cw.id AS cw, cw2.id AS cw2, sup.id AS sup
            FROM households_region t
            JOIN households_user cw ON cw.username = 'bench_cw_' || t.code
            JOIN households_user cw2 ON cw2.username = 'bench_cw2_' || t.code
            JOIN households_user sup ON sup.username = 'bench_sup_' || t.parent_id
            WHERE t.level = 'town';
            CREATE TEMP TABLE bench_hh ON COMMIT DROP AS
            SELECT row_number() OVER (ORDER BY h.id) AS n, h.id AS household_id, h.region_id,
                   min(p.id) AS applicant_id, count(p.id) AS size
            FROM households_household h JOIN households_person p ON p.household_id = h.id
            GROUP BY h.id;
            """
        )
        cursor.execute("SELECT coalesce(max(id), 0) FROM assistance_application")
        app_base = cursor.fetchone()[0]
        cursor.execute("SELECT coalesce(max(id), 0) FROM assistance_applicationstep")
        step_base = cursor.fetchone()[0]
        # One row per application with everything its rows derive from. Ids are chosen here
        # (application = base + seq, step = base + 8 (seq - 1) + order) so every table is one
        # INSERT … SELECT and the application can name its current step before the step exists
        # (the foreign keys are checked at commit).
        cursor.execute(
            """
            CREATE TEMP TABLE bench_app ON COMMIT DROP AS
            WITH total AS (SELECT count(*) AS h FROM bench_hh),
            gen AS (
                -- n: the household; k: its k-th application (only a first one may be open);
                -- r: a pseudo-random number per application, so programme, status, channel and
                -- step do not follow each other (as plain g %% m would)
                SELECT g, (1 + (g - 1) %% total.h)::int AS n, ((g - 1) / total.h)::int AS k,
                       abs(hashint4(g)::bigint) AS r
                FROM generate_series(1, %(count)s) g CROSS JOIN total
            ),
            base AS (
                SELECT gen.g, gen.k, hh.household_id, hh.region_id, hh.applicant_id, hh.size,
                       pr.id AS program_id, pr.code AS program_code, pr.kind, pr.category,
                       pr.time_limit_working_days AS limit_days,
                       (SELECT count(*)::int FROM assistance_approvalstep s WHERE s.program_id = pr.id) AS nsteps,
                       CASE WHEN gen.k = 0 AND gen.r %% 100 < 40 THEN 'in_progress'
                            WHEN (gen.r / 10000000) %% 100 < 3 THEN 'rejected'
                            WHEN (gen.r / 10000000) %% 100 < 4 THEN 'withdrawn'
                            ELSE 'approved' END AS status,
                       (%(channels)s::text[])[1 + (gen.r / 100) %% cardinality(%(channels)s::text[])] AS channel,
                       gen.r
                FROM gen
                JOIN bench_hh hh ON hh.n = gen.n
                JOIN assistance_program pr
                  ON pr.id = (%(slots)s::bigint[])[1 + (gen.r / 1000) %% cardinality(%(slots)s::bigint[])]
            ),
            accepted AS (
                SELECT base.*,
                       -- open: accepted in the last 60 days (a step is due ~42 days on: some overdue);
                       -- closed: accepted 60–760 days ago, decided 35 days later
                       CASE WHEN status = 'in_progress' THEN %(today)s::date - (g %% 60)
                            ELSE %(today)s::date - 60 - (g %% 700) END AS accepted_on,
                       CASE WHEN status = 'approved' THEN nsteps
                            ELSE 1 + ((r / 100000) %% nsteps)::int END AS cur
                FROM base
            ),
            dated AS (
                -- ids in the order applications were accepted, as the sequence gives them: the
                -- open ones are the newest (the list's "newest first" meets them first)
                SELECT accepted.*, row_number() OVER (ORDER BY accepted.accepted_on, accepted.g) AS seq
                FROM accepted AS accepted
            )
            SELECT %(app_base)s + d.seq AS id, %(step_base)s + 8 * (d.seq - 1) AS step0, d.*,
                   d.g %% 40 = 0 AND d.limit_days IS NOT NULL AS complex_case,
                   CASE WHEN d.limit_days IS NULL THEN NULL
                        WHEN d.g %% 40 = 0 THEN d.accepted_on + 63 ELSE d.accepted_on + 42 END AS due_on,
                   cs.code AS cur_code, cs.level AS cur_level, cs.time_limit AS cur_limit,
                   -- when the current step opened: spread between acceptance and today
                   CASE WHEN d.status = 'in_progress'
                        THEN d.accepted_on + ((%(today)s::date - d.accepted_on) * (d.cur - 1)) / d.cur
                        ELSE d.accepted_on + (35 * (d.cur - 1)) / d.nsteps END AS cur_opened,
                   st.town, st.cw, st.cw2, st.sup
            FROM dated d
            JOIN assistance_approvalstep cs ON cs.program_id = d.program_id AND cs."order" = d.cur
            JOIN bench_staff st ON st.town = left(d.region_id, 9)
            """,
            {
                "count": count,
                "channels": CHANNELS,
                "slots": [program_ids[code] for code in slots],
                "today": today,
                "app_base": app_base,
                "step_base": step_base,
            },
        )
        cursor.execute(
            """
            ALTER TABLE bench_app ADD COLUMN cur_due date;
            UPDATE bench_app SET cur_due = CASE WHEN cur_limit IS NOT NULL THEN cur_opened + cur_limit
                                                ELSE due_on END
            WHERE status = 'in_progress';
            ANALYZE bench_app;
            """
        )
        cursor.execute(
            """
            INSERT INTO assistance_application
                (id, program_id, household_id, applicant_id, region_id, channel, status, request,
                 channel_note, reported_by, accepted_on, due_on, complex_case, current_step_id,
                 current_step_code, current_due_on, staff_relative, staff_relative_note,
                 monthly_income_per_capita, members_covered, self_care_level, case_amount,
                 proposed_amount, computation, standard_id, paid_first, decided_at, decision_reason,
                 handling_level, created_by_id, lock_version, created_at, updated_at)
            SELECT a.id, a.program_id, a.household_id, a.applicant_id, a.region_id, a.channel, a.status,
                   '家庭成员患病，申请救助（基准测试数据）',
                   CASE a.channel WHEN 'hotline' THEN '12349工单 ' || a.g || '：来电反映生活困难'
                                  WHEN 'grid_report' THEN '网格员入户发现' ELSE '' END,
                   CASE WHEN a.channel = 'grid_report' THEN '网格员' || a.g %% 100 ELSE '' END,
                   a.accepted_on, a.due_on, a.complex_case,
                   CASE WHEN a.status = 'in_progress' THEN a.step0 + a.cur END,
                   CASE WHEN a.status = 'in_progress' THEN a.cur_code ELSE '' END,
                   a.cur_due,
                   a.g %% 97 = 0, CASE WHEN a.g %% 97 = 0 THEN '申请人之子为村委会委员' ELSE '' END,
                   CASE WHEN a.status <> 'in_progress' OR a.cur > 3 THEN 200 + a.g %% 500 END,
                   CASE WHEN a.status <> 'in_progress' OR a.cur > 3 THEN a.size END,
                   CASE WHEN a.kind = 'person' AND (a.status <> 'in_progress' OR a.cur > 3)
                        THEN (ARRAY['self_care', 'semi_disabled', 'disabled'])[1 + a.g %% 3] ELSE '' END,
                   CASE WHEN a.kind = 'one_off' THEN 1000 + a.g %% 4000 END,
                   CASE WHEN a.status = 'approved' THEN
                        CASE a.kind WHEN 'one_off' THEN 1000 + a.g %% 4000
                                    WHEN 'person' THEN 773 ELSE 594 * a.size END END,
                   '{}'::jsonb, NULL,
                   a.program_code = 'temp_emergency' AND (a.status = 'approved' OR a.cur > 1),
                   CASE WHEN a.status <> 'in_progress' THEN (a.accepted_on + 35)::timestamp + time '10:00' END,
                   CASE a.status WHEN 'approved' THEN '同意' WHEN 'rejected' THEN '家庭收入超过保障标准'
                                 WHEN 'withdrawn' THEN '申请人撤回申请' ELSE '' END,
                   CASE WHEN a.status = 'in_progress' THEN a.cur_level ELSE '' END,
                   a.cw, a.nsteps, a.accepted_on::timestamp + time '09:00', %(now)s
            FROM bench_app a
            """,
            {"now": now},
        )
        made["applications"] = cursor.rowcount
        _analyzed(cursor, "assistance_application", started)
        # Step o of an application: passed before the current one; the current one open (in
        # progress), rejected or returned (withdrawn); pending after it. Approved: all passed.
        cursor.execute(
            """
            INSERT INTO assistance_applicationstep
                (id, application_id, template_id, round, "order", code, name, level, after_payment,
                 status, opened_on, due_on, decided_by_id, decided_at, opinion)
            SELECT a.step0 + t."order", a.id, t.id, 1, t."order", t.code, t.name, t.level, t.after_payment,
                   st.status,
                   CASE WHEN st.status <> 'pending' THEN o.opened END,
                   CASE WHEN st.status = 'open' THEN a.cur_due
                        WHEN st.status <> 'pending' THEN
                             coalesce(o.opened + t.time_limit, a.due_on) END,
                   CASE WHEN st.status IN ('passed', 'rejected')
                        THEN CASE WHEN t.level = 'town' THEN a.cw ELSE a.sup END END,
                   CASE WHEN st.status IN ('passed', 'rejected')
                        THEN (o.opened + 2)::timestamp + time '15:00' END,
                   CASE st.status WHEN 'passed' THEN '同意' WHEN 'rejected' THEN '家庭收入超过保障标准'
                                  ELSE '' END
            FROM bench_app a
            JOIN assistance_approvalstep t ON t.program_id = a.program_id
            CROSS JOIN LATERAL (SELECT CASE
                WHEN a.status = 'in_progress' THEN
                     a.accepted_on + ((%(today)s::date - a.accepted_on) * (t."order" - 1)) / a.cur
                ELSE a.accepted_on + (35 * (t."order" - 1)) / a.nsteps END AS opened) o
            CROSS JOIN LATERAL (SELECT CASE
                WHEN a.status = 'approved' OR t."order" < a.cur THEN 'passed'
                WHEN t."order" > a.cur THEN 'pending'
                WHEN a.status = 'in_progress' THEN 'open'
                WHEN a.status = 'rejected' THEN 'rejected'
                ELSE 'returned' END AS status) st
            """,
            {"today": today},
        )
        made["steps"] = cursor.rowcount
        _analyzed(cursor, "assistance_applicationstep", started)
        # History: the registration, then one row per decided step (the last pass of an
        # approved application is the approval), and a withdrawal.
        cursor.execute(
            """
            INSERT INTO assistance_applicationevent (application_id, actor_id, at, action, step_id, note, data)
            SELECT a.id, a.cw, a.accepted_on::timestamp + time '09:00',
                   CASE WHEN a.channel = 'alert' THEN 'from_alert' ELSE 'create' END,
                   a.step0 + 1, '家庭成员患病，申请救助', jsonb_build_object('channel', a.channel)
            FROM bench_app a
            UNION ALL
            SELECT s.application_id, s.decided_by_id, s.decided_at,
                   CASE WHEN s.status = 'rejected' THEN 'reject'
                        WHEN a.status = 'approved' AND s."order" = a.nsteps THEN 'approve'
                        ELSE 'pass_step' END,
                   s.id, s.opinion, jsonb_build_object('step', s.code, 'round', 1)
            FROM assistance_applicationstep s JOIN bench_app a ON a.id = s.application_id
            WHERE s.status IN ('passed', 'rejected')
            UNION ALL
            SELECT a.id, a.cw, (a.accepted_on + 35)::timestamp + time '10:00', 'withdraw',
                   a.step0 + a.cur, '申请人撤回申请', '{}'::jsonb
            FROM bench_app a WHERE a.status = 'withdrawn'
            """
        )
        made["events"] = cursor.rowcount
        _analyzed(cursor, "assistance_applicationevent", started)
        # Investigation visits: every second application whose home visit step passed.
        cursor.execute("SELECT coalesce(max(id), 0) FROM alerts_homevisit")
        visit_base = cursor.fetchone()[0]
        cursor.execute(
            """
            WITH src AS (
                SELECT a.id AS application_id, a.household_id, a.cw, a.cw2, %(base)s + a.g AS visit_id,
                       s.opened_on + 1 AS visited_on
                FROM bench_app a
                JOIN assistance_applicationstep s
                  ON s.application_id = a.id AND s.code = 'home_visit' AND s.status = 'passed'
                WHERE a.g %% 2 = 0
            ), visits AS (
                INSERT INTO alerts_homevisit
                    (id, alert_id, household_id, visited_on, visitors, findings, household_situation,
                     follow_up_on, recorded_by_id, created_at)
                SELECT visit_id, NULL, household_id, visited_on, '经办人甲、经办人乙',
                       '家中两人患病，无固定收入', '住房简陋，主要靠务农收入', NULL, cw,
                       visited_on::timestamp + time '16:00'
                FROM src
            )
            INSERT INTO assistance_applicationvisit (application_id, visit_id, round, staff_first_id, staff_second_id)
            SELECT application_id, visit_id, 1, cw, cw2 FROM src
            """,
            {"base": visit_base},
        )
        made["visits"] = cursor.rowcount
        _analyzed(cursor, "alerts_homevisit, assistance_applicationvisit", started)
        # Findings of the economic-status check: one or two per application past 信息核对 (every
        # third one), confirmed once the check passed, pending while it is open.
        cursor.execute(
            """
            INSERT INTO assistance_finding
                (application_id, person_id, source, source_record_id, batch_id, occurred_on, summary,
                 amount, status, explanation, confirmed_by_id, confirmed_at)
            SELECT a.id, a.applicant_id, (ARRAY['settlement', 'diagnosis', 'disability', 'unemployment'])[1 + (a.g + i) %% 4],
                   a.g * 10 + i, NULL, a.accepted_on - 30 * i, '医保结算：住院自付费用', 5000 + a.g %% 20000,
                   CASE WHEN s.status = 'passed' THEN (ARRAY['confirmed', 'explained'])[1 + a.g %% 2] ELSE 'pending' END,
                   CASE WHEN s.status = 'passed' AND a.g %% 2 = 1 THEN '已由医保报销大部分费用' ELSE '' END,
                   CASE WHEN s.status = 'passed' THEN a.cw END,
                   CASE WHEN s.status = 'passed' THEN s.decided_at END
            FROM bench_app a
            JOIN assistance_applicationstep s
              ON s.application_id = a.id AND s.code = 'info_check' AND s.status IN ('passed', 'open')
            CROSS JOIN generate_series(1, 1 + a.g %% 2) i
            WHERE a.g %% 3 = 0
            """,
            {},
        )
        made["findings"] = cursor.rowcount
        _analyzed(cursor, "assistance_finding", started)
        # Grants (id = the application's): approved applications of programmes that pay (the
        # recognition programmes only enrol), and 急难型 applications paid first. Monthly grants
        # start the month after the decision; older ones have ended.
        cursor.execute(
            """
            CREATE TEMP TABLE bench_grant ON COMMIT DROP AS
            SELECT a.id, a.g, a.program_id, a.household_id, a.region_id, a.kind, a.applicant_id, a.size,
                   a.cw, a.sup,
                   CASE a.kind WHEN 'one_off' THEN 1000 + a.g %% 4000
                               WHEN 'person' THEN 773 ELSE 594 * a.size END AS amount,
                   coalesce((a.accepted_on + 35), %(today)s::date) AS decided_on
            FROM bench_app a
            WHERE (a.status = 'approved' AND a.category NOT IN ('dibao_edge', 'rigid_expense'))
               OR (a.status = 'in_progress' AND a.program_code = 'temp_emergency' AND a.cur > 1)
            """,
            {"today": today},
        )
        cursor.execute(
            """
            INSERT INTO assistance_grant
                (id, application_id, program_id, household_id, person_id, region_id, one_off, amount,
                 people_covered, start_month, end_month, status, approved_by_id, approved_on, created_at)
            SELECT b.id, b.id, b.program_id, b.household_id,
                   CASE WHEN b.kind = 'person' THEN b.applicant_id END, b.region_id,
                   b.kind = 'one_off', b.amount,
                   CASE WHEN b.kind = 'person' THEN 1 ELSE b.size END,
                   m.start,
                   CASE WHEN b.kind = 'one_off' THEN m.start
                        WHEN b.decided_on < %(today)s::date - 400 THEN (m.start + interval '6 months')::date END,
                   CASE WHEN b.kind <> 'one_off' AND b.decided_on < %(today)s::date - 400 THEN 'ended'
                        ELSE 'active' END,
                   CASE WHEN b.kind = 'one_off' THEN b.cw ELSE b.sup END, b.decided_on,
                   b.decided_on::timestamp + time '10:00'
            FROM bench_grant b
            CROSS JOIN LATERAL (SELECT CASE WHEN b.kind = 'one_off' THEN date_trunc('month', b.decided_on)::date
                                            ELSE (date_trunc('month', b.decided_on) + interval '1 month')::date
                                       END AS start) m
            """,
            {"today": today},
        )
        made["grants"] = cursor.rowcount
        _analyzed(cursor, "assistance_grant", started)
        # Every grant's first amount; every fifth monthly grant changed once, three months on.
        cursor.execute(
            """
            INSERT INTO assistance_grantamount (grant_id, amount, from_month, computation, reason, changed_by_id, changed_at)
            SELECT g.id, g.amount + 50 * (c - 1), (g.start_month + (c - 1) * interval '3 months')::date,
                   '{}'::jsonb, CASE WHEN c = 1 THEN '审核确认通过' ELSE '家庭收入变化，调整金额' END,
                   g.approved_by_id, g.created_at + (c - 1) * interval '90 days'
            FROM assistance_grant g
            JOIN bench_grant b ON b.id = g.id
            CROSS JOIN generate_series(1, CASE WHEN NOT g.one_off AND b.g %% 5 = 0 THEN 2 ELSE 1 END) c
            """,
            {},
        )
        made["grant amounts"] = cursor.rowcount
        _analyzed(cursor, "assistance_grantamount", started)
        cursor.execute(
            """
            INSERT INTO assistance_grantmember (grant_id, person_id, previous_category)
            SELECT c.grant_id, c.person_id, coalesce(m.category, '')
            FROM (
                SELECT b.id AS grant_id, b.applicant_id AS person_id FROM bench_grant b WHERE b.kind = 'person'
                UNION ALL
                SELECT b.id, p.id FROM bench_grant b JOIN households_person p ON p.household_id = b.household_id
                WHERE b.kind <> 'person'
            ) c
            LEFT JOIN monitoring_monitoringrecord m ON m.person_id = c.person_id
            """
        )
        made["grant members"] = cursor.rowcount
        _analyzed(cursor, "assistance_grantmember", started)
        for table, column in (
            ("assistance_application", "id"),
            ("assistance_applicationstep", "id"),
            ("assistance_grant", "id"),
            ("alerts_homevisit", "id"),
        ):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', '{column}'), (SELECT max(id) FROM {table}))"
            )
    return made


def setup_data(people: int, count: int, regenerate: bool) -> None:
    started = time.perf_counter()
    if regenerate:
        with connection.cursor() as cursor:
            cursor.execute(
                "TRUNCATE assistance_application, assistance_applicationstep, assistance_applicationevent, "
                "assistance_applicationvisit, assistance_finding, assistance_grant, assistance_grantamount, "
                "assistance_grantmember, alerts_homevisit CASCADE"
            )
    if not scalar("SELECT count(*) FROM (SELECT 1 FROM households_person LIMIT 1) p"):
        datagen.population(people)
    staff()
    if not scalar("SELECT count(*) FROM (SELECT 1 FROM assistance_application LIMIT 1) a"):
        made = applications(count)
        print("made: " + ", ".join(f"{n:,} {table}" for table, n in made.items()), flush=True)
    print(f"data ready in {time.perf_counter() - started:.0f} s", flush=True)


def time_get(client: Client, urls: list[str]) -> tuple[list[float], list[float], list[float]]:
    """Per request (one URL each, in turn), in ms: wall time, SQL time, CPU time of this process.
    As measure.time_requests, but over several URLs (random applications for the detail)."""
    for url in urls[:3]:  # warm-up: connection, template and URL caches
        assert client.get(url).status_code == 200, url
    wall, sql, cpu = [], [], []
    for url in urls:
        timer = SqlTimer()
        with connection.execute_wrapper(timer):
            cpu_started = time.process_time()
            started = time.perf_counter()
            response = client.get(url)
            wall.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - cpu_started) * 1000)
        sql.append(timer.ms)
        assert response.status_code == 200, (url, response.status_code)
    return wall, sql, cpu


def report(label: str, timings, queries: int, rows: int | str) -> None:
    wall, sql, cpu = timings
    p50, p95, slowest = p50_p95_max(wall)
    print(
        f"| {label} | {len(wall)} | {p50:.1f} ms | {p95:.1f} ms | {slowest:.1f} ms "
        f"| {statistics.median(sql):.1f} ms | {statistics.median(cpu):.1f} ms | {queries} | {rows} |",
        flush=True,
    )


def count_queries(client: Client, url: str) -> tuple[int, str]:
    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return counter.count, response.content.decode()


LIST_ROW = re.compile(r'data-application="?\d+')
NEXT_PAGE = re.compile(r'id="next-page"[^>]*href="\?([^"]+)"|href="\?([^"]+)"[^>]*id="next-page"')


def later_page(client: Client, url: str, pages: int = 3) -> str | None:
    """The URL of page `pages` + 1 reached by following the keyset "next" links from `url`."""
    base = url.split("?")[0]
    for _ in range(pages):
        html = client.get(url).content.decode()
        found = NEXT_PAGE.search(html)
        if not found:
            return None
        url = f"{base}?{unescape(found.group(1) or found.group(2))}"
    return url


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--people", type=int, default=150_000)
    parser.add_argument("--applications", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=200, help="requests per case")
    parser.add_argument(
        "--regenerate",
        action="store_true",
        help="delete the applications (not the population) and make them again",
    )
    parser.add_argument("--only", choices=["list", "detail"], help="measure one page only")
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    setup_data(args.people, args.applications, args.regenerate)
    with connection.cursor() as cursor:
        # autovacuum is off on this machine's PostgreSQL: the visibility map and statistics a
        # server's autovacuum would have after the bulk insert (index-only scans need the first)
        for table in (
            "assistance_application",
            "assistance_applicationstep",
            "assistance_applicationevent",
            "assistance_grant",
            "assistance_grantamount",
            "assistance_grantmember",
            "assistance_finding",
            "assistance_applicationvisit",
            "alerts_homevisit",
            "households_person",
            "households_household",
        ):
            cursor.execute(f"VACUUM ANALYZE {table}")
    today = clock.today()
    print(
        f"dataset: {scalar('SELECT count(*) FROM assistance_application'):,} applications "
        f"({scalar('SELECT count(*) FROM assistance_application WHERE status = %s', ['in_progress']):,} in progress, "
        f"{scalar('SELECT count(*) FROM assistance_application WHERE status = %s AND current_due_on < %s', ['in_progress', today]):,} overdue), "
        f"{scalar('SELECT count(*) FROM assistance_applicationstep'):,} steps, "
        f"{scalar('SELECT count(*) FROM assistance_applicationevent'):,} events, "
        f"{scalar('SELECT count(*) FROM assistance_grant'):,} grants "
        f"({scalar('SELECT count(*) FROM assistance_grantamount'):,} amounts, "
        f"{scalar('SELECT count(*) FROM assistance_grantmember'):,} members), "
        f"{scalar('SELECT count(*) FROM assistance_finding'):,} findings, "
        f"{scalar('SELECT count(*) FROM assistance_applicationvisit'):,} visits, "
        f"{scalar('SELECT count(*) FROM households_household'):,} households, "
        f"{scalar('SELECT count(*) FROM households_person'):,} people; "
        f"county {COUNTY}: {scalar('SELECT count(*) FROM assistance_application WHERE region_id LIKE %s', [COUNTY + '%'])} "
        f"applications ({scalar('SELECT count(*) FROM assistance_application WHERE region_id LIKE %s AND status = %s', [COUNTY + '%', 'in_progress'])} in progress), "
        f"town {TOWN}: {scalar('SELECT count(*) FROM assistance_application WHERE region_id LIKE %s', [TOWN + '%'])} "
        f"({scalar('SELECT count(*) FROM assistance_application WHERE region_id LIKE %s AND status = %s', [TOWN + '%', 'in_progress'])} in progress)",
        flush=True,
    )
    try:
        list_url = reverse("assistance:application_list")
    except NoReverseMatch:
        list_url = None
    try:
        reverse("assistance:application_detail", args=[1])
        has_detail = True
    except NoReverseMatch:
        has_detail = False
    if not (list_url or has_detail):
        print("neither assistance:application_list nor assistance:application_detail exists yet")
        return
    rng = random.Random(15)
    print(f"load before requests: {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
    print(
        "| persona, request | requests | p50 | p95 | max | SQL time p50 | Django CPU p50 | SQL queries | rows shown |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for persona, username, scope in (
        ("town caseworker", TOWN_USER, TOWN),
        ("county supervisor", COUNTY_USER, COUNTY),
    ):
        client = Client()
        client.force_login(User.objects.get(username=username))
        if list_url and args.only != "detail":
            filters = {
                "default (in progress, newest first)": {},
                "programme 农村低保": {"program": Program.objects.get(code="rural_dibao").pk},
                "step 入户调查": {"step": "home_visit"},
                "overdue only": {"overdue": "on"},
                "channel 12349热线": {"channel": "hotline"},
                "status 已批准": {"status": "approved"},
            }
            cases = [
                (label, f"{list_url}?{urlencode(params)}" if params else list_url)
                for label, params in filters.items()
            ]
            for label, params in (
                ("default, page 4 (keyset)", {}),
                ("status 已批准, page 4 (keyset)", {"status": "approved"}),
            ):
                page = later_page(client, f"{list_url}?{urlencode(params)}" if params else list_url)
                if page:
                    cases.append((label, page))
                else:
                    print(f"| {persona}, list {label} | no next-page link found | | | | | | | |")
            for label, url in cases:
                queries, html = count_queries(client, url)
                rows = len(LIST_ROW.findall(html))
                report(f"{persona}, list {label}", time_get(client, [url] * args.repeat), queries, rows)
        if has_detail and args.only != "list":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT id FROM assistance_application WHERE region_id LIKE %s ORDER BY id", [scope + "%"]
                )
                ids = [row[0] for row in cursor.fetchall()]
            picks = [rng.choice(ids) for _ in range(args.repeat)]
            urls = [reverse("assistance:application_detail", args=[pk]) for pk in picks]
            queries = [count_queries(client, url)[0] for url in urls[:20]]
            report(
                f"{persona}, detail (random applications of the {'town' if scope == TOWN else 'county'})",
                time_get(client, urls),
                f"{min(queries)}–{max(queries)}" if min(queries) != max(queries) else queries[0],
                "",
            )
    print(f"load after requests: {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)


if __name__ == "__main__":
    main()
