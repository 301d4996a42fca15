"""Reads for reviews and grants (复核, 退出): scoped to the user's region like every list."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Q

from assistance.models import Grant, GrantExit, GrantStatus, PaymentLine, Review, ReviewStatus
from households import clock
from households.scoping import get_in_scope_or_404, scope_queryset

PAGE_SIZE = 50
LINES_SHOWN = 24


@dataclass
class ReviewPage:
    rows: list
    next_after: str  # "YYYY-MM-DD_id" of the last row when there is a next page, else ""


def _after(after: str) -> tuple[date, int] | None:
    try:
        day, pk = after.split("_")
        return date.fromisoformat(day), int(pk)
    except ValueError:
        return None


def review_page(
    *, user, mine: bool = False, reason: str = "", done: bool = False, after: str = ""
) -> ReviewPage:
    """Reviews of the user's scope by due date (keyset on due date and id): open ones of active
    grants (an ended grant's open review needs no work), or the done ones; each row knows how
    many days it is overdue."""
    qs = scope_queryset(Review.objects.all(), user, region_path="region__code")
    if done:
        qs = qs.filter(status=ReviewStatus.DONE)
    else:
        qs = qs.filter(status=ReviewStatus.OPEN, grant__status=GrantStatus.ACTIVE)
    if mine:
        qs = qs.filter(assigned_to=user)
    if reason:
        qs = qs.filter(reason=reason)
    key = _after(after)
    if key:
        qs = qs.filter(Q(due_on__gt=key[0]) | Q(due_on=key[0], id__gt=key[1]))
    rows = list(
        qs.select_related("household", "region", "assigned_to", "grant__program", "grant__person").order_by(
            "due_on", "id"
        )[: PAGE_SIZE + 1]
    )
    today = clock.today()
    for review in rows:
        review.overdue_days = (
            max((today - review.due_on).days, 0) if review.status == ReviewStatus.OPEN else 0
        )
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    return ReviewPage(rows=rows, next_after=f"{rows[-1].due_on.isoformat()}_{rows[-1].pk}" if more else "")


def review_get(*, user, pk: int) -> Review:
    qs = Review.objects.select_related("grant__program", "household", "region", "assigned_to", "done_by")
    return get_in_scope_or_404(qs, user, region_path="region__code", pk=pk)


def grant_get(*, user, pk: int) -> Grant:
    qs = Grant.objects.select_related("program", "household", "person", "region", "approved_by")
    return get_in_scope_or_404(qs, user, region_path="region__code", pk=pk)


def grant_context(grant: Grant) -> dict:
    """What a grant's page (and a review's) shows: members, amounts, reviews, exit, latest lines."""
    return {
        "grant": grant,
        "members": [m.person for m in grant.members.select_related("person").order_by("id")],
        "amounts": list(grant.amounts.select_related("changed_by").order_by("-from_month", "-id")),
        "reviews": list(grant.reviews.select_related("done_by", "assigned_to").order_by("-due_on", "-id")),
        "exit": GrantExit.objects.filter(grant=grant).select_related("decided_by").first(),
        "lines": list(
            PaymentLine.objects.filter(grant=grant)
            .select_related("roll")
            .order_by("-roll__month", "-id")[:LINES_SHOWN]
        ),
    }
