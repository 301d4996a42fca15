"""The supervisor's page of who looked at a household."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from households.decorators import permission_required
from households.models import Role
from households.pagination import page_before
from households.readlog import selectors
from households.selectors import household_get

PAGE_SIZE = 50
VIEW_READS = "readlog.view_readlogentry"
NO_READS = _("家庭的查阅记录仅向督导开放")


@login_required
@permission_required(VIEW_READS, NO_READS)
def household_reads(request: HttpRequest, pk: int) -> HttpResponse:
    household = household_get(user=request.user, pk=pk)  # outside the user's region: 404
    entries, next_before = page_before(
        selectors.household_reads(household=household), request.GET.get("before", ""), PAGE_SIZE
    )
    roles = dict(Role.choices)
    context = {
        "household": household,
        "entries": [(e, roles.get(e.role, e.role)) for e in entries],
        "next_before": next_before,
    }
    return render(request, "readlog/household_reads.html", context)
