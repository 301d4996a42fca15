"""Application list: server time of the list page for a town caseworker and a county supervisor.

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/jz_application_bench
    .venv/bin/python benchmarks/application_list_bench.py [--people 150000] [--applications 200000]

On an empty database it first makes the data (benchmarks.datagen population, then applications
spread over the households and programmes with one set-based INSERT), then requests the list
through Django's test client (the whole request) unfiltered and with each filter, and prints
p50/p95/max and the number of SQL queries per case.

First reading (h-list, 2026-12-07, a shared machine at load ~5, --repeat 30; 200,000 applications,
county 130921: 12,884, town 130921101: 1,282): p95 60–80 ms for the town caseworker and 60–102 ms
for the county supervisor on the plain and filtered lists; the head-name search 104 / 122 ms (its
first step, the heads whose name starts with the text, is the households list's name search).
9–10 SQL queries a page.
"""

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("STATICFILES_BACKEND", "django.contrib.staticfiles.storage.StaticFilesStorage")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from benchmarks import datagen  # noqa: E402
from benchmarks.measure import QueryCounter, p50_p95_max, scalar, time_requests  # noqa: E402
from households import clock  # noqa: E402
from households.models import Role, User  # noqa: E402

COUNTY = "130921"
TOWN = "130921101"
COUNTY_USER = "bench_county_supervisor"
TOWN_USER = f"bench_cw_{TOWN}"

# Every household × every programme, shuffled, the first `count` pairs: half open (at one of the
# programme's steps, due dates around today, some pending), the rest decided.
APPLICATIONS_SQL = """
INSERT INTO assistance_application (
    program_id, household_id, applicant_id, region_id, channel, status, request, channel_note,
    reported_by, accepted_on, complex_case, current_step_code, current_due_on, staff_relative,
    staff_relative_note, self_care_level, computation, paid_first, decided_at, decision_reason,
    handling_level, created_by_id, lock_version, created_at, updated_at
)
SELECT pr.id, h.id, (SELECT min(p.id) FROM households_person p WHERE p.household_id = h.id), h.region_id,
       (ARRAY['single_window', 'grid_report', 'hotline', 'alert'])[1 + (r.n %% 4)],
       CASE WHEN r.n %% 2 = 0 THEN 'in_progress' ELSE (ARRAY['approved', 'rejected', 'withdrawn'])[1 + (r.n %% 3)] END,
       '申请救助', '', '', %(today)s::date - (r.n %% 200), false,
       (SELECT s.code FROM assistance_approvalstep s WHERE s.program_id = pr.id ORDER BY s."order"
        OFFSET (r.n %% 3) LIMIT 1),
       CASE WHEN r.n %% 2 = 0 AND r.n %% 10 <> 0 THEN %(today)s::date + ((r.n %% 61) - 30) END,
       r.n %% 50 = 0, CASE WHEN r.n %% 50 = 0 THEN '村干部近亲属' ELSE '' END, '', '{}', false,
       CASE WHEN r.n %% 2 = 1 THEN %(now)s END, '', 'town', %(user)s, 0, %(now)s, %(now)s
FROM (
    SELECT h.id AS household_id, pr.id AS program_id, row_number() OVER (ORDER BY md5(h.id::text || pr.id::text))::int AS n
    FROM households_household h CROSS JOIN assistance_program pr
    WHERE pr.area_type = '' OR pr.area_type = h.area_type
) r
JOIN households_household h ON h.id = r.household_id
JOIN assistance_program pr ON pr.id = r.program_id
WHERE r.n <= %(count)s
ORDER BY r.n
"""


def setup_data(people: int, applications: int) -> None:
    if not scalar("SELECT count(*) FROM (SELECT 1 FROM households_household LIMIT 1) h"):
        datagen.population(people)
    datagen.town_caseworkers()
    user, _ = User.objects.get_or_create(
        username=COUNTY_USER, defaults={"role": Role.SUPERVISOR, "scope_id": COUNTY}
    )
    if not scalar("SELECT count(*) FROM (SELECT 1 FROM assistance_application LIMIT 1) a"):
        with connection.cursor() as cursor:
            cursor.execute(
                APPLICATIONS_SQL,
                {"today": clock.today(), "now": clock.now(), "user": user.pk, "count": applications},
            )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE assistance_application")
        cursor.execute("VACUUM ANALYZE households_person")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--people", type=int, default=150_000)
    parser.add_argument("--applications", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    setup_data(args.people, args.applications)
    print(
        f"dataset: {scalar('SELECT count(*) FROM assistance_application'):,} applications; "
        f"county {COUNTY}: {scalar('SELECT count(*) FROM assistance_application WHERE region_id LIKE %s', [COUNTY + '%'])}, "
        f"town {TOWN}: {scalar('SELECT count(*) FROM assistance_application WHERE region_id LIKE %s', [TOWN + '%'])}",
        flush=True,
    )
    head = scalar(
        "SELECT p.name FROM households_person p JOIN households_household h ON h.id = p.household_id "
        "WHERE h.region_id LIKE %s AND p.relation = 'head' LIMIT 1",
        [TOWN + "%"],
    )
    cases = {
        "unfiltered (办理中)": {},
        "all statuses": {"status": "all"},
        "overdue only": {"overdue": "on"},
        "programme + step": {
            "program": scalar("SELECT id FROM assistance_program WHERE code = 'rural_dibao'"),
            "step": "accept",
        },
        "channel hotline": {"channel": "hotline", "status": "all"},
        "近亲属 only": {"staff_relative": "on", "status": "all"},
        "head name": {"q": head[:1], "status": "all"},
    }
    url = reverse("assistance:application_list")
    print("| persona, request | p50 | p95 | max | SQL queries | rows shown |")
    print("|---|---|---|---|---|---|")
    for persona, username in (("town caseworker", TOWN_USER), ("county supervisor", COUNTY_USER)):
        client = Client()
        client.force_login(User.objects.get(username=username))
        for label, params in cases.items():
            query = "&".join(f"{k}={v}" for k, v in params.items())
            full = f"{url}?{query}" if query else url
            wall, _sql, _cpu = time_requests(client, full, args.repeat)
            counter = QueryCounter()
            with connection.execute_wrapper(counter):
                response = client.get(full)
            p50, p95, slowest = p50_p95_max(wall)
            rows = len(response.context["page"].rows) if response.context else "?"
            print(
                f"| {persona}, {label} | {p50:.1f} ms | {p95:.1f} ms | {slowest:.1f} ms | {counter.count} | {rows} |"
            )


if __name__ == "__main__":
    main()
