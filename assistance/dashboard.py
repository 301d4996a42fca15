"""Assistance figures of the supervisor dashboard, read live for one region node.

The node, its drill-down and the twelve-month window are the alerts dashboard's own
(`alerts.selectors.dashboard.dashboard_node`, `alerts.services.dashboard.window_start`), so both
halves of the page always describe the same region and months. Every query is bounded by an
indexed filter: open applications by the partial index on status (`application_open_region_due`),
decided ones by `application_decided_at`, grants by `grant_approved_on`.

Definitions (DOMAIN.md "Assistance"):
- new 低保 / 特困 people: distinct persons covered by a grant approved in the window whose
  programme enrols into that category, who were not already in it before (a move from urban to
  rural 低保 is not a new 低保 person);
- 临时救助 person-times: the people covered by the one-off grants of the 临时救助 programmes
  (codes `temp_*`) approved in the window, summed over grants (a person helped twice counts twice);
- conversions from 防止返贫监测: distinct persons covered by a grant approved in the window whose
  monitoring category before enrolment was `relapse_watch` (recognition programmes grant nothing
  and so are not counted);
- applications approved / rejected / withdrawn: decided in the window (`decided_at`);
- open applications by current step and overdue ones (current step due before today; a due date
  still pending is never overdue), live.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.db.models.functions import Left
from django.utils.translation import gettext as _

from alerts.selectors.dashboard import Node
from alerts.services.dashboard import window_start
from assistance.models import (
    Application,
    ApplicationStatus,
    ApprovalStep,
    Grant,
    GrantMember,
)
from assistance.selectors_bank_returns import failure_figures
from assistance.selectors_exchanges import overdue_medical_lists
from households import clock
from households.models import RegionLevel
from households.scoping import scope_queryset
from monitoring.models import MonitoringCategory

# One-off programmes whose grants are 临时救助 (the special hardship fund is not).
TEMPORARY_PREFIX = "temp_"
DECIDED_STATUSES = (ApplicationStatus.APPROVED, ApplicationStatus.REJECTED, ApplicationStatus.WITHDRAWN)


@dataclass
class AssistanceRow:
    """The figures of one child region (or of the whole node, for the totals)."""

    code: str
    name: str
    drillable: bool
    open: int = 0
    overdue: int = 0
    decided: dict = field(default_factory=lambda: dict.fromkeys(DECIDED_STATUSES, 0))
    new_dibao: int = 0
    new_tekun: int = 0
    temporary_person_times: int = 0
    from_relapse_watch: int = 0
    # payments the bank failed or returned, not yet paid again (live; selectors_bank_returns)
    payment_failures: int = 0
    payment_failures_amount: Decimal = Decimal(0)

    @property
    def approved(self) -> int:
        return self.decided[ApplicationStatus.APPROVED]

    @property
    def rejected(self) -> int:
        return self.decided[ApplicationStatus.REJECTED]

    @property
    def withdrawn(self) -> int:
        return self.decided[ApplicationStatus.WITHDRAWN]


@dataclass
class StepRow:
    name: str
    open: int = 0
    overdue: int = 0


@dataclass
class AssistanceFigures:
    """What the dashboard's assistance fragment shows. `total` counts people once over the node
    (a person covered in two child regions is one person there), so it is not the sum of `rows`."""

    node: Node
    today: date
    period_start: date
    rows: list[AssistanceRow]
    steps: list[StepRow]
    total: AssistanceRow
    # The previous month's lists to medical insurance not sent by the due day (selectors_exchanges).
    medical_lists_overdue: list = field(default_factory=list)


def _in_node(queryset, user, node: Node, region_path: str = "region__code"):
    """Rows inside both the user's scope and the node (the node is always inside the scope)."""
    return scope_queryset(queryset, user, region_path).filter(**{f"{region_path}__startswith": node.prefix})


class _Rows(dict):
    """Child rows by code; a code above the children's level gets a non-drillable row of its own."""

    def __init__(self, node: Node):
        super().__init__(
            {c.code: AssistanceRow(code=c.code, name=c.name, drillable=True) for c in node.children}
        )
        self.node = node
        if node.region.level == RegionLevel.VILLAGE:
            self[node.region.code] = AssistanceRow(
                code=node.region.code, name=node.region.name, drillable=False
            )

    def __missing__(self, code: str) -> AssistanceRow:
        row = self[code] = AssistanceRow(
            code=code,
            name=_("%(name)s（未细分到下级区划）") % {"name": self.node.region.name},
            drillable=False,
        )
        return row


def _step_names() -> dict[tuple[int, str], tuple[int, str]]:
    """(programme id, step code) → (order, name) from the templates (a small table)."""
    return {
        (s["program_id"], s["code"]): (s["order"], s["name"])
        for s in ApprovalStep.objects.values("program_id", "code", "order", "name")
    }


def _open_applications(user, node: Node, today: date, rows: _Rows, total: AssistanceRow) -> list[StepRow]:
    """Open applications per child region and per current step (by the step's name, so 申请受理 of
    every programme is one row), with the overdue ones."""
    grouped = (
        _in_node(Application.objects.filter(status=ApplicationStatus.IN_PROGRESS), user, node)
        .annotate(child=Left("region_id", node.child_length))
        .values("child", "program_id", "current_step_code")
        .annotate(n=Count("*"), overdue=Count("id", filter=Q(current_due_on__lt=today)))
        .order_by()
    )
    names = _step_names()
    steps: dict[str, StepRow] = {}
    order: dict[str, int] = {}
    for g in grouped:
        row = rows[g["child"]]
        row.open += g["n"]
        row.overdue += g["overdue"]
        total.open += g["n"]
        total.overdue += g["overdue"]
        position, name = names.get((g["program_id"], g["current_step_code"]), (99, g["current_step_code"]))
        step = steps.setdefault(name, StepRow(name=name))
        step.open += g["n"]
        step.overdue += g["overdue"]
        order[name] = min(order.get(name, position), position)
    return sorted(steps.values(), key=lambda s: (order[s.name], s.name))


def _decided(user, node: Node, start: date, today: date, rows: _Rows, total: AssistanceRow) -> None:
    decided = _in_node(
        Application.objects.filter(
            status__in=DECIDED_STATUSES,
            decided_at__gte=clock.at(start),
            decided_at__lt=clock.at(today + timedelta(days=1)),
        ),
        user,
        node,
    )
    for g in (
        decided.annotate(child=Left("region_id", node.child_length))
        .values("child", "status")
        .annotate(n=Count("*"))
        .order_by()
    ):
        rows[g["child"]].decided[g["status"]] += g["n"]
        total.decided[g["status"]] += g["n"]


def _people_counts() -> dict:
    def distinct(condition: Q):
        return Count("person_id", distinct=True, filter=condition)

    return {
        "new_dibao": distinct(
            Q(grant__program__category=MonitoringCategory.DIBAO)
            & ~Q(previous_category=MonitoringCategory.DIBAO)
        ),
        "new_tekun": distinct(
            Q(grant__program__category=MonitoringCategory.TEKUN)
            & ~Q(previous_category=MonitoringCategory.TEKUN)
        ),
        "from_relapse_watch": distinct(Q(previous_category=MonitoringCategory.RELAPSE_WATCH)),
    }


def _grants(user, node: Node, start: date, today: date, rows: _Rows, total: AssistanceRow) -> None:
    """People newly covered and 临时救助 person-times, from the grants approved in the window."""
    grants = _in_node(Grant.objects.filter(approved_on__range=(start, today)), user, node)
    temporary = grants.filter(one_off=True, program__code__startswith=TEMPORARY_PREFIX)
    for g in (
        temporary.annotate(child=Left("region_id", node.child_length))
        .values("child")
        .annotate(n=Sum("people_covered"))
        .order_by()
    ):
        rows[g["child"]].temporary_person_times += g["n"]
        total.temporary_person_times += g["n"]
    members = GrantMember.objects.filter(grant__in=grants)
    counts = _people_counts()
    for g in (
        members.annotate(child=Left("grant__region_id", node.child_length))
        .values("child")
        .annotate(**counts)
        .order_by()
    ):
        row = rows[g["child"]]
        for measure in counts:
            setattr(row, measure, g[measure])
    for measure, n in members.aggregate(**counts).items():
        setattr(total, measure, n)


def _payment_failures(user, node: Node, rows: _Rows, total: AssistanceRow) -> None:
    figures = failure_figures(user=user, prefix=node.prefix, child_length=node.child_length)
    for code, figure in figures.items():
        row = total if code == "" else rows[code]
        row.payment_failures, row.payment_failures_amount = figure.count, figure.amount


def assistance_figures(*, user, node: Node, today: date) -> AssistanceFigures:
    """The node's assistance figures: live open and overdue applications, and what was decided and
    granted in the twelve calendar months ending with today's month, per child region and in total.
    The caller checks the user may view the dashboard and obtained `node` for that user."""
    start = window_start(today)
    rows = _Rows(node)
    total = AssistanceRow(code=node.region.code, name=node.region.name, drillable=False)
    steps = _open_applications(user, node, today, rows, total)
    _decided(user, node, start, today, rows, total)
    _grants(user, node, start, today, rows, total)
    _payment_failures(user, node, rows, total)
    return AssistanceFigures(
        node=node,
        today=today,
        period_start=start,
        rows=sorted(rows.values(), key=lambda r: (not r.drillable, r.code)),
        steps=steps,
        total=total,
        medical_lists_overdue=overdue_medical_lists(user=user, today=today),
    )
