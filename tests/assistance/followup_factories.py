"""Paid lines and visits for the follow-up tests: a roll and its line written directly (the roll
computation is tested elsewhere), and a follow-up made from them by the service."""

from datetime import date, timedelta

from alerts.models import HomeVisit
from assistance.models import FollowUp, Grant, PaymentLine, PaymentRoll
from households import clock
from households.models import Relation
from tests.alerts.triage_factories import alert_in, visit_for
from tests.assistance.grant_factories import grant_for


def line_for(grant: Grant, *, status: str = "paid", result_on: date | None = None) -> PaymentLine:
    """The grant's line in its county's roll of its start month, with the bank's result."""
    roll, _created = PaymentRoll.objects.get_or_create(
        county_id=grant.region_id[:6], month=grant.start_month, defaults={"computed_at": clock.now()}
    )
    recipient = grant.person or grant.household.members.get(relation=Relation.HEAD)
    return PaymentLine.objects.create(
        roll=roll,
        grant=grant,
        household=grant.household,
        recipient=recipient,
        region_id=grant.region_id,
        covers_from=grant.start_month,
        covers_to=grant.start_month,
        regular=grant.amount,
        total=grant.amount,
        status=status,
        result_on=None if status == "pending" else (result_on or clock.today() - timedelta(days=5)),
    )


def paid_one_off(
    actor, household=None, *, amount: str = "1500.00", result_on: date | None = None
) -> PaymentLine:
    """A 临时救助（支出型） grant of this month and its paid line."""
    grant = grant_for(
        actor,
        household,
        program_code="temp_expenditure",
        amount=amount,
        start_month=clock.today().replace(day=1),
    )
    return line_for(grant, result_on=result_on)


def visit_with_follow_up(region_code: str, actor, follow_up_on: date) -> HomeVisit:
    """A home visit for an alert in `region_code` that set a follow-up date."""
    alert = alert_in(region_code, assignee=actor, status="verifying")
    return visit_for(alert, actor, follow_up_on=follow_up_on)


def open_followup(region_code: str, actor, *, due_on: date | None = None) -> FollowUp:
    """An open follow-up of a visit in `region_code` (due `due_on`, by default in a week)."""
    from assistance.services.followups import followups_generate

    visit = visit_with_follow_up(region_code, actor, due_on or clock.today() + timedelta(days=7))
    followups_generate(today=clock.today())
    return FollowUp.objects.get(visit=visit)
