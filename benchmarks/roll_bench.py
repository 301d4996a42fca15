"""Monthly payment rolls (issue 16): time to compute every county's roll for one month with
`assistance.services.rolls.roll_compute` (set-based SQL; goal ≤ 10 s for all 16 counties at 150,000
active grants), and, for comparison, a per-grant ORM loop over a sample, extrapolated.

    createdb -h 127.0.0.1 -U postgres jiuzhu_bench_rolls
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/jiuzhu_bench_rolls
    .venv/bin/python benchmarks/roll_bench.py [--people 150000] [--history 6] [--sample 500]

On an empty database it first makes the data: benchmarks.datagen's population (16 counties × 10
towns × 10 villages), then one grant per person (household heads 农村低保 for the household, the
others 分散特困 for themselves) with its application and amount (every fifth changed from last
month on), an account for every recipient, and `--history` locked rolls per county before the
month measured, each with a line per grant paid that month. About 1 % of grants were approved
after their first month's roll was locked (no line yet: back pay), 2 % of last month's lines
failed at the bank (arrears) and 0.5 % of grants have an open correction. Every table is one
INSERT … SELECT. Then it computes the 16 rolls of the current month (twice: a first computation
and a recomputation of the drafts) and prints the timings; the drafts are deleted again at the end.
"""

import argparse
import os
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Q  # noqa: E402

from assistance.models import (  # noqa: E402
    Grant,
    GrantAmount,
    PaymentAccount,
    PaymentAdjustment,
    PaymentLine,
    PaymentRoll,
)
from assistance.services.grants import first_of_month  # noqa: E402
from assistance.services.rolls import previous_month, roll_compute  # noqa: E402
from benchmarks import datagen  # noqa: E402
from benchmarks.measure import scalar  # noqa: E402
from households import clock  # noqa: E402
from households.models import Role, User  # noqa: E402

SUPERVISOR = "bench_roll_city"


def months_back(month: date, n: int) -> date:
    for _ in range(n):
        month = previous_month(month)
    return month


def grants(month: date, history: int) -> dict[str, int]:
    """One grant per person, its application, amounts, recipients' accounts, and `history` locked
    rolls per county before `month` (set-based)."""
    supervisor = User.objects.get(username=SUPERVISOR)
    first_roll = months_back(month, history)
    made = {}
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT code, id FROM assistance_program WHERE code IN ('rural_dibao', 'tekun_dispersed')"
        )
        programs = dict(cursor.fetchall())
        cursor.execute(
            """
            CREATE TEMP TABLE bench_g ON COMMIT DROP AS
            SELECT row_number() OVER (ORDER BY p.id) AS id, p.id AS person_id, p.household_id, h.region_id,
                   p.relation = 'head' AS head, abs(hashint4(p.id::int)::bigint) AS r
              FROM households_person p JOIN households_household h ON h.id = p.household_id;
            ALTER TABLE bench_g ADD COLUMN start_month date, ADD COLUMN late boolean;
            -- starts spread over two years before the month measured; 1 %% approved late: their
            -- start month's roll (the last one or the one before) was locked without them
            UPDATE bench_g SET late = r %% 100 = 0,
                start_month = CASE WHEN r %% 100 = 0 THEN (%(month)s::date - ((1 + r / 100 %% 2) * interval '1 month'))::date
                                   ELSE (%(month)s::date - ((1 + r / 1000 %% 24) * interval '1 month'))::date END;
            ANALYZE bench_g;
            """,
            {"month": month},
        )
        cursor.execute("SELECT coalesce(max(id), 0) FROM assistance_application")
        base = cursor.fetchone()[0]
        cursor.execute(
            """
            INSERT INTO assistance_application
                (id, program_id, household_id, applicant_id, region_id, channel, status, request, channel_note,
                 reported_by, accepted_on, complex_case, current_step_code, staff_relative, staff_relative_note,
                 members_covered, self_care_level, proposed_amount, computation, paid_first, decided_at,
                 decision_reason, handling_level, created_by_id, lock_version, created_at, updated_at)
            SELECT %(base)s + g.id, CASE WHEN g.head THEN %(dibao)s ELSE %(tekun)s END, g.household_id, g.person_id,
                   g.region_id, 'single_window', 'approved', '申请救助（基准测试数据）', '', '',
                   g.start_month - 40, false, '', false, '', 1, '', 500 + g.r %% 400, '{}'::jsonb, false,
                   (g.start_month - 5)::timestamp + time '10:00', '同意', '', %(sup)s, 0, %(now)s, %(now)s
              FROM bench_g g
            """,
            {"base": base, "dibao": programs["rural_dibao"], "tekun": programs["tekun_dispersed"],
             "sup": supervisor.pk, "now": clock.now()},
        )  # fmt: skip
        made["applications"] = cursor.rowcount
        cursor.execute(
            """
            INSERT INTO assistance_grant
                (id, application_id, program_id, household_id, person_id, region_id, one_off, amount, people_covered,
                 start_month, status, approved_by_id, approved_on, created_at, review_interval_months)
            SELECT %(base)s + g.id, %(base)s + g.id, a.program_id, g.household_id,
                   CASE WHEN g.head THEN NULL ELSE g.person_id END, g.region_id, false, a.proposed_amount, 1,
                   g.start_month, 'active', %(sup)s, g.start_month - 5, %(now)s, 12
              FROM bench_g g JOIN assistance_application a ON a.id = %(base)s + g.id;
            INSERT INTO assistance_grantamount (grant_id, amount, from_month, computation, reason, changed_by_id, changed_at)
            SELECT %(base)s + g.id, 500 + g.r %% 400, g.start_month, '{}'::jsonb, '批准', %(sup)s, %(now)s FROM bench_g g
            UNION ALL
            SELECT %(base)s + g.id, 550 + g.r %% 400, %(previous)s, '{}'::jsonb, '收入变化', %(sup)s, %(now)s
              FROM bench_g g WHERE g.r %% 5 = 1 AND g.start_month < %(previous)s;
            INSERT INTO assistance_paymentaccount (person_id, kind, bank_name, account_no, updated_by_id, updated_at)
            SELECT g.person_id, 'bank', '农业银行', '62284800' || lpad(g.person_id::text, 10, '0'), %(sup)s, %(now)s
              FROM bench_g g;
            """,
            {"base": base, "sup": supervisor.pk, "now": clock.now(), "previous": previous_month(month)},
        )  # fmt: skip
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('assistance_application', 'id'), (SELECT max(id) FROM assistance_application))"
        )
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('assistance_grant', 'id'), (SELECT max(id) FROM assistance_grant))"
        )
        cursor.execute(
            "ANALYZE assistance_application, assistance_grant, assistance_grantamount, assistance_paymentaccount"
        )
        # History: a roll per county and month, a line per grant in force then (not the late ones
        # in their start month). Inserted as drafts, then locked.
        cursor.execute(
            """
            INSERT INTO assistance_paymentroll (county_id, month, status, computed_at, computed_by_id, line_count,
                                                total, lock_version)
            SELECT c.code, m::date, 'draft', %(now)s, %(sup)s, 0, 0, 1
              FROM households_region c CROSS JOIN generate_series(%(first)s::date, %(last)s::date, interval '1 month') m
             WHERE c.level = 'county' AND c.code = ANY(%(counties)s);
            INSERT INTO assistance_paymentline
                (roll_id, grant_id, household_id, recipient_id, region_id, covers_from, covers_to, regular, back_pay,
                 arrears, correction, total, account_kind, bank_name, account_no, status, result_note, result_on)
            SELECT r.id, gr.id, gr.household_id, g.person_id, gr.region_id, r.month, r.month, gr.amount, 0, 0, 0,
                   gr.amount, 'bank', '农业银行', '62284800' || lpad(g.person_id::text, 10, '0'),
                   CASE WHEN r.month = %(last)s AND g.r %% 50 = 7 THEN 'failed' ELSE 'paid' END,
                   CASE WHEN r.month = %(last)s AND g.r %% 50 = 7 THEN '账户已冻结' ELSE '' END, r.month + 9
              FROM bench_g g JOIN assistance_grant gr ON gr.id = %(base)s + g.id
              JOIN assistance_paymentroll r ON r.county_id = left(g.region_id, 6)
             WHERE r.month BETWEEN %(first)s AND %(last)s AND r.month >= g.start_month AND NOT g.late;
            UPDATE assistance_paymentroll r SET line_count = s.n, total = s.total
              FROM (SELECT roll_id, count(*) AS n, sum(total) AS total FROM assistance_paymentline GROUP BY roll_id) s
             WHERE s.roll_id = r.id;
            UPDATE assistance_paymentroll SET status = 'locked', locked_at = %(now)s, locked_by_id = %(sup)s;
            INSERT INTO assistance_paymentadjustment (grant_id, amount, reason, created_by_id, created_at)
            SELECT %(base)s + g.id, 10 + g.r %% 90, '此前少发', %(sup)s, %(now)s FROM bench_g g WHERE g.r %% 200 = 3;
            """,
            {"base": base, "sup": supervisor.pk, "now": clock.now(), "first": first_roll,
             "last": previous_month(month), "counties": datagen.COUNTIES},
        )  # fmt: skip
        made["grants"] = scalar("SELECT count(*) FROM assistance_grant")
        made["history lines"] = scalar("SELECT count(*) FROM assistance_paymentline")
    return made


def orm_line(grant: Grant, roll: PaymentRoll) -> PaymentLine | None:
    """What a per-grant loop would do for one grant (the comparison): the same parts, each an
    ORM query, then one INSERT and the pointers' UPDATEs."""
    month = roll.month

    def in_force(m):
        row = (
            GrantAmount.objects.filter(grant=grant, from_month__lte=m).order_by("-from_month", "-id").first()
        )
        return row.amount if row else 0

    ends = [d for d in (grant.end_month, grant.gradual_exit_until) if d]
    regular = in_force(month) if grant.start_month <= month and (not ends or month <= min(ends)) else 0
    last = (
        PaymentLine.objects.filter(grant=grant, roll__month__lt=month)
        .order_by("-covers_to")
        .values_list("covers_to", flat=True)
        .first()
    )
    first = date(last.year + last.month // 12, last.month % 12 + 1, 1) if last else grant.start_month
    back, m = 0, first
    upto = min([previous_month(month), *ends])
    while m <= upto:
        back += in_force(m)
        m = date(m.year + m.month // 12, m.month % 12 + 1, 1)
    failed = list(
        PaymentLine.objects.filter(
            grant=grant, roll__status="locked", roll__month__lt=month, reissued_in__isnull=True
        ).filter(Q(status="failed") | Q(status="returned"))
    )
    adjustments = list(PaymentAdjustment.objects.filter(grant=grant, paid_in__isnull=True))
    arrears = sum(x.total for x in failed)
    correction = sum(a.amount for a in adjustments)
    total = regular + back + arrears + correction
    if not total:
        return None
    recipient_id = grant.person_id or grant.application.applicant_id
    account = PaymentAccount.objects.filter(person_id=recipient_id).first()
    line = PaymentLine.objects.create(
        roll=roll, grant=grant, household_id=grant.household_id, recipient_id=recipient_id,
        region_id=grant.region_id, regular=regular, back_pay=back, arrears=arrears, correction=correction,
        total=total, covers_from=first if back else (month if regular else None),
        covers_to=month if regular else (upto if back else None), account_kind=account.kind if account else "",
        bank_name=account.bank_name if account else "", account_no=account.account_no if account else "",
    )  # fmt: skip
    for x in failed:
        PaymentLine.objects.filter(pk=x.pk).update(reissued_in=line)
    PaymentAdjustment.objects.filter(pk__in=[a.pk for a in adjustments]).update(paid_in=line)
    return line


def orm_loop(month: date, sample: int) -> float:
    """Seconds the per-grant loop takes for `sample` grants of one county (rolled back)."""
    supervisor = User.objects.get(username=SUPERVISOR)
    county = datagen.COUNTIES[2]
    with transaction.atomic():
        roll = PaymentRoll.objects.create(county_id=county, month=month, computed_at=clock.now(),
                                          computed_by=supervisor)  # fmt: skip
        ids = list(
            Grant.objects.filter(region__code__startswith=county).order_by("id").values_list("id", flat=True)
        )
        chosen = ids[:: max(1, len(ids) // sample)][:sample]
        started = time.perf_counter()
        for grant in Grant.objects.filter(id__in=chosen).select_related("application"):
            orm_line(grant, roll)
        seconds = time.perf_counter() - started
        transaction.set_rollback(True)
    return seconds


def drop_drafts(month: date) -> None:
    """The month's draft rolls go (the pointers to their lines released first, as roll_compute does)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            CREATE TEMP TABLE bench_drop ON COMMIT DROP AS
            SELECT l.id FROM assistance_paymentline l JOIN assistance_paymentroll r ON r.id = l.roll_id
             WHERE r.month = %(month)s AND r.status = 'draft';
            UPDATE assistance_paymentline SET reissued_in_id = NULL WHERE reissued_in_id IN (SELECT id FROM bench_drop);
            UPDATE assistance_paymentadjustment SET paid_in_id = NULL WHERE paid_in_id IN (SELECT id FROM bench_drop);
            DELETE FROM assistance_paymentline WHERE id IN (SELECT id FROM bench_drop);
            DELETE FROM assistance_paymentroll WHERE month = %(month)s AND status = 'draft';
            """,
            {"month": month},
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--people", type=int, default=150_000)
    parser.add_argument("--history", type=int, default=6, help="locked months before the one measured")
    parser.add_argument("--sample", type=int, default=500, help="grants in the ORM loop comparison")
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    month = first_of_month(clock.today())
    started = time.perf_counter()
    if not scalar("SELECT count(*) FROM (SELECT 1 FROM households_person LIMIT 1) p"):
        datagen.population(args.people)
    User.objects.get_or_create(username=SUPERVISOR, defaults={"role": Role.SUPERVISOR, "scope_id": "130900"})
    if not scalar("SELECT count(*) FROM (SELECT 1 FROM assistance_grant LIMIT 1) g"):
        made = grants(month, args.history)
        print("made: " + ", ".join(f"{n:,} {k}" for k, n in made.items()), flush=True)
        with connection.cursor() as cursor:
            for table in ("assistance_grant", "assistance_grantamount", "assistance_paymentline",
                          "assistance_paymentroll", "assistance_paymentaccount", "assistance_paymentadjustment",
                          "assistance_application"):  # fmt: skip
                cursor.execute(f"VACUUM ANALYZE {table}")
    print(f"data ready in {time.perf_counter() - started:.0f} s", flush=True)
    supervisor = User.objects.get(username=SUPERVISOR)
    with transaction.atomic():
        drop_drafts(month)
    active = scalar(
        "SELECT count(*) FROM assistance_grant WHERE status = 'active' AND start_month <= %s", [month]
    )
    print(
        f"dataset: {active:,} grants in force in {month:%Y-%m} over {len(datagen.COUNTIES)} counties, "
        f"{scalar('SELECT count(*) FROM assistance_paymentline'):,} lines in "
        f"{scalar('SELECT count(*) FROM assistance_paymentroll'):,} locked rolls, "
        f"{scalar('SELECT count(*) FROM assistance_paymentadjustment WHERE paid_in_id IS NULL'):,} open corrections",
        flush=True,
    )
    for label in ("first computation", "recomputation of the drafts"):
        times, lines, total = [], 0, 0
        for county in datagen.COUNTIES:
            t0 = time.perf_counter()
            roll = roll_compute(actor=supervisor, county_code=county, month=month)
            times.append(time.perf_counter() - t0)
            lines += roll.line_count
            total += roll.total
        print(
            f"{label}: 16 counties in {sum(times):.2f} s (per county min {min(times):.2f} / max {max(times):.2f} s); "
            f"{lines:,} lines, {total:,.2f} yuan; "
            f"back pay {scalar('SELECT count(*) FROM assistance_paymentline l JOIN assistance_paymentroll r ON r.id = l.roll_id WHERE r.month = %s AND back_pay > 0', [month]):,}, "
            f"arrears {scalar('SELECT count(*) FROM assistance_paymentline l JOIN assistance_paymentroll r ON r.id = l.roll_id WHERE r.month = %s AND arrears > 0', [month]):,}, "
            f"corrections {scalar('SELECT count(*) FROM assistance_paymentline l JOIN assistance_paymentroll r ON r.id = l.roll_id WHERE r.month = %s AND correction > 0', [month]):,}",
            flush=True,
        )  # fmt: skip
    with transaction.atomic():
        drop_drafts(month)
    seconds = orm_loop(month, args.sample)
    per_grant = seconds / args.sample
    print(
        f"ORM loop: {args.sample} grants in {seconds:.2f} s = {per_grant * 1000:.1f} ms a grant; "
        f"extrapolated to {active:,} grants: {per_grant * active:,.0f} s",
        flush=True,
    )


if __name__ == "__main__":
    main()
