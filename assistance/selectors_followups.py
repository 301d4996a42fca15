"""Reads for the follow-up (回访) pages: the follow-ups of the user's scope, open ones by due date
(the `followup_open_region_due` / `followup_open_assignee` partial indexes), done ones latest
first; keyset-paginated, counts capped at `COUNT_CAP` + 1 rows."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Q, QuerySet

from assistance.models import Application, ApplicationStatus, FollowUp, FollowUpStatus
from households import clock
from households.pagination import capped_count
from households.scoping import get_in_scope_or_404, scope_queryset

PAGE_SIZE = 50
COUNT_CAP = 1000


@dataclass(frozen=True)
class FollowUpFilters:
    status: str = FollowUpStatus.OPEN
    mine: bool = False
    overdue: bool = False


@dataclass
class FollowUpPage:
    rows: list[FollowUp]
    next_after: str | None
    count: str


def followup_queryset(*, user, filters: FollowUpFilters, today: date | None = None) -> QuerySet[FollowUp]:
    """The follow-ups of the user's scope with `filters` applied (unordered)."""
    qs = scope_queryset(FollowUp.objects.all(), user)
    status = filters.status if filters.status in FollowUpStatus.values else FollowUpStatus.OPEN
    qs = qs.filter(status=status)
    if filters.mine:
        qs = qs.filter(assigned_to=user)
    if filters.overdue:
        qs = qs.filter(status=FollowUpStatus.OPEN, due_on__lt=today or clock.today())
    return qs


def _decode(after: str) -> tuple[date, int] | None:
    key, _sep, pk = after.rpartition("_")
    try:
        return date.fromisoformat(key), int(pk)
    except ValueError:
        return None


def followup_page(*, user, filters: FollowUpFilters, after: str = "") -> FollowUpPage:
    """One page: open follow-ups by due date (the most urgent first), done ones by the day they
    were due, latest first; each row knows how many days it is overdue."""
    today = clock.today()
    qs = followup_queryset(user=user, filters=filters, today=today)
    rows = qs
    descending = filters.status == FollowUpStatus.DONE
    cursor = _decode(after) if after else None
    if cursor is not None:
        day, pk = cursor
        if descending:
            rows = rows.filter(Q(due_on__lt=day) | Q(due_on=day, id__lt=pk))
        else:
            rows = rows.filter(Q(due_on__gt=day) | Q(due_on=day, id__gt=pk))
    order = ("-due_on", "-id") if descending else ("due_on", "id")
    page = list(
        rows.select_related("household", "person", "region", "assigned_to", "done_by").order_by(*order)[
            : PAGE_SIZE + 1
        ]
    )
    next_after = None
    if len(page) > PAGE_SIZE:
        page = page[:PAGE_SIZE]
        next_after = f"{page[-1].due_on.isoformat()}_{page[-1].id}"
    for followup in page:
        followup.overdue_days = overdue_days(followup, today)
    return FollowUpPage(rows=page, next_after=next_after, count=capped_count(qs, COUNT_CAP))


def overdue_days(followup: FollowUp, today: date) -> int:
    if followup.status != FollowUpStatus.OPEN:
        return 0
    return max((today - followup.due_on).days, 0)


def followup_get(*, user, pk: int) -> FollowUp:
    """One follow-up of the user's scope with what its page shows, or 404 (out of scope looks like
    missing)."""
    followup = get_in_scope_or_404(
        FollowUp.objects.select_related(
            "household",
            "person",
            "region",
            "assigned_to",
            "done_by",
            "new_application__program",
            "payment_line__grant__program",
            "payment_line__roll",
            "visit__alert",
        ),
        user,
        pk=pk,
    )
    followup.overdue_days = overdue_days(followup, clock.today())
    return followup


def open_applications(*, user, followup: FollowUp) -> list[Application]:
    """The household's applications in progress (a new one may already have been made)."""
    qs = scope_queryset(
        Application.objects.filter(household=followup.household_id, status=ApplicationStatus.IN_PROGRESS),
        user,
    )
    return list(qs.select_related("program", "current_step").order_by("-id")[:10])
