"""Reads of payment rolls, always scoped to the user: a roll is seen by users whose scope covers its
county or lies inside it (a town's users see only their town's lines); out of scope is 404."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import QuerySet, Sum
from django.http import Http404

from assistance.models import GrantExit, LineStatus, PaymentAdjustment, PaymentLine, PaymentRoll, RollStatus
from assistance.services.grants import previous_month
from assistance.services.rolls import may_manage_rolls
from households.models import Region, RegionLevel
from households.pagination import page_before
from households.scoping import scope_queryset, user_prefix

LINES_PER_PAGE = 50


def roll_list(*, user) -> QuerySet[PaymentRoll]:
    """Rolls of the counties the user's scope touches (a county or town user: their county)."""
    prefix = user_prefix(user)
    if prefix is None:
        return PaymentRoll.objects.none()
    return PaymentRoll.objects.filter(county__code__startswith=prefix[:6]).select_related("county")


def roll_get(*, user, pk: int) -> PaymentRoll:
    try:
        return roll_list(user=user).select_related("locked_by", "computed_by").get(pk=pk)
    except PaymentRoll.DoesNotExist as exc:
        raise Http404 from exc


def managed_counties(*, user) -> list[Region]:
    """The counties whose rolls the user may compute and lock."""
    prefix = user_prefix(user)
    if prefix is None:
        return []
    counties = Region.objects.filter(level=RegionLevel.COUNTY, code__startswith=prefix[:6])
    return [c for c in counties.order_by("code") if may_manage_rolls(user, c.code)]


def roll_lines(*, user, roll: PaymentRoll) -> QuerySet[PaymentLine]:
    return scope_queryset(roll.lines.all(), user, "region__code")


def line_page(*, user, roll: PaymentRoll, status: str = "", town: str = "", before: str = "") -> tuple:
    """One page (keyset by id, 50) of the roll's lines the user may see, filtered by status/town."""
    qs = roll_lines(user=user, roll=roll)
    if status:
        qs = qs.filter(status=status)
    if town:
        qs = qs.filter(region__code__startswith=town)
    qs = qs.select_related("recipient", "household").order_by("-id")
    return page_before(qs, before, LINES_PER_PAGE)


@dataclass
class RollSummary:
    lines: int
    regular: Decimal
    back_pay: Decimal
    arrears: Decimal
    correction: Decimal
    total: Decimal
    without_account: int
    not_included: int = 0  # a draft: failures and corrections that came after it was computed


def not_included(roll: PaymentRoll) -> int:
    """For a draft: the county's failed or returned lines of locked earlier rolls not yet paid again
    and corrections not yet paid, which this draft does not hold (a bank return or a correction
    arrived after it was computed): computing it again takes them in."""
    if roll.status != RollStatus.DRAFT:
        return 0
    failures = PaymentLine.objects.filter(
        roll__county_id=roll.county_id,
        roll__status=RollStatus.LOCKED,
        roll__month__lt=roll.month,
        status__in=[LineStatus.FAILED, LineStatus.RETURNED],
        reissued_in__isnull=True,
    ).count()
    corrections = PaymentAdjustment.objects.filter(
        grant__region__code__startswith=roll.county_id, paid_in__isnull=True
    ).count()
    return failures + corrections


def roll_summary(*, user, roll: PaymentRoll) -> RollSummary:
    qs = roll_lines(user=user, roll=roll)
    sums = qs.aggregate(
        regular=Sum("regular"),
        back_pay=Sum("back_pay"),
        arrears=Sum("arrears"),
        correction=Sum("correction"),
        total=Sum("total"),
    )
    zero = Decimal("0.00")
    return RollSummary(
        lines=qs.count(),
        without_account=qs.filter(account_no="").count(),
        not_included=not_included(roll),
        **{k: v or zero for k, v in sums.items()},
    )


@dataclass
class Stop:
    grant_id: int
    household_id: int
    recipient_name: str
    last_total: Decimal
    exit_reason: str


def roll_stops(roll: PaymentRoll, *, user=None) -> list[Stop]:
    """Monthly grants paid in the county's roll of the previous month that this roll does not pay,
    with the recorded reason of their exit when there is one (a one-off payment ending is no stop)."""
    previous = PaymentRoll.objects.filter(county_id=roll.county_id, month=previous_month(roll.month)).first()
    if previous is None:
        return []
    lines = previous.lines.exclude(grant_id__in=roll.lines.values("grant_id")).exclude(grant__one_off=True)
    if user is not None:
        lines = scope_queryset(lines, user, "region__code")
    lines = list(lines.select_related("recipient").order_by("grant_id"))
    exits = {e.grant_id: e for e in GrantExit.objects.filter(grant_id__in=[x.grant_id for x in lines])}
    return [
        Stop(
            grant_id=x.grant_id,
            household_id=x.household_id,
            recipient_name=x.recipient.name,
            last_total=x.total,
            exit_reason=exits[x.grant_id].get_reason_display() if x.grant_id in exits else "",
        )
        for x in lines
    ]


def default_month(today: date) -> date:
    return today.replace(day=1)
