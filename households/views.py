from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from households import selectors

PAGE_SIZE = 50


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "home.html")


@login_required
def household_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")
    qs = selectors.household_list(user=request.user, query=query)
    before = request.GET.get("before", "")
    if before.isdigit():
        qs = qs.filter(id__lt=int(before))
    page = list(qs[: PAGE_SIZE + 1])
    has_next = len(page) > PAGE_SIZE
    page = page[:PAGE_SIZE]
    context = {
        "households": page,
        "query": query,
        "next_before": page[-1].id if has_next else None,
        "invalid_id_query": selectors.looks_like_id(query) and not page,
    }
    return render(request, "households/household_list.html", context)


@login_required
def household_detail(request: HttpRequest, pk: int) -> HttpResponse:
    household = selectors.household_get(user=request.user, pk=pk)
    members = household.members.order_by("relation", "birth_date")
    context = {
        "household": household,
        "members": members,
        "region_path": selectors.region_path(household.region),
    }
    return render(request, "households/household_detail.html", context)
