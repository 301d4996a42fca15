"""The alert inbox: alerts of the user's scope, filtered, sorted per tab, keyset-paginated.

Every query starts from `scope_queryset`, so a filter can only narrow the user's region, never
widen it. Counts per status stop at `COUNT_CAP` + 1 rows, so a county or city inbox never counts a
million-row table.
"""

from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from alerts.models import OPEN_STATUSES, Alert, AlertStatus
from households import clock, id_search
from households.id_search import IdQuery
from households.models import Person
from households.pagination import capped_label
from households.scoping import scope_queryset

PAGE_SIZE = 50
COUNT_CAP = 1000
MAX_NAME_MATCHES = 1000

STATUS_OPEN = "open"  # the default: everything not closed
DUE_SOON_DAYS = 3  # "due soon": open, the deadline today or within this many days
STATUS_ALL = "all"


@dataclass(frozen=True)
class InboxFilters:
    """What the user asked for; every field optional. `region` must already be checked in scope."""

    status: str = STATUS_OPEN
    rule: str = ""
    overdue: bool = False
    due_soon: bool = False
    region: str = ""
    raised_from: date | None = None
    raised_to: date | None = None
    assignee: int | None = None
    unassigned: bool = False
    mine: bool = False
    query: str = ""
    search: IdQuery | None = None  # the query as the view read and counted it (id_search.search_for)


@dataclass(frozen=True)
class Order:
    """How a tab lists alerts: by one column, then id, both in the same direction (so a keyset
    cursor is one row comparison). Each order has a covering index (see `Alert.Meta.indexes`)."""

    field: str
    descending: bool

    def order_by(self) -> tuple[str, str]:
        return (f"-{self.field}", "-id") if self.descending else (self.field, "id")

    def accepts(self, cursor: "Cursor") -> bool:
        """A cursor of this order's column type (one from another tab starts at the first page)."""
        if self.field == "closed_at":
            return isinstance(cursor.key, datetime) and cursor.key.tzinfo is not None
        return not isinstance(cursor.key, datetime)

    def after(self, qs: QuerySet, cursor: "Cursor") -> QuerySet:
        """The rows past `cursor`, written as a range on the column so the index starts there."""
        key, pk = cursor.key, cursor.id
        if self.descending:
            return qs.filter(**{f"{self.field}__lte": key}).exclude(Q(**{self.field: key}) & Q(id__gte=pk))
        return qs.filter(**{f"{self.field}__gte": key}).exclude(Q(**{self.field: key}) & Q(id__lte=pk))


# Open work: the most urgent first. Everything: the newest alerts first (as any inbox lists
# mail). Closed: the most recently closed first (what someone just closed is on top).
BY_DEADLINE = Order("deadline", descending=False)
BY_RAISED = Order("raised_on", descending=True)
BY_CLOSED = Order("closed_at", descending=True)


def order_for(status: str) -> Order:
    if status == STATUS_ALL:
        return BY_RAISED
    if status == AlertStatus.CLOSED:
        return BY_CLOSED
    return BY_DEADLINE


@dataclass(frozen=True)
class Cursor:
    """Keyset position: the sort key (a date, or the closing instant) and id of the last row shown."""

    key: date | datetime
    id: int

    def encode(self) -> str:
        return f"{self.key.isoformat()}_{self.id}"

    @classmethod
    def decode(cls, raw: str) -> "Cursor | None":
        try:
            key, _sep, pk = raw.rpartition("_")
            parse = datetime.fromisoformat if "T" in key else date.fromisoformat
            return cls(parse(key), int(pk))
        except ValueError:
            return None


@dataclass
class InboxPage:
    alerts: list[Alert]
    next_cursor: Cursor | None
    order: Order = BY_DEADLINE
    counts: dict[str, str] = field(default_factory=dict)  # status → "12" or "1,000+"
    search_note: str = ""


def _search(qs: QuerySet, search: IdQuery, user) -> tuple[QuerySet, str]:
    """A name prefix, a full resident ID, or a name with the ID's last four characters; never an
    ID prefix or fragment (`households.id_search`).

    A name prefix is resolved to the matching people of the user's region first (at most
    `MAX_NAME_MATCHES`), so a common surname cannot turn the inbox into a scan of every alert.
    """
    if search.kind == id_search.REFUSED:
        return qs.none(), search.message
    if search.kind != id_search.NAME:
        return qs.filter(search.person_filter("person__")), ""
    if not search.name:
        return qs, ""
    people = scope_queryset(Person.objects.all(), user, "household__region__code")
    return _alerts_of_first_people(
        qs,
        people.filter(search.person_filter()),
        too_many=_(
            "姓名以“%(value)s”开头的人员超过%(n)s人，只显示其中部分人员的预警；请输入更完整的姓名或身份证号"
        )
        % {"value": search.name, "n": f"{MAX_NAME_MATCHES:,}"},
    )


def _alerts_of_first_people(qs: QuerySet, people: QuerySet, *, too_many: str) -> tuple[QuerySet, str]:
    """Alerts of the first `MAX_NAME_MATCHES` of `people`, and `too_many` as the note when there
    were more."""
    ids = list(people.values_list("id", flat=True)[: MAX_NAME_MATCHES + 1])
    return qs.filter(person_id__in=ids[:MAX_NAME_MATCHES]), too_many if len(ids) > MAX_NAME_MATCHES else ""


def inbox_queryset(*, user, filters: InboxFilters) -> tuple[QuerySet[Alert], str]:
    """The filtered alerts of the user's scope (unordered, not paginated) and a search note."""
    qs = scope_queryset(Alert.objects.all(), user)
    if filters.status == STATUS_OPEN:
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif filters.status in AlertStatus.values:
        qs = qs.filter(status=filters.status)
    if filters.overdue:
        qs = qs.filter(status__in=OPEN_STATUSES, deadline__lt=clock.today())
    if filters.due_soon:
        today = clock.today()
        qs = qs.filter(
            status__in=OPEN_STATUSES, deadline__gte=today, deadline__lte=today + timedelta(days=DUE_SOON_DAYS)
        )
    if filters.rule:
        qs = qs.filter(rule=filters.rule)
    if filters.region:
        qs = qs.filter(region__code__startswith=filters.region)
    if filters.raised_from:
        # deadline >= raised_on is a constraint (alert_deadline_not_before_raised): saying it lets
        # the deadline-ordered index start at the first possible deadline.
        qs = qs.filter(raised_on__gte=filters.raised_from, deadline__gte=filters.raised_from)
    if filters.raised_to:
        qs = qs.filter(raised_on__lte=filters.raised_to)
    if filters.mine:
        qs = qs.filter(assignee=user)
    elif filters.unassigned:
        qs = qs.filter(assignee__isnull=True)
    elif filters.assignee:
        qs = qs.filter(assignee_id=filters.assignee)
    note = ""
    if filters.query:
        qs, note = _search(qs, filters.search or id_search.parse_query(filters.query), user)
    return qs, note


def _capped(n: int) -> str:
    return capped_label(n, COUNT_CAP)


def status_counts(qs: QuerySet[Alert]) -> dict[str, str]:
    """Alerts per status for the current filters (ignoring the status filter), each count stopping
    at COUNT_CAP + 1 rows. One round trip: the four capped counts are glued with UNION ALL."""
    parts, params = [], []
    for status in AlertStatus.values:
        capped = qs.filter(status=status).order_by().values_list("id")[: COUNT_CAP + 1]
        try:
            sql, sub_params = capped.query.sql_with_params()
        except EmptyResultSet:  # e.g. a search that cannot match anything
            continue
        parts.append(f"SELECT %s, count(*) FROM ({sql}) AS capped")
        params += [status, *sub_params]
    if not parts:
        return {status: _capped(0) for status in [*AlertStatus.values, STATUS_OPEN]}
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        counts = dict(cursor.fetchall())
    result = {status: _capped(counts.get(status, 0)) for status in AlertStatus.values}
    result[STATUS_OPEN] = _capped(
        sum(counts.get(status, 0) for status in OPEN_STATUSES)
    )  # over the cap if any part is
    return result


def inbox_page(
    *, user, filters: InboxFilters, after: Cursor | None = None, size: int | None = None
) -> InboxPage:
    """One page of the inbox in its tab's order (`order_for`), and the capped counts per status."""
    size = size or PAGE_SIZE  # looked up now, not when the module loaded (tests shrink pages)
    qs, note = inbox_queryset(user=user, filters=filters)
    order = order_for(filters.status)
    rows = qs
    if after is not None and order.accepts(after):
        rows = order.after(rows, after)
    # Deferred join: pick the page's ids first (an index-only scan of the order's covering index,
    # which includes every filter column), then fetch just those rows with their relations.
    # Fetching whole rows while scanning made a county's page 10x slower.
    ids = list(rows.order_by(*order.order_by()).values_list("id", flat=True)[: size + 1])
    by_id = Alert.objects.select_related("person", "region", "assignee").in_bulk(ids)
    rows = [by_id[pk] for pk in ids if pk in by_id]
    next_cursor = None
    if len(rows) > size:
        rows = rows[:size]
        next_cursor = Cursor(getattr(rows[-1], order.field), rows[-1].id)
    counts_qs, _note = inbox_queryset(user=user, filters=_without_status(filters))
    return InboxPage(
        alerts=rows, next_cursor=next_cursor, order=order, counts=status_counts(counts_qs), search_note=note
    )


def _without_status(filters: InboxFilters) -> InboxFilters:
    return replace(filters, status=STATUS_ALL)
