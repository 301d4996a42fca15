"""Supervisor dashboard: the page, drill-down by region and the Excel export of its tables."""

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from alerts.models import AlertStatus, Outcome, RuleCode
from alerts.selectors import dashboard as selectors
from alerts.views.dashboard_xlsx import dashboard_workbook
from households import clock
from households.readlog import services as readlog
from households.readlog.models import ReadAction
from monitoring.models import MonitoringCategory


@dataclass
class RuleRow:
    label: str
    this_month: int
    this_year: int
    last_12_months: int
    people: int
    closed: int
    days_to_verify: tuple[int, float | None]
    days_to_close: tuple[int, float | None]


def _region_url(code: str) -> str:
    return reverse("alerts:dashboard_region", args=[code])


def dashboard_figures(*, user, code: str | None) -> dict:
    """Everything the page and the export show, for the user's region or `code` inside it."""
    if not selectors.can_view_dashboard(user):
        raise PermissionDenied(_("统计看板仅向督导和数据管理员开放"))
    today = clock.today()
    node = selectors.dashboard_node(user=user, code=code)
    summary = selectors.summary(user=user, node=node)
    backlog = selectors.backlog_by_region(user=user, node=node, today=today)
    figures = {
        "today": today,
        "node": node,
        "trail": [(r, _region_url(r.code)) for r in node.trail],
        "summary": summary,
        "backlog": backlog,
        "open_total": sum(r.open for r in backlog),
        "overdue_total": sum(r.overdue for r in backlog),
        "status_totals": {
            label: sum(r.by_status[s] for r in backlog)
            for s, label in AlertStatus.choices
            if s in selectors.OPEN_STATUSES
        },
        "caseload": selectors.caseload(user=user, node=node, today=today),
        "feeds": selectors.feed_health(user=user, today=today),
        "rules": RuleCode.choices,
        "outcome_labels": Outcome.choices,
    }
    if summary is not None:
        figures.update(_summary_figures(summary))
    return figures


def _summary_figures(s: selectors.Summary) -> dict:
    rule_rows = [
        RuleRow(
            label=label,
            this_month=s.raised_in(rule, s.this_month),
            this_year=s.raised_in(rule, s.this_year),
            last_12_months=s.raised_in(rule, s.months[0]),
            people=s.people.get(rule, 0),
            closed=sum(s.outcomes.get(rule, {}).values()),
            days_to_verify=s.days_to_verify.get(rule, (0, None)),
            days_to_close=s.days_to_close.get(rule, (0, None)),
        )
        for rule, label in RuleCode.choices
    ]
    outcome_rows = [
        (label, [s.outcomes[rule].get(outcome, 0) for rule in RuleCode.values])
        for outcome, label in Outcome.choices
    ]
    outcome_totals = {o: sum(s.outcomes[r].get(o, 0) for r in RuleCode.values) for o in Outcome.values}
    monitored = [(label, s.monitored.get(c, 0)) for c, label in MonitoringCategory.choices]
    return {
        "rule_rows": rule_rows,
        "raised_this_month": sum(r.this_month for r in rule_rows),
        "raised_this_year": sum(r.this_year for r in rule_rows),
        "raised_12_months": sum(r.last_12_months for r in rule_rows),
        # Not the sum of the rows: a person alerted by two rules is one person.
        "people_alerted": s.people.get("", 0),
        "closed_total": sum(r.closed for r in rule_rows),
        "days_to_verify": s.days_to_verify.get("", (0, None)),
        "days_to_close": s.days_to_close.get("", (0, None)),
        "monitored": monitored,
        "monitored_total": sum(n for _, n in monitored),
        "outcome_rows": [(label, counts, sum(counts)) for label, counts in outcome_rows],
        "outcome_groups": [
            (label, sum(outcome_totals[o] for o in outcomes)) for label, outcomes in selectors.OUTCOME_GROUPS
        ],
        "monthly_rows": [
            (month, [s.raised[rule].get(month, 0) for rule in RuleCode.values]) for month in s.months
        ],
    }


def _charts(figures: dict) -> dict:
    """The data dashboard.js draws (no personal data: counts per region, rule, month)."""
    charts = {
        "labels": {"open": _("未逾期"), "overdue": _("已逾期")},
        "backlog": [
            {
                "name": r.name,
                "open": r.open - r.overdue,
                "overdue": r.overdue,
                "url": _region_url(r.code) if r.drillable else None,
            }
            for r in figures["backlog"]
        ],
    }
    summary = figures["summary"]
    if summary is not None:
        charts["months"] = [f"{m:%Y-%m}" for m in summary.months]
        charts["raised"] = [
            {"name": label, "data": [summary.raised[rule].get(m, 0) for m in summary.months]}
            for rule, label in RuleCode.choices
        ]
        charts["rules"] = [label for _, label in RuleCode.choices]
        charts["outcomes"] = {
            "labels": [label for label, _, _ in figures["outcome_rows"]],
            "series": [
                {"name": label, "data": [counts[i] for _, counts, _ in figures["outcome_rows"]]}
                for i, label in enumerate(charts["rules"])
            ],
        }
        charts["monitored"] = [{"name": label, "value": n} for label, n in figures["monitored"]]
    return charts


@login_required
def dashboard(request: HttpRequest, code: str | None = None) -> HttpResponse:
    figures = dashboard_figures(user=request.user, code=code)
    figures["charts"] = _charts(figures)
    figures["export_url"] = (
        reverse("alerts:dashboard_region_export", args=[code]) if code else reverse("alerts:dashboard_export")
    )
    return render(request, "alerts/dashboard/dashboard.html", figures)


@login_required
def dashboard_export(request: HttpRequest, code: str | None = None) -> HttpResponse:
    figures = dashboard_figures(user=request.user, code=code)
    region = figures["node"].region
    content = dashboard_workbook(figures, generated_at=timezone.localtime(clock.now()))
    readlog.note(request, ReadAction.DASHBOARD_EXPORT)
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    filename = f"统计看板-{region.name}-{figures['today']:%Y%m%d}.xlsx"
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return response
