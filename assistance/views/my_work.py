"""The home page: what waits on the signed-in user (`assistance.selectors_my_work`), and the menu."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from assistance.selectors_my_work import my_work


@require_GET
@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "home.html", {"sections": my_work(user=request.user)})
