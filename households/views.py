from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from households import id_search, selectors
from households.decorators import permission_required
from households.pagination import page_before
from households.readlog import services as readlog
from households.readlog.models import ReadAction

PAGE_SIZE = 50
VIEW_HOUSEHOLDS = "households.view_household"
NO_HOUSEHOLDS = _("家庭档案仅向督导、经办人和数据管理员开放")


@login_required
@permission_required(VIEW_HOUSEHOLDS, NO_HOUSEHOLDS)
def household_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")
    search = id_search.search_for(request.user, query)
    qs = selectors.household_list(user=request.user, search=search)
    before = request.GET.get("before", "")
    page, next_before = page_before(qs, before, PAGE_SIZE)
    readlog.note(request, household_ids=[h.pk for h in page])  # kept if this was an ID search
    context = {
        "households": page,
        "query": query,
        "next_before": next_before,
        "search_refused": search.message,
        "id_not_found": search.kind in (id_search.FULL_ID, id_search.NAME_LAST4) and not page,
    }
    return render(request, "households/household_list.html", context)


@login_required
@permission_required(VIEW_HOUSEHOLDS, NO_HOUSEHOLDS)
def household_detail(request: HttpRequest, pk: int) -> HttpResponse:
    household = selectors.household_get(user=request.user, pk=pk)
    members = list(household.members.order_by("relation", "birth_date"))
    readlog.note(
        request, ReadAction.HOUSEHOLD_VIEW, household_ids=[household.pk], person_ids=[m.pk for m in members]
    )
    context = {
        "household": household,
        "members": members,
        "region_path": selectors.region_path(household.region),
    }
    return render(request, "households/household_detail.html", context)
