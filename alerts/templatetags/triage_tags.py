"""Small display helpers of the triage pages: status badges and the overdue mark."""

from django import template
from django.utils import timezone

register = template.Library()

STATUS_CLASSES = {
    "new": "text-bg-secondary",
    "assigned": "text-bg-primary",
    "verifying": "text-bg-info",
    "closed": "text-bg-success",
}


@register.filter
def overdue_days(alert) -> int:
    """Days past the deadline of an open alert; 0 when not overdue or closed."""
    if alert.status == "closed":
        return 0
    return max((timezone.localdate() - alert.deadline).days, 0)


@register.inclusion_tag("alerts/triage/_status_badge.html")
def status_badge(alert):
    return {"label": alert.get_status_display(), "css": STATUS_CLASSES.get(alert.status, "text-bg-light")}


@register.inclusion_tag("alerts/triage/_deadline.html")
def deadline_badge(alert):
    return {"alert": alert, "days": overdue_days(alert)}


@register.simple_tag(takes_context=True)
def query_with(context, **changes) -> str:
    """The current query string with some parameters replaced or removed (value None)."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        params.pop(key, None)
        if value not in (None, ""):
            params[key] = value
    return params.urlencode()


@register.filter
def monitoring_summary(values) -> str:
    """A monitoring-record snapshot (history before/after) in words; only known, non-personal keys."""
    from monitoring.models import MonitoringCategory, MonitoringStatus

    if not isinstance(values, dict):
        return "—"
    parts = []
    if values.get("category"):
        parts.append(str(dict(MonitoringCategory.choices).get(values["category"], values["category"])))
    if values.get("status"):
        parts.append(str(dict(MonitoringStatus.choices).get(values["status"], values["status"])))
    for key, label in (("since", "纳入"), ("exit_date", "退出")):
        if values.get(key):
            parts.append(f"{label} {values[key]}")
    return "，".join(parts) or "—"
