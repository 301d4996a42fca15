"""Reads about what came back from the bank: a return file's accounting, the failed or returned
payments still to be paid again, a household's payments, the dashboard's failure figure.

Everything is scoped by the user's region: a roll by its county, a line by its region."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import Left
from django.http import Http404
from django.shortcuts import get_object_or_404

from assistance.models import LineStatus, PaymentAccount, PaymentLine, PaymentReturnResult, PaymentRoll
from households.models import Household, Region
from households.scoping import get_in_scope_or_404, region_in_scope, scope_queryset, user_prefix

FAILED_STATUSES = (LineStatus.FAILED, LineStatus.RETURNED)
FAILURES_SHOWN = 200  # the failures page lists at most this many, newest first
HOUSEHOLD_ROLLS = 12  # the household page shows the lines of the last twelve rolls


def roll_get(*, user, pk: int) -> PaymentRoll:
    """A roll of the user's region (its county inside the scope, or a city-wide user); else 404."""
    return get_in_scope_or_404(PaymentRoll.objects.select_related("county"), user, "county__code", pk=pk)


def return_result_get(*, user, batch_pk: int) -> PaymentReturnResult:
    """A return file's result: of a roll of the user's region; one uploaded without a roll (the
    data admin's upload page) touches any county, so only city-wide users see it."""
    result = get_object_or_404(
        PaymentReturnResult.objects.select_related("batch", "roll", "roll__county", "uploaded_by"),
        batch_id=batch_pk,
    )
    county = result.roll.county_id if result.roll_id else ""
    if user_prefix(user) != "" and not region_in_scope(user, county or None):
        raise Http404
    return result


def open_failures(*, user, region: str = "") -> QuerySet[PaymentLine]:
    """Failed or returned lines not yet paid again, in the user's region (and under `region`,
    a county or town code, when given), newest first."""
    qs = scope_queryset(PaymentLine.objects.awaiting_payment_again(), user, "region__code")
    if region:
        qs = qs.filter(region__code__startswith=region)
    return qs.select_related(
        "roll", "household", "recipient", "region", "grant__program", "reissued_in__roll"
    ).order_by("-id")


def filter_regions(*, user, county: str = "") -> tuple[list[Region], list[Region]]:
    """The counties and (for a chosen or the user's own county) towns a user may filter by."""
    prefix = user_prefix(user) or ""
    counties = list(
        Region.objects.filter(level="county", code__startswith=prefix[:6]).order_by("code")
        if len(prefix) <= 6
        else Region.objects.filter(code=prefix[:6])
    )
    parent = county or (prefix[:6] if len(prefix) >= 6 else "")
    towns = []
    if parent:
        towns = list(
            Region.objects.filter(level="town", parent_id=parent, code__startswith=prefix[:9]).order_by(
                "code"
            )
        )
    return counties, towns


@dataclass
class GrantPayments:
    grant: object
    lines: list = field(default_factory=list)


@dataclass
class HouseholdPayments:
    accounts: list  # (person, account or None) for each recipient of the household's grants
    grants: list[GrantPayments]


def household_payments(*, household: Household) -> HouseholdPayments:
    """The household's recipients with their accounts, and each grant's lines in the last twelve
    rolls that paid the household (the caller fetched the household in the user's scope)."""
    lines = PaymentLine.objects.filter(household=household)
    months = list(
        lines.order_by("-roll__month").values_list("roll__month", flat=True).distinct()[:HOUSEHOLD_ROLLS]
    )
    recent = list(
        lines.filter(roll__month__in=months)
        .select_related("roll", "grant__program", "recipient")
        .order_by("grant_id", "-roll__month")
    )
    by_grant: dict[int, GrantPayments] = {}
    for grant in household.grants.select_related("program", "person", "application__applicant").order_by(
        "-id"
    ):
        by_grant[grant.pk] = GrantPayments(grant=grant)
    for line in recent:
        by_grant.setdefault(line.grant_id, GrantPayments(grant=line.grant)).lines.append(line)
    recipients = {line.recipient for line in recent}
    # the person the roll pays (roll_compute): the grant's person, else the application's applicant
    recipients |= {g.grant.person or g.grant.application.applicant for g in by_grant.values()}
    accounts_by_person = {
        a.person_id: a for a in PaymentAccount.objects.filter(person__in=[p.pk for p in recipients])
    }
    accounts = [(p, accounts_by_person.get(p.pk)) for p in sorted(recipients, key=lambda p: p.pk)]
    return HouseholdPayments(accounts=accounts, grants=list(by_grant.values()))


@dataclass
class FailureFigure:
    count: int = 0
    amount: Decimal = Decimal(0)


def failure_figures(*, user, prefix: str, child_length: int) -> dict[str, FailureFigure]:
    """Failed or returned lines not yet paid again under `prefix` (inside the user's scope), by the
    child region (`child_length` characters of the line's region code); "" holds the total."""
    qs = scope_queryset(PaymentLine.objects.awaiting_payment_again(), user, "region__code").filter(
        region__code__startswith=prefix
    )
    figures: dict[str, FailureFigure] = {"": FailureFigure()}
    grouped = (
        qs.annotate(child=Left("region_id", child_length))
        .values("child")
        .annotate(n=Count("id"), amount=Sum("total"))
        .order_by()
    )
    for g in grouped:
        figures[g["child"]] = FailureFigure(g["n"], g["amount"] or Decimal(0))
        figures[""].count += g["n"]
        figures[""].amount += g["amount"] or Decimal(0)
    return figures
