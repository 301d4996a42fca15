"""Application list, intake (一门受理, grid-worker reports, the 12349 hotline) and referrals.

Views only check access (scoped fetch: out of scope is 404), validate the form and call one
service; the services check roles and regions again and write the history.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from alerts.views.htmx import render_page_or_fragment
from assistance import list_selectors, services
from assistance.forms import ACCEPT, ApplicationFilterForm, IntakeForm, ReferralAnswerForm, ReferralTabForm
from assistance.services.common import works_cases
from assistance.services.followups import followup_link_application
from households import clock, id_search
from households.decorators import login_required_htmx, permission_required
from households.readlog import services as readlog
from households.readlog.models import ReadAction
from households.selectors import household_get, household_list

view_access = permission_required("assistance.view_application", gettext_lazy("救助申请仅向经办人和督导开放"))
add_access = permission_required(
    "assistance.add_application", gettext_lazy("只有经办人和督导可以登记救助申请")
)
referral_access = permission_required("assistance.view_referral", gettext_lazy("转介仅向经办人和督导开放"))
answer_access = permission_required(
    "assistance.change_referral", gettext_lazy("只有经办人和督导可以登记转介结果")
)

HOUSEHOLD_MATCHES = 20


@require_GET
@login_required_htmx
@view_access
def application_list(request: HttpRequest) -> HttpResponse:
    form = ApplicationFilterForm(request.GET)
    form.is_valid()
    filters = form.filters()
    page = list_selectors.application_page(
        user=request.user, filters=filters, before=request.GET.get("before", "")
    )
    context = {
        "form": form,
        "filters": filters,
        "page": page,
        "before": request.GET.get("before", ""),
        "can_add": request.user.has_perm("assistance.add_application"),
    }
    return render_page_or_fragment(
        request, "assistance/applications/list.html", "assistance/applications/_results.html", context
    )


def _household_search(request: HttpRequest, query: str) -> dict:
    """Households of the user's region matching a head or member name or ID (masked on screen)."""
    search = id_search.search_for(request.user, query)
    households = list(household_list(user=request.user, search=search)[:HOUSEHOLD_MATCHES])
    readlog.note(request, household_ids=[h.pk for h in households])  # kept if this was an ID search
    return {"households": households, "query": query, "search_refused": search.message}


@require_http_methods(["GET", "POST"])
@login_required
@add_access
def application_new(request: HttpRequest) -> HttpResponse:
    """Step one: find the household (GET ?q=); step two: the form for it (GET ?household=);
    POST: accept into a programme or refer elsewhere."""
    household_pk = request.POST.get("household") or request.GET.get("household") or ""
    if not household_pk.isdigit():
        context = _household_search(request, request.GET.get("q", "").strip())
        return render(request, "assistance/applications/new.html", context)
    household = household_get(user=request.user, pk=int(household_pk))
    readlog.note(request, ReadAction.HOUSEHOLD_VIEW, household_ids=[household.pk])
    # a follow-up (回访) that asked for further help: the new application is linked back to it
    followup_id = request.POST.get("followup") or request.GET.get("followup") or ""
    followup_id = followup_id if followup_id.isdigit() else ""
    if request.method == "GET":
        form = IntakeForm(household=household, initial={"action": ACCEPT})
        context = {"household": household, "form": form, "followup_id": followup_id}
        return render(request, "assistance/applications/new.html", context)
    form = IntakeForm(request.POST, household=household)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if data["action"] == ACCEPT:
                application = services.application_create(
                    actor=request.user,
                    household=household,
                    applicant=data["applicant"],
                    program=data["program"],
                    channel=data["channel"],
                    request=data["request"],
                    channel_note=data["channel_note"],
                    reported_by=data["reported_by"],
                    staff_relative=data["staff_relative"],
                    staff_relative_note=data["staff_relative_note"],
                    complex_case=data["complex_case"],
                )
            else:
                referral = services.referral_create(
                    actor=request.user,
                    household=household,
                    person=data["applicant"],
                    channel=data["channel"],
                    request=data["request"],
                    department=data["department"],
                    due_on=data["due_on"],
                )
        except services.AssistanceError as exc:
            form.add_error(None, exc.message)
        else:
            if data["action"] == ACCEPT:
                if followup_id:
                    followup_link_application(
                        actor=request.user, followup_id=int(followup_id), application=application
                    )
                messages.success(request, _("已受理申请 #%(pk)s。") % {"pk": application.pk})
                return redirect("assistance:application_detail", pk=application.pk)
            messages.success(
                request,
                _("已转介至%(department)s（转介 #%(pk)s）。")
                % {"department": referral.department, "pk": referral.pk},
            )
            return redirect("assistance:referral_list")
    context = {"household": household, "form": form, "followup_id": followup_id}
    return render(request, "assistance/applications/new.html", context, status=400)


@require_GET
@login_required
@referral_access
def referral_list(request: HttpRequest) -> HttpResponse:
    tab = ReferralTabForm(request.GET)
    status = tab.cleaned_data["status"] if tab.is_valid() and tab.cleaned_data["status"] else "open"
    page = list_selectors.referral_page(
        user=request.user, status=status, before=request.GET.get("before", "")
    )
    context = {
        "page": page,
        "status": status,
        "tabs": tab.fields["status"].choices,
        "can_answer": works_cases(request.user) and request.user.has_perm("assistance.change_referral"),
        "answer_form": ReferralAnswerForm(initial={"answered_on": clock.today()}),
    }
    return render(request, "assistance/applications/referrals.html", context)


@require_POST
@login_required
@answer_access
def referral_answer(request: HttpRequest, pk: int) -> HttpResponse:
    form = ReferralAnswerForm(request.POST)
    if not form.is_valid():
        # out of scope must still look like missing, whatever the form says
        list_selectors.referral_get(user=request.user, pk=pk)
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("assistance:referral_list")
    try:
        services.referral_answer(
            actor=request.user,
            referral_id=pk,
            answer=form.cleaned_data["answer"],
            answered_on=form.cleaned_data["answered_on"],
        )
    except services.AssistanceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已登记转介 #%(pk)s 的办理结果。") % {"pk": pk})
    return redirect("assistance:referral_list")
