"""Reads of the supervisor dashboard, always scoped to the requesting user's region.

A dashboard is about one region node (the user's scope, or a region inside it reached by
drilling down). What changes during the day is read live from small partial indexes (open and
overdue alerts, caseload); figures over the alert history come from the nightly summaries
(`alerts.services.dashboard.refresh_dashboard_summaries`). No query counts a big table unbounded.
"""

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.conf import settings
from django.db.models import Count, Q
from django.db.models.functions import Left
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from alerts.models import (
    OPEN_STATUSES,
    Alert,
    AlertStatus,
    DashboardMeasure,
    DashboardRefresh,
    DashboardSummary,
    Outcome,
    RuleCode,
)
from alerts.services.dashboard import window_start
from households.models import Region, RegionLevel, Role, User
from households.scoping import region_in_scope, scope_queryset, user_prefix
from imports.models import BatchStatus, FeedCategory, ImportBatch
from monitoring.models import MonitoringCategory

# Code length of a node's children: a city shows counties, a county towns, a town villages.
CHILD_LENGTH = {RegionLevel.CITY: 6, RegionLevel.COUNTY: 9, RegionLevel.TOWN: 12, RegionLevel.VILLAGE: 12}
# Headline outcome groups (DOMAIN.md: how many alerts led to 低保, 特困, 临时救助, referrals …).
OUTCOME_GROUPS = [
    (gettext_lazy("纳入低保"), [Outcome.ENROL_DIBAO]),
    (gettext_lazy("纳入特困"), [Outcome.ENROL_TEKUN]),
    (gettext_lazy("临时救助"), [Outcome.TEMPORARY_ASSISTANCE]),
    (
        gettext_lazy("转介其他部门"),
        [Outcome.REFER_MEDICAL, Outcome.REFER_DISABILITY, Outcome.REFER_EMPLOYMENT],
    ),
    (gettext_lazy("不符合条件"), [Outcome.NOT_ELIGIBLE]),
]
# Feed health: every v1 category is sent monthly; one missing after the 10th is late, and one
# under half the median of the previous batches (at least 3 of them) is suspiciously small. The
# bank's return files follow the payment rolls, not the departments' calendar.
MONTHLY_FEEDS = [c for c in FeedCategory if c != FeedCategory.PAYMENT_RETURN]
FEED_DUE_DAY = 10
FEED_SMALL_SHARE = 0.5
FEED_HISTORY = 12
FEED_MIN_HISTORY = 3


def can_view_dashboard(user) -> bool:
    """Roles the dashboard is for (supervisors, data admins), with a scope; caseworkers never."""
    return user_prefix(user) is not None and user.has_perm("alerts.view_dashboardsummary")


@dataclass
class Node:
    """The region a dashboard is about, its children (for charts and drill-down) and the trail of
    regions from the user's scope down to it."""

    region: Region
    children: list[Region]
    trail: list[Region]

    @property
    def prefix(self) -> str:
        return self.region.prefix

    @property
    def child_length(self) -> int:
        return CHILD_LENGTH[self.region.level]


def dashboard_node(*, user, code: str | None = None) -> Node:
    """The user's own region, or `code` when it lies inside the user's scope (otherwise 404)."""
    if code is None:
        region = user.scope or Region.objects.get(code=settings.CITY_REGION_CODE)
    else:
        region = Region.objects.filter(code=code).select_related("parent").first()
        if region is None or not region_in_scope(user, region.prefix):
            raise Http404
    trail = [region]
    while trail[0].parent_id and region_in_scope(user, trail[0].parent_id):
        trail.insert(0, trail[0].parent)
    children = [] if region.level == RegionLevel.VILLAGE else list(region.children.order_by("code"))
    return Node(region=region, children=children, trail=trail)


def _alerts_in(user, node: Node, queryset):
    """Alerts inside both the user's scope and the node (the node is always inside the scope)."""
    return scope_queryset(queryset, user).filter(region__code__startswith=node.prefix)


@dataclass
class RegionRow:
    code: str
    name: str
    drillable: bool
    by_status: dict = field(default_factory=lambda: dict.fromkeys(OPEN_STATUSES, 0))
    overdue: int = 0

    @property
    def open(self) -> int:
        return sum(self.by_status.values())


def backlog_by_region(*, user, node: Node, today: date) -> list[RegionRow]:
    """Open alerts per child region and status, with the overdue ones (deadline before today).

    Alerts whose region code stops above the children's level (a household registered at county
    level, seen from the county) form one extra row that cannot be drilled into.
    """
    rows = {c.code: RegionRow(code=c.code, name=c.name, drillable=True) for c in node.children}
    if node.region.level == RegionLevel.VILLAGE:
        rows[node.region.code] = RegionRow(code=node.region.code, name=node.region.name, drillable=False)
    open_alerts = _alerts_in(user, node, Alert.objects.filter(status__in=OPEN_STATUSES))
    grouped = (
        open_alerts.annotate(child=Left("region_id", node.child_length))
        .values("child", "status")
        .annotate(n=Count("*"), overdue=Count("deadline", filter=Q(deadline__lt=today)))
        .order_by()
    )
    for g in grouped:
        row = rows.get(g["child"])
        if row is None:
            row = rows[g["child"]] = RegionRow(
                code=g["child"],
                name=_("%(name)s（未细分到下级区划）") % {"name": node.region.name},
                drillable=False,
            )
        row.by_status[g["status"]] += g["n"]
        row.overdue += g["overdue"]
    return sorted(rows.values(), key=lambda r: (not r.drillable, r.code))


@dataclass
class CaseloadRow:
    name: str = ""
    open: int = 0
    overdue: int = 0
    closed_this_month: int = 0


def caseload(*, user, node: Node, today: date) -> list[CaseloadRow]:
    """Per caseworker: open and overdue alerts of the node, and alerts closed this month.

    Lists every active caseworker whose scope lies in the node (idle ones too) and anyone else
    holding alerts of the node; open alerts nobody holds yet form a row of their own at the end.
    """
    month_start = timezone.make_aware(datetime.combine(today.replace(day=1), time.min))
    rows: dict[int | None, CaseloadRow] = defaultdict(CaseloadRow)
    open_alerts = _alerts_in(user, node, Alert.objects.filter(status__in=OPEN_STATUSES))
    for g in (
        open_alerts.values("assignee_id")
        .annotate(n=Count("*"), overdue=Count("deadline", filter=Q(deadline__lt=today)))
        .order_by()
    ):
        rows[g["assignee_id"]].open += g["n"]
        rows[g["assignee_id"]].overdue += g["overdue"]
    closed = _alerts_in(
        user, node, Alert.objects.filter(status=AlertStatus.CLOSED, closed_at__gte=month_start)
    )
    for g in closed.values("assignee_id").annotate(n=Count("*")).order_by():
        rows[g["assignee_id"]].closed_this_month += g["n"]
    people = User.objects.filter(
        Q(id__in=[k for k in rows if k is not None])
        | Q(role=Role.CASEWORKER, is_active=True, scope__code__startswith=node.prefix)
    ).only("username", "first_name", "last_name")
    result = []
    for person in people:
        row = rows[person.id]
        row.name = person.get_full_name() or person.username
        result.append(row)
    result.sort(key=lambda r: (-r.overdue, -r.open, r.name))
    unassigned = rows.get(None)
    if unassigned and unassigned.open:
        unassigned.name = _("（待分派，尚无经办人）")
        result.append(unassigned)
    return result


@dataclass
class Summary:
    """The nightly figures of one node. `months` are the chart's twelve months."""

    as_of: date
    months: list[date]
    monitored: dict[str, int]
    raised: dict[str, dict[date, int]]
    people: dict[str, int]  # distinct persons alerted in the window, per rule; "" = over all rules
    outcomes: dict[str, dict[str, int]]
    days_to_verify: dict[str, tuple[int, float | None]]
    days_to_close: dict[str, tuple[int, float | None]]

    def raised_in(self, rule: str, since: date) -> int:
        return sum(n for month, n in self.raised.get(rule, {}).items() if month >= since)

    @property
    def this_month(self) -> date:
        return self.as_of.replace(day=1)

    @property
    def this_year(self) -> date:
        return self.as_of.replace(month=1, day=1)


def summary(*, user, node: Node) -> Summary | None:
    """The node's figures from the newest nightly refresh; None before the first refresh."""
    refresh = DashboardRefresh.objects.order_by("-id").first()
    if refresh is None or user_prefix(user) is None or not node.prefix.startswith(user_prefix(user)):
        return None
    start = window_start(refresh.as_of)
    months = [
        date(start.year + (start.month - 1 + i) // 12, (start.month - 1 + i) % 12 + 1, 1) for i in range(12)
    ]
    figures = Summary(
        as_of=refresh.as_of,
        months=months,
        monitored=dict.fromkeys(MonitoringCategory.values, 0),
        raised={rule: dict.fromkeys(months, 0) for rule in RuleCode.values},
        people=dict.fromkeys(["", *RuleCode.values], 0),
        outcomes={rule: dict.fromkeys(Outcome.values, 0) for rule in RuleCode.values},
        days_to_verify={},
        days_to_close={},
    )
    for row in DashboardSummary.objects.filter(node=node.prefix):
        if row.measure == DashboardMeasure.MONITORED:
            figures.monitored[row.key] = row.count
        elif row.measure == DashboardMeasure.RAISED:
            figures.raised.setdefault(row.rule, {})[row.month] = row.count
        elif row.measure == DashboardMeasure.PEOPLE:
            figures.people[row.rule] = row.count
        elif row.measure == DashboardMeasure.CLOSED:
            figures.outcomes.setdefault(row.rule, {})[row.key] = row.count
        elif row.measure == DashboardMeasure.DAYS_TO_VERIFY:
            figures.days_to_verify[row.rule] = (row.count, row.median_days)
        elif row.measure == DashboardMeasure.DAYS_TO_CLOSE:
            figures.days_to_close[row.rule] = (row.count, row.median_days)
    return figures


@dataclass
class FeedRow:
    category: str
    label: str
    last_date: date | None = None
    rows: int = 0
    rejected: int = 0
    name_mismatch: int = 0
    warnings: list[str] = field(default_factory=list)

    @property
    def rejected_share(self) -> float | None:
        return self.rejected / self.rows if self.rows else None

    @property
    def rejected_percent(self) -> float | None:
        return None if self.rejected_share is None else 100 * self.rejected_share


# An upload that ended in one of these loaded nothing: the category's data is older than it looks.
FEED_PROBLEMS = {
    BatchStatus.REJECTED: gettext_lazy("最近一次上传被拒绝（%(day)s）"),
    BatchStatus.FAILED: gettext_lazy("最近一次上传导入失败（%(day)s）"),
}


def _last_upload_problem(category: str, last_good: date | None) -> str | None:
    """A warning when the category's newest finished upload was refused or failed."""
    newest = (
        ImportBatch.objects.filter(category=category)
        .exclude(status__in=(BatchStatus.PENDING, BatchStatus.RUNNING))
        .order_by("-created_at")
        .values("created_at", "status")
        .first()
    )
    if newest is None or newest["status"] not in FEED_PROBLEMS:
        return None
    problem = FEED_PROBLEMS[newest["status"]] % {
        "day": f"{timezone.localdate(newest['created_at']):%Y-%m-%d}"
    }
    if last_good is None:
        return _("%(problem)s，尚无成功导入的数据") % {"problem": problem}
    return _("%(problem)s，现有数据仍是 %(day)s 导入的批次") % {
        "problem": problem,
        "day": f"{last_good:%Y-%m-%d}",
    }


def feed_health(*, user, today: date) -> list[FeedRow]:
    """The newest successful batch of every feed category, with a warning when the newest upload
    was refused or failed (its data is then older than it looks), when a monthly feed is late
    (nothing this month after the 10th) or far smaller than usual. Not personal data, but shown
    only to the dashboard's roles."""
    if not can_view_dashboard(user):
        return []
    result = []
    for category in MONTHLY_FEEDS:
        row = FeedRow(category=category.value, label=category.label)
        batches = list(
            ImportBatch.objects.filter(category=category, status=BatchStatus.SUCCEEDED)
            .order_by("-created_at")
            .values("created_at", "data_rows", "rejected", "name_mismatch")[: FEED_HISTORY + 1]
        )
        last_good = timezone.localdate(batches[0]["created_at"]) if batches else None
        problem = _last_upload_problem(category, last_good)
        if problem:
            row.warnings.append(problem)
        if not batches:
            if not problem:
                row.warnings.append(_("尚未收到任何数据"))
            result.append(row)
            continue
        last = batches[0]
        row.last_date = last_good
        row.rows, row.rejected, row.name_mismatch = last["data_rows"], last["rejected"], last["name_mismatch"]
        if today.day > FEED_DUE_DAY and row.last_date < today.replace(day=1):
            row.warnings.append(_("本月数据截至%(day)s日仍未报送") % {"day": FEED_DUE_DAY})
        previous = [b["data_rows"] for b in batches[1:]]
        if len(previous) >= FEED_MIN_HISTORY:
            usual = statistics.median(previous)
            if row.rows < FEED_SMALL_SHARE * usual:
                row.warnings.append(
                    _("最近一批仅 %(rows)s 行，不足以往批次中位数 %(usual)s 行的一半")
                    % {"rows": f"{row.rows:,}", "usual": f"{usual:,.0f}"}
                )
        result.append(row)
    return result
