"""Reviews (复核) and a grant's page with its exit (退出).

Views check access (scoped fetch: out of scope is 404), read the form and call one service; the
services check roles and regions again.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from assistance.errors import AssistanceError
from assistance.forms_reviews import GrantExitForm, ReviewDecideForm, ReviewFilterForm
from assistance.selectors_reviews import grant_context, grant_get, review_get, review_page
from assistance.services.common import works_cases
from assistance.services.exits import grant_exit
from assistance.services.reviews import review_decide
from households import clock
from households.decorators import permission_required
from households.readlog import services as readlog
from households.readlog.models import ReadAction

review_access = permission_required("assistance.view_review", gettext_lazy("复核任务仅向经办人和督导开放"))
grant_access = permission_required("assistance.view_grant", gettext_lazy("救助待遇仅向经办人和督导开放"))


@require_GET
@login_required
@review_access
def review_list(request: HttpRequest) -> HttpResponse:
    form = ReviewFilterForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    page = review_page(
        user=request.user,
        mine=bool(data.get("mine")),
        reason=data.get("reason", ""),
        done=data.get("status") == "done",
        after=request.GET.get("after", ""),
    )
    return render(request, "assistance/reviews/list.html", {"form": form, "page": page})


def _can_decide(request: HttpRequest, review) -> bool:
    return (
        works_cases(request.user)
        and request.user.has_perm("assistance.change_review")
        and review.status == "open"
    )


@require_http_methods(["GET", "POST"])
@login_required
@review_access
def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    review = review_get(user=request.user, pk=pk)
    readlog.note(request, ReadAction.HOUSEHOLD_VIEW, household_ids=[review.household_id])
    can_decide = _can_decide(request, review) and review.grant.status == "active"
    status = 200
    if request.method == "POST" and can_decide:
        form = ReviewDecideForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                review_decide(actor=request.user, review_id=review.pk, **data)
            except AssistanceError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("复核已办结。"))
                return redirect("assistance:review_detail", pk=review.pk)
        status = 400
    elif request.method == "POST":
        messages.error(request, _("该复核任务不能由您办理，或已办结。"))
        return redirect("assistance:review_detail", pk=review.pk)
    else:
        form = ReviewDecideForm(initial={"lock_version": review.lock_version, "effective_on": clock.today()})
    context = {**grant_context(review.grant), "review": review, "form": form, "can_decide": can_decide}
    return render(request, "assistance/reviews/detail.html", context, status=status)


@require_http_methods(["GET", "POST"])
@login_required
@grant_access
def grant_detail(request: HttpRequest, pk: int) -> HttpResponse:
    grant = grant_get(user=request.user, pk=pk)
    readlog.note(request, ReadAction.HOUSEHOLD_VIEW, household_ids=[grant.household_id])
    can_exit = (
        works_cases(request.user)
        and request.user.has_perm("assistance.add_grantexit")
        and grant.status == "active"
        and not grant.one_off
    )
    status = 200
    form = GrantExitForm(initial={"effective_on": clock.today()})
    if request.method == "POST":
        if not can_exit:
            messages.error(request, _("该待遇不能由您办理退出，或已停发。"))
            return redirect("assistance:grant_detail", pk=grant.pk)
        form = GrantExitForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                grant_exit(
                    actor=request.user,
                    grant_id=grant.pk,
                    reason=data["reason"],
                    effective_on=data["effective_on"],
                    note=data["note"],
                )
            except AssistanceError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("已办理退出，待遇停发。"))
                return redirect("assistance:grant_detail", pk=grant.pk)
        status = 400
    context = {**grant_context(grant), "exit_form": form, "can_exit": can_exit}
    return render(request, "assistance/reviews/grant.html", context, status=status)
