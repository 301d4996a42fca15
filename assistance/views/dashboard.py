"""The assistance part of the supervisor dashboard: an htmx fragment the alerts dashboard loads."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from alerts.selectors.dashboard import can_view_dashboard, dashboard_node
from assistance import dashboard as selectors
from households import clock


@require_GET
@login_required
def dashboard_figures(request: HttpRequest, code: str | None = None) -> HttpResponse:
    """Same roles, region node and drill-down as the dashboard page (a region outside the scope: 404)."""
    if not can_view_dashboard(request.user):
        raise PermissionDenied(_("统计看板仅向督导和数据管理员开放"))
    node = dashboard_node(user=request.user, code=code)
    figures = selectors.assistance_figures(user=request.user, node=node, today=clock.today())
    return render(request, "assistance/dashboard/_figures.html", {"figures": figures})
