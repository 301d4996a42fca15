"""Small display helpers of the triage pages: status badges and the overdue mark."""

from django import template
from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from households import clock

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
    return alert.days_overdue()


# Plain functions rather than inclusion tags: the inbox draws these 50 times per page, and a
# template render per cell was most of the page's server time.
@register.simple_tag
def status_badge(alert) -> str:
    css = STATUS_CLASSES.get(alert.status, "text-bg-light")
    return format_html('<span class="badge {}">{}</span>', css, alert.get_status_display())


@register.simple_tag
def deadline_badge(alert) -> str:
    """The deadline; past it, in red with an "overdue N days" badge."""
    days = overdue_days(alert)
    day = alert.deadline.isoformat()
    if not days:
        return format_html('<span class="text-nowrap">{}</span>', day)
    return format_html(
        '<span class="text-nowrap text-danger fw-semibold">{}</span> '
        '<span class="badge text-bg-danger overdue-badge" title="{}">'
        '<i class="bi bi-exclamation-triangle-fill"></i> {}</span>',
        day,
        _("已超过办理期限"),
        _("逾期 %(days)d 天") % {"days": days},
    )


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
    for key, label in (("since", _("纳入")), ("exit_date", _("退出"))):
        if values.get(key):
            parts.append(f"{label} {values[key]}")
    return "，".join(parts) or "—"


def _row_labels(context) -> dict:
    """Translated labels for inbox rows, looked up once per page rather than per cell."""
    cache = context.render_context
    if "triage_row_labels" not in cache:
        from alerts.models import AlertStatus, RuleCode

        cache["triage_row_labels"] = {
            "rule": {value: escape(label) for value, label in RuleCode.choices},
            "status": {value: escape(label) for value, label in AlertStatus.choices},
            "unassigned": escape(_("未分派")),
            "select": escape(_("选择")),
            "overdue_title": escape(_("已超过办理期限")),
            "overdue": _("逾期 %(days)d 天"),
            "today": clock.today(),
        }
    return cache["triage_row_labels"]


@register.simple_tag(takes_context=True)
def inbox_row(context, alert, detail_prefix: str, selectable: bool, order_field: str = "deadline") -> str:
    """One row of the inbox table, built in Python with labels translated once per page: at 50
    rows the template version (URL reversals, lookups, filters and translations per cell) cost
    more than all the page's SQL together. `detail_prefix` is the detail URL without the id; the
    closed tab (`order_field` closed_at) also shows when each alert was closed."""
    labels = _row_labels(context)
    days = alert.days_overdue(labels["today"])  # today looked up once per page, not per row
    url = f"{detail_prefix}{alert.pk}/"
    cells = []
    if selectable:
        if alert.status == "closed":
            cells.append("<td></td>")
        else:
            cells.append(
                f'<td><input class="form-check-input" type="checkbox" name="alerts" value="{alert.pk}" autocomplete="off" '
                f'aria-label="{labels["select"]} #{alert.pk}"></td>'
            )
    deadline = alert.deadline.isoformat()
    if days:
        cells.append(
            f'<td><span class="text-nowrap text-danger fw-semibold">{deadline}</span> '
            f'<span class="badge text-bg-danger overdue-badge" title="{labels["overdue_title"]}">'
            f'<i class="bi bi-exclamation-triangle-fill"></i> {escape(labels["overdue"] % {"days": days})}</span></td>'
        )
    else:
        cells.append(f'<td><span class="text-nowrap">{deadline}</span></td>')
    cells.append(f'<td><a href="{url}">{labels["rule"].get(alert.rule, escape(alert.rule))}</a></td>')
    cells.append(f'<td><a href="{url}">{escape(alert.person.name)}</a></td>')
    cells.append(f'<td class="font-monospace small">{escape(alert.person.masked_id)}</td>')
    cells.append(f'<td class="small">{escape(alert.region.name)}</td>')
    cells.append(f'<td class="small">{alert.raised_on.isoformat()}</td>')
    if order_field == "closed_at":
        closed = timezone.localtime(alert.closed_at).strftime("%Y-%m-%d %H:%M") if alert.closed_at else ""
        cells.append(f'<td class="small text-nowrap">{closed}</td>')
    css = STATUS_CLASSES.get(alert.status, "text-bg-light")
    cells.append(f'<td><span class="badge {css}">{labels["status"].get(alert.status, "")}</span></td>')
    if alert.assignee_id:
        who = escape(alert.assignee.get_full_name() or alert.assignee.username)
    else:
        who = f'<span class="text-muted">{labels["unassigned"]}</span>'
    cells.append(f'<td class="small">{who}</td>')
    row_class = "overdue-row table-danger" if days else ""
    return mark_safe(f'<tr class="{row_class}" data-alert="{alert.pk}">{"".join(cells)}</tr>')
