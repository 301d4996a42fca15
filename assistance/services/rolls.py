"""Monthly payment rolls: computed per county with set-based SQL, reviewed and locked by a county
or city supervisor; accounts and corrections (补发更正) that feed them.

A roll pays, for every grant of the county: the month's amount (`regular`), months before it that no
earlier roll covered (`back_pay`: a grant approved after its first month's roll was locked), lines of
locked earlier rolls the bank failed or returned (`arrears`, each such line then points at the line
that pays it again) and open corrections (`correction`). A locked roll never changes (triggers).
"""

import re
from datetime import date
from decimal import Decimal

from django.db import connection, transaction
from django.utils.translation import gettext as _

from assistance.errors import AssistanceError
from assistance.models import AccountKind, Grant, PaymentAccount, PaymentAdjustment, PaymentRoll, RollStatus
from assistance.services.common import is_county_user
from assistance.services.grants import previous_month
from households import clock
from households.models import Region, RegionLevel
from households.scoping import region_in_scope

ACCOUNT_DIGITS = re.compile(r"^[0-9]{8,32}$")

# One statement: the county's grants with what each owes for the month, the lines inserted, the
# failed lines they pay again and the corrections they pay marked, the count and total returned.
# All CTEs see one snapshot, so what is summed in is exactly what gets marked.
COMPUTE_SQL = """
WITH g AS MATERIALIZED (
    SELECT g.id, g.household_id, g.region_id, g.start_month, g.end_month, g.gradual_exit_until,
           coalesce(g.person_id, (SELECT a.applicant_id FROM assistance_application a
                                   WHERE a.id = g.application_id)) AS recipient_id,
           LEAST(g.end_month, g.gradual_exit_until) AS last_month
      FROM assistance_grant g
     WHERE g.region_id LIKE %(prefix)s
),
paid_through_previous AS MATERIALIZED (
    -- the usual case, read from the county's previous roll alone: paid up to last month
    SELECT l.grant_id
      FROM assistance_paymentroll r JOIN assistance_paymentline l ON l.roll_id = r.id
     WHERE r.county_id = %(county)s AND r.month = %(previous)s AND l.covers_to = %(previous)s
),
covered AS MATERIALIZED (
    -- the others: the last month any earlier roll paid
    SELECT l.grant_id, max(l.covers_to) AS last_covered
      FROM assistance_paymentline l JOIN assistance_paymentroll r ON r.id = l.roll_id
     WHERE r.month < %(month)s
       AND l.grant_id IN (SELECT id FROM g WHERE id NOT IN (SELECT grant_id FROM paid_through_previous))
     GROUP BY l.grant_id
    UNION ALL
    SELECT grant_id, %(previous)s::date FROM paid_through_previous
),
gap AS MATERIALIZED (
    -- only grants with months before this one that no earlier roll paid
    SELECT grant_id, first_month, last_month FROM (
        SELECT g.id AS grant_id,
               coalesce((c.last_covered + interval '1 month')::date, g.start_month) AS first_month,
               LEAST(%(previous)s::date, g.last_month) AS last_month
          FROM g LEFT JOIN covered c ON c.grant_id = g.id
    ) x
     WHERE first_month <= last_month
),
back AS MATERIALIZED (
    SELECT gap.grant_id, min(gap.first_month) AS first_month, max(gap.last_month) AS last_month,
           sum(coalesce(amt.amount, 0)) AS amount
      FROM gap
     CROSS JOIN LATERAL generate_series(gap.first_month, gap.last_month, interval '1 month') AS m(month)
      LEFT JOIN LATERAL (
            SELECT ga.amount FROM assistance_grantamount ga
             WHERE ga.grant_id = gap.grant_id AND ga.from_month <= m.month::date
             ORDER BY ga.from_month DESC, ga.id DESC LIMIT 1) amt ON true
     GROUP BY gap.grant_id
),
regular AS MATERIALIZED (
    -- the amount in force this month of every grant paying this month
    SELECT DISTINCT ON (ga.grant_id) ga.grant_id, ga.amount
      FROM assistance_grantamount ga JOIN g ON g.id = ga.grant_id
     WHERE ga.from_month <= %(month)s AND g.start_month <= %(month)s
       AND %(month)s <= coalesce(g.end_month, g.gradual_exit_until, 'infinity')
     ORDER BY ga.grant_id, ga.from_month DESC, ga.id DESC
),
failed AS MATERIALIZED (
    SELECT l.id, l.grant_id, l.total
      FROM assistance_paymentline l JOIN assistance_paymentroll r ON r.id = l.roll_id
     WHERE r.status = 'locked' AND r.month < %(month)s
       AND l.status IN ('failed', 'returned') AND l.reissued_in_id IS NULL
       AND l.grant_id IN (SELECT id FROM g)
),
adjustments AS MATERIALIZED (
    SELECT p.id, p.grant_id, p.amount
      FROM assistance_paymentadjustment p
     WHERE p.paid_in_id IS NULL AND p.grant_id IN (SELECT id FROM g)
),
owed AS MATERIALIZED (
    SELECT g.id AS grant_id, g.household_id, g.region_id, g.recipient_id,
           coalesce(reg.amount, 0) AS regular, coalesce(b.amount, 0) AS back_pay,
           coalesce(ar.amount, 0) AS arrears, coalesce(co.amount, 0) AS correction,
           CASE WHEN b.grant_id IS NOT NULL THEN b.first_month
                WHEN reg.grant_id IS NOT NULL THEN %(month)s::date END AS covers_from,
           CASE WHEN reg.grant_id IS NOT NULL THEN %(month)s::date
                WHEN b.grant_id IS NOT NULL THEN b.last_month END AS covers_to
      FROM g
      LEFT JOIN regular reg ON reg.grant_id = g.id
      LEFT JOIN back b ON b.grant_id = g.id
      LEFT JOIN (SELECT grant_id, sum(total) AS amount FROM failed GROUP BY grant_id) ar ON ar.grant_id = g.id
      LEFT JOIN (SELECT grant_id, sum(amount) AS amount FROM adjustments GROUP BY grant_id) co
             ON co.grant_id = g.id
),
ins AS (
    INSERT INTO assistance_paymentline
        (roll_id, grant_id, household_id, recipient_id, region_id, covers_from, covers_to,
         regular, back_pay, arrears, correction, total, account_kind, bank_name, account_no,
         status, result_note)
    SELECT %(roll)s, o.grant_id, o.household_id, o.recipient_id, o.region_id, o.covers_from, o.covers_to,
           o.regular, o.back_pay, o.arrears, o.correction, o.regular + o.back_pay + o.arrears + o.correction,
           coalesce(pa.kind, ''), coalesce(pa.bank_name, ''), coalesce(pa.account_no, ''), 'pending', ''
      FROM owed o LEFT JOIN assistance_paymentaccount pa ON pa.person_id = o.recipient_id
     WHERE o.regular + o.back_pay + o.arrears + o.correction > 0
    RETURNING id, grant_id, total
),
reissued AS (
    UPDATE assistance_paymentline l SET reissued_in_id = ins.id
      FROM failed f JOIN ins ON ins.grant_id = f.grant_id
     WHERE l.id = f.id
    RETURNING l.id
),
paid AS (
    UPDATE assistance_paymentadjustment p SET paid_in_id = ins.id
      FROM adjustments a JOIN ins ON ins.grant_id = a.grant_id
     WHERE p.id = a.id
    RETURNING p.id
)
SELECT (SELECT count(*) FROM ins), (SELECT coalesce(sum(total), 0) FROM ins),
       (SELECT count(*) FROM reissued), (SELECT count(*) FROM paid)
"""

# A draft computed again: what pointed at its lines is released, then the lines go.
RELEASE_SQL = (
    """UPDATE assistance_paymentline SET reissued_in_id = NULL
        WHERE reissued_in_id IN (SELECT id FROM assistance_paymentline WHERE roll_id = %(roll)s)""",
    """UPDATE assistance_paymentadjustment SET paid_in_id = NULL
        WHERE paid_in_id IN (SELECT id FROM assistance_paymentline WHERE roll_id = %(roll)s)""",
    "DELETE FROM assistance_paymentline WHERE roll_id = %(roll)s",
)


def may_manage_rolls(user, county_code: str) -> bool:
    """County or city supervisors of the county (a town supervisor or a caseworker may not)."""
    return is_county_user(user) and region_in_scope(user, county_code)


def _require_roll_manager(actor, county_code: str) -> None:
    if actor is not None and not may_manage_rolls(actor, county_code):
        raise AssistanceError(_("只有本县（市、区）或市级督导可以生成和锁定发放花名册"))


@transaction.atomic
def roll_compute(*, actor, county_code: str, month: date) -> PaymentRoll:
    """The county's draft roll for `month`, created or computed again from the grants as they are
    now (one statement for the lines; the roll's count and total copied). A locked roll is refused.
    `actor` None: the scheduled task."""
    county = Region.objects.filter(code=county_code, level=RegionLevel.COUNTY).first()
    if county is None:
        raise AssistanceError(_("请选择一个县（市、区）"))
    _require_roll_manager(actor, county_code)
    month = month.replace(day=1)
    now = clock.now()
    roll, _created = PaymentRoll.objects.get_or_create(
        county=county, month=month, defaults={"computed_at": now, "computed_by": actor}
    )
    roll = PaymentRoll.objects.select_for_update().get(pk=roll.pk)
    if roll.status == RollStatus.LOCKED:
        raise AssistanceError(
            _("%(month)s 的花名册已锁定，不能重新生成；更正请在以后月份的花名册中补发")
            % {"month": month.strftime("%Y-%m")}
        )
    params = {
        "roll": roll.pk,
        "county": county_code,
        "prefix": f"{county_code}%",
        "month": month,
        "previous": previous_month(month),
    }
    with connection.cursor() as cursor:
        for statement in RELEASE_SQL:
            cursor.execute(statement, params)
        cursor.execute(COMPUTE_SQL, params)
        count, total, _reissued, _paid = cursor.fetchone()
    roll.line_count, roll.total = count, Decimal(total)
    roll.computed_at, roll.computed_by = now, actor
    roll.lock_version += 1
    roll.save(update_fields=["line_count", "total", "computed_at", "computed_by", "lock_version"])
    return roll


@transaction.atomic
def roll_lock(*, actor, roll_id: int, lock_version: int) -> PaymentRoll:
    """Lock a draft roll (from then on its lines never change): a county or city supervisor of its
    county, on the version they looked at, once every line has an account."""
    roll = PaymentRoll.objects.select_for_update().select_related("county").get(pk=roll_id)
    _require_roll_manager(actor, roll.county_id)
    if roll.status == RollStatus.LOCKED:
        raise AssistanceError(_("花名册已锁定"))
    if roll.lock_version != lock_version:
        raise AssistanceError(_("花名册在您打开后已重新生成，请核对后再锁定"))
    missing = roll.lines.filter(account_no="").count()
    if missing:
        raise AssistanceError(_("%(n)s 条明细缺少发放账户，请先登记") % {"n": missing})
    roll.status, roll.locked_at, roll.locked_by = RollStatus.LOCKED, clock.now(), actor
    roll.save(update_fields=["status", "locked_at", "locked_by"])
    return roll


@transaction.atomic
def account_set(*, actor, person, kind: str, bank_name: str, account_no: str) -> PaymentAccount:
    """The account `person` is paid into (created or replaced; who and when kept). Lines already in
    a roll keep the account they copied."""
    if not actor.has_perm("assistance.change_paymentaccount") or not region_in_scope(
        actor, person.household.region_id
    ):
        raise AssistanceError(_("只有本辖区的经办人和督导可以登记发放账户"))
    if kind not in AccountKind.values:
        raise AssistanceError(_("账户类型应为银行账户或社会保障卡"))
    account_no = re.sub(r"[\s-]", "", account_no or "")
    if not ACCOUNT_DIGITS.match(account_no):
        raise AssistanceError(_("账号应为 8 至 32 位数字（可含空格，不含字母）"))
    bank_name = (bank_name or "").strip()
    if not bank_name:
        raise AssistanceError(_("请填写开户银行"))
    account, _created = PaymentAccount.objects.update_or_create(
        person=person,
        defaults={"kind": kind, "bank_name": bank_name, "account_no": account_no, "updated_by": actor},
    )
    return account


@transaction.atomic
def adjustment_add(*, actor, grant_id: int, amount: Decimal, reason: str) -> PaymentAdjustment:
    """An amount owed on a grant outside its monthly amount; the next roll computed pays it."""
    grant = Grant.objects.select_related("region").get(pk=grant_id)
    if not actor.has_perm("assistance.add_paymentadjustment") or not region_in_scope(actor, grant.region_id):
        raise AssistanceError(_("只有本辖区的督导可以登记补发更正"))
    if amount is None or amount <= 0:
        raise AssistanceError(_("补发金额应大于 0 元"))
    reason = (reason or "").strip()
    if not reason:
        raise AssistanceError(_("请填写补发原因"))
    return PaymentAdjustment.objects.create(grant=grant, amount=amount, reason=reason, created_by=actor)
