"""Payment rolls: what each month pays (regular, back pay, arrears, corrections), stops, locking."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from assistance.errors import AssistanceError
from assistance.models import (
    Application,
    ApplicationStatus,
    GrantAmount,
    LineStatus,
    PaymentAccount,
    PaymentAdjustment,
    PaymentLine,
    Program,
)
from assistance.selectors_rolls import not_included, roll_stops
from assistance.services.grants import grant_create
from assistance.services.rolls import account_set, adjustment_add, roll_compute, roll_lock
from households import clock
from households.models import Relation, Role
from tests.assistance.case_factories import family
from tests.assistance.grant_factories import grant_for
from tests.conftest import OTHER_COUNTY_VILLAGE, TOWN_A, VILLAGE_B, beijing
from tests.factories import UserFactory, region

pytestmark = pytest.mark.django_db

COUNTY = "130921"
JAN, FEB, MAR, APR = date(2027, 1, 1), date(2027, 2, 1), date(2027, 3, 1), date(2027, 4, 1)


def pay_to(actor, grant, number="6217000012345678"):
    person = grant.person or grant.application.applicant
    return account_set(actor=actor, person=person, kind="bank", bank_name="农业银行", account_no=number)


def compute(actor, month):
    return roll_compute(actor=actor, county_code=COUNTY, month=month)


def compute_and_lock(actor, month):
    roll = compute(actor, month)
    return roll_lock(actor=actor, roll_id=roll.pk, lock_version=roll.lock_version)


def line(roll, grant) -> PaymentLine:
    return PaymentLine.objects.get(roll=roll, grant=grant)


def amounts(roll, grant) -> tuple:
    x = line(roll, grant)
    return (x.regular, x.back_pay, x.arrears, x.correction, x.total)


def test_regular_line_per_grant_with_account_and_totals(county_supervisor, caseworker_a):
    a = grant_for(caseworker_a, start_month=MAR, amount="600.00")
    b = grant_for(caseworker_a, family(VILLAGE_B), start_month=MAR, amount="450.50")
    outside = grant_for(caseworker_a, family(OTHER_COUNTY_VILLAGE), start_month=MAR)
    later = grant_for(caseworker_a, start_month=APR)
    pay_to(caseworker_a, a)
    roll = compute(county_supervisor, MAR)
    assert roll.line_count == 2 and roll.total == Decimal("1050.50")
    assert amounts(roll, a) == (Decimal("600.00"), 0, 0, 0, Decimal("600.00"))
    assert line(roll, a).account_no == "6217000012345678" and line(roll, b).account_no == ""
    assert line(roll, a).covers_from == MAR == line(roll, a).covers_to
    assert line(roll, a).recipient == a.application.applicant
    assert not PaymentLine.objects.filter(grant__in=[outside, later]).exists()
    assert sum(x.total for x in roll.lines.all()) == roll.total


def _approve(actor, household, today: date):
    head = household.members.get(relation=Relation.HEAD)
    application = Application.objects.create(
        program=Program.objects.get(code="rural_dibao"),
        household=household,
        applicant=head,
        region_id=household.region_id,
        channel="single_window",
        status=ApplicationStatus.APPROVED,
        accepted_on=today,
        proposed_amount=Decimal("500.00"),
        decided_at=clock.now(),
        created_by=actor,
    )
    return grant_create(application=application, actor=actor, today=today, reason="批准")


@pytest.mark.parametrize(("next_month", "first_roll"), [(True, APR), (False, MAR)])
def test_mid_month_approval_starts_as_configured(settings, county_supervisor, next_month, first_roll):
    settings.GRANT_STARTS_NEXT_MONTH = next_month
    grant = _approve(county_supervisor, family(), date(2027, 3, 15))
    march = compute(county_supervisor, MAR)
    assert march.lines.filter(grant=grant).exists() == (first_roll == MAR)
    april = compute(county_supervisor, APR)
    assert amounts(april, grant)[:2] == (Decimal("500.00"), 0)


def test_back_pay_for_grant_approved_after_its_first_roll_was_locked(county_supervisor, caseworker_a):
    existing = grant_for(caseworker_a, start_month=JAN)
    pay_to(caseworker_a, existing)
    compute_and_lock(county_supervisor, JAN)
    compute_and_lock(county_supervisor, FEB)
    late = grant_for(caseworker_a, start_month=FEB, amount="300.00")  # approved after Feb was locked
    GrantAmount.objects.create(
        grant=late, amount=Decimal("320.00"), from_month=MAR, reason="标准调整", changed_by=caseworker_a
    )
    march = compute(county_supervisor, MAR)
    assert amounts(march, late) == (Decimal("320.00"), Decimal("300.00"), 0, 0, Decimal("620.00"))
    assert (line(march, late).covers_from, line(march, late).covers_to) == (FEB, MAR)
    assert amounts(march, existing)[1] == 0
    # computed again: still once
    march = compute(county_supervisor, MAR)
    assert march.lines.count() == 2 and march.total == Decimal("1220.00")


def test_stop_no_line_and_listed_with_exit_reason(county_supervisor, caseworker_a):
    from assistance.models import GrantExit

    staying = grant_for(caseworker_a, start_month=JAN)
    leaving = grant_for(caseworker_a, start_month=JAN)
    one_off = grant_for(caseworker_a, program_code="temp_expenditure", amount="900.00", start_month=FEB)
    for g in (staying, leaving, one_off):
        pay_to(caseworker_a, g)
    compute_and_lock(county_supervisor, FEB)  # covers January too (back pay)
    leaving.end_month, leaving.status = FEB, "ended"
    leaving.save(update_fields=["end_month", "status"])
    GrantExit.objects.create(
        grant=leaving,
        reason=_exit_reason(),
        effective_on=date(2027, 2, 20),
        decided_by=county_supervisor,
        decided_at=clock.now(),
    )
    march = compute(county_supervisor, MAR)
    assert not march.lines.filter(grant=leaving).exists()
    stops = roll_stops(march)
    # the one-off help paid in February is not a stop: it was paid once, as granted
    assert [s.grant_id for s in stops] == [leaving.pk]
    assert stops[0].exit_reason


def _exit_reason() -> str:
    from assistance.models import ExitReason

    return ExitReason.values[0]


def test_new_amount_from_next_month_leaves_locked_roll_unchanged(county_supervisor, caseworker_a):
    grant = grant_for(caseworker_a, start_month=MAR, amount="600.00")
    pay_to(caseworker_a, grant)
    march = compute_and_lock(county_supervisor, MAR)
    before = list(PaymentLine.objects.filter(roll=march).values())
    GrantAmount.objects.create(
        grant=grant, amount=Decimal("650.00"), from_month=APR, reason="收入变化", changed_by=caseworker_a
    )
    grant.end_month = APR
    grant.save(update_fields=["end_month"])
    pay_to(caseworker_a, grant, number="6228480012345679")
    april = compute(county_supervisor, APR)
    assert amounts(april, grant)[0] == Decimal("650.00")
    assert line(april, grant).account_no == "6228480012345679"
    assert list(PaymentLine.objects.filter(roll=march).values()) == before
    with pytest.raises(AssistanceError, match="已锁定"):
        compute(county_supervisor, MAR)


def test_locked_line_refuses_direct_update(county_supervisor, caseworker_a):
    grant = grant_for(caseworker_a, start_month=MAR)
    pay_to(caseworker_a, grant)
    march = compute_and_lock(county_supervisor, MAR)
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE assistance_paymentline SET regular = 1, total = 1 WHERE roll_id = %s", [march.pk]
        )
    # the bank's result may still be written
    PaymentLine.objects.filter(roll=march).update(status=LineStatus.PAID, result_on=date(2027, 3, 10))


def test_arrears_paid_again_once(county_supervisor, caseworker_a):
    grant = grant_for(caseworker_a, start_month=FEB, amount="600.00")
    pay_to(caseworker_a, grant)
    feb = compute_and_lock(county_supervisor, FEB)
    march = compute(county_supervisor, MAR)  # a draft computed before the bank's answer
    failed = line(feb, grant)
    PaymentLine.objects.filter(pk=failed.pk).update(
        status=LineStatus.FAILED, result_on=date(2027, 2, 12), result_note="账户已销户"
    )
    # the draft says it misses the failure until it is computed again
    assert not_included(march) == 1
    march = compute(county_supervisor, MAR)
    assert not_included(march) == 0
    assert amounts(march, grant) == (Decimal("600.00"), 0, Decimal("600.00"), 0, Decimal("1200.00"))
    failed.refresh_from_db()
    assert failed.reissued_in == line(march, grant)
    march = compute(county_supervisor, MAR)  # computed again: arrears once, pointer moved
    assert amounts(march, grant)[2] == Decimal("600.00") and march.total == Decimal("1200.00")
    failed.refresh_from_db()
    assert failed.reissued_in == line(march, grant)
    compute_and_lock(county_supervisor, MAR)
    assert amounts(compute(county_supervisor, APR), grant)[2] == 0


def test_adjustment_picked_up_once(county_supervisor, caseworker_a):
    grant = grant_for(caseworker_a, start_month=MAR, amount="600.00")
    pay_to(caseworker_a, grant)
    adjustment = adjustment_add(
        actor=county_supervisor, grant_id=grant.pk, amount=Decimal("88.50"), reason="1月少发"
    )
    march = compute(county_supervisor, MAR)
    march = compute(county_supervisor, MAR)
    assert amounts(march, grant) == (Decimal("600.00"), 0, 0, Decimal("88.50"), Decimal("688.50"))
    adjustment.refresh_from_db()
    assert adjustment.paid_in == line(march, grant)
    roll_lock(actor=county_supervisor, roll_id=march.pk, lock_version=march.lock_version)
    assert amounts(compute(county_supervisor, APR), grant)[3] == 0


def test_adjustment_refusals(county_supervisor, caseworker_a):
    grant = grant_for(caseworker_a, start_month=MAR)
    with pytest.raises(AssistanceError, match="大于 0"):
        adjustment_add(actor=county_supervisor, grant_id=grant.pk, amount=Decimal("0"), reason="x")
    with pytest.raises(AssistanceError, match="督导"):
        adjustment_add(actor=caseworker_a, grant_id=grant.pk, amount=Decimal("5"), reason="x")
    assert not PaymentAdjustment.objects.exists()


def test_lock_refusals(county_supervisor, city_supervisor, caseworker_a):
    grant = grant_for(caseworker_a, start_month=MAR)
    roll = compute(county_supervisor, MAR)
    with pytest.raises(AssistanceError, match="1 条明细缺少发放账户，请先登记"):
        roll_lock(actor=county_supervisor, roll_id=roll.pk, lock_version=roll.lock_version)
    pay_to(caseworker_a, grant)
    roll = compute(county_supervisor, MAR)
    town_supervisor = UserFactory(username="town_sup", role=Role.SUPERVISOR, scope=region(TOWN_A))
    for who in (caseworker_a, town_supervisor):
        with pytest.raises(AssistanceError, match="县（市、区）或市级督导"):
            roll_lock(actor=who, roll_id=roll.pk, lock_version=roll.lock_version)
    with pytest.raises(AssistanceError, match="重新生成"):
        roll_lock(actor=city_supervisor, roll_id=roll.pk, lock_version=roll.lock_version - 1)
    roll = roll_lock(actor=city_supervisor, roll_id=roll.pk, lock_version=roll.lock_version)
    assert roll.status == "locked" and roll.locked_by == city_supervisor


def test_account_set_rules(caseworker_a, caseworker_b, pinned_clock):
    grant = grant_for(caseworker_a, start_month=MAR)
    person = grant.application.applicant
    with pytest.raises(AssistanceError, match="8 至 32 位数字"):
        account_set(actor=caseworker_a, person=person, kind="bank", bank_name="农行", account_no="12ab")
    with pytest.raises(AssistanceError, match="本辖区"):
        account_set(actor=caseworker_b, person=person, kind="bank", bank_name="农行", account_no="12345678")
    pinned_clock.move_to(beijing("2027-03-02 09:00"))
    account = account_set(
        actor=caseworker_a, person=person, kind="ss_card", bank_name="农行", account_no="6217 0000 1234"
    )
    assert account.account_no == "621700001234" and account.updated_by == caseworker_a
    assert PaymentAccount.objects.get().updated_at == beijing("2027-03-02 09:00")


def test_demo_payments_locks_past_months_and_drafts_this_one(caseworker_a):
    import io

    from assistance.demo_payments import demo_payments
    from assistance.models import PaymentRoll

    dudao_cx = UserFactory(username="dudao_cx", role=Role.SUPERVISOR, scope=region(COUNTY))
    grant_for(caseworker_a, start_month=JAN)
    grant_for(caseworker_a, family(OTHER_COUNTY_VILLAGE), start_month=FEB)
    UserFactory(username="dudao", role=Role.SUPERVISOR, scope=region("130900"))
    out = io.StringIO()
    demo_payments(stdout=out)
    rolls = {(r.county_id, r.month, r.status, r.line_count) for r in PaymentRoll.objects.all()}
    assert rolls == {
        (COUNTY, JAN, "locked", 1),
        (COUNTY, FEB, "locked", 1),
        (COUNTY, MAR, "draft", 1),
        ("130984", FEB, "locked", 1),
        ("130984", MAR, "draft", 1),
    }
    assert PaymentRoll.objects.get(county_id=COUNTY, month=JAN).locked_by == dudao_cx
    assert PaymentAccount.objects.count() == 2
    demo_payments(stdout=out)  # again: nothing new locked, the draft computed again
    assert PaymentRoll.objects.count() == 5 and PaymentAccount.objects.count() == 2


def test_month_without_roll_is_paid_as_back_pay_next_time(county_supervisor, caseworker_a):
    grant = grant_for(caseworker_a, start_month=JAN, amount="600.00")
    pay_to(caseworker_a, grant)
    compute_and_lock(county_supervisor, JAN)
    march = compute(county_supervisor, MAR)  # no February roll was ever made
    assert amounts(march, grant) == (Decimal("600.00"), Decimal("600.00"), 0, 0, Decimal("1200.00"))
    assert (line(march, grant).covers_from, line(march, grant).covers_to) == (FEB, MAR)
