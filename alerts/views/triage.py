"""Triage pages: inbox, alert detail, one POST view per action, household roll-up.

Views only check access (scoped fetch: out of scope is 404), validate the form and call one
service; the services check roles and states and write the history.
"""

from collections.abc import Callable
from dataclasses import replace

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from alerts.forms_triage import (
    AssignForm,
    BulkAssignForm,
    CloseForm,
    InboxFilterForm,
    NoteForm,
    ReopenForm,
    VisitForm,
    alert_ids_from,
)
from alerts.models import Alert, AlertStatus
from alerts.selectors import inbox as inbox_selectors
from alerts.selectors import triage as selectors
from alerts.services import triage as services
from alerts.views.htmx import render_page_or_fragment
from households import id_search
from households.decorators import login_required_htmx, permission_required
from households.readlog import services as readlog
from households.readlog.models import ReadAction
from households.selectors import household_get

# Alerts are the work of caseworkers and supervisors; other roles never see one.
triage_access = permission_required("alerts.view_alert", gettext_lazy("预警处置仅向经办人和督导开放"))


@require_GET
@login_required_htmx  # the filters and pages are htmx requests: an expired session signs in the whole page
@triage_access
def inbox(request: HttpRequest) -> HttpResponse:
    form = InboxFilterForm(request.GET, user=request.user)
    form.is_valid()
    filters = form.filters()
    if filters.query:  # counted once per request, before the page and its counts both use it
        filters = replace(filters, search=id_search.search_for(request.user, filters.query))
    after = inbox_selectors.Cursor.decode(request.GET.get("after", ""))
    page = inbox_selectors.inbox_page(user=request.user, filters=filters, after=after)
    readlog.note(  # kept if this was an ID search
        request,
        household_ids=[a.household_id for a in page.alerts],
        person_ids=[a.person_id for a in page.alerts],
    )
    context = {
        "form": form,
        "filters": filters,
        "page": page,
        "after": after,
        "can_bulk_assign": services.can_bulk_assign(request.user),
        "status_tabs": [
            (inbox_selectors.STATUS_OPEN, _("未办结")),
            *AlertStatus.choices,
            (inbox_selectors.STATUS_ALL, _("全部")),
        ],
    }
    return render_page_or_fragment(
        request, "alerts/triage/inbox.html", "alerts/triage/_inbox_results.html", context
    )


def _back_to_inbox(request: HttpRequest) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse("alerts:inbox")


@require_POST
@login_required
@triage_access
def bulk_assign(request: HttpRequest) -> HttpResponse:
    if not services.can_bulk_assign(request.user):
        messages.error(request, _("批量分派仅限督导和乡镇负责人（管辖区域为乡镇或以上的经办人）。"))
        return redirect(_back_to_inbox(request))
    form = BulkAssignForm(request.POST, user=request.user)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(_back_to_inbox(request))
    try:
        result = services.alert_bulk_assign(
            actor=request.user, alert_ids=form.cleaned_data["alerts"], assignee=form.cleaned_data["assignee"]
        )
    except services.TriageError as exc:
        messages.error(request, exc.message)
    else:
        # green only when something changed: "nothing changed" is not a success
        (messages.success if result.changed_anything else messages.warning)(request, result.message())
    return redirect(_back_to_inbox(request))


@require_GET
@login_required_htmx
@triage_access
def bulk_assignees(request: HttpRequest) -> HttpResponse:
    """The bulk form's caseworker list for the alerts ticked so far (htmx swaps it in as ticks
    change): only those who can see every one of them. Ticked alerts outside the user's region are
    ignored, as if they did not exist."""
    if not services.can_bulk_assign(request.user):
        raise PermissionDenied(_("批量分派仅限督导和乡镇负责人（管辖区域为乡镇或以上的经办人）。"))
    ids = alert_ids_from(request.GET.getlist("alerts"))[: inbox_selectors.PAGE_SIZE]  # ticks of one page
    context = {
        "ticked": bool(ids),
        "bulk_assignees": list(selectors.bulk_assignee_choices(user=request.user, alert_ids=ids)),
        "selected": request.GET.get("assignee", ""),
    }
    return render(request, "alerts/triage/_bulk_assignee_select.html", context)


def _detail_context(request: HttpRequest, alert, **bound_forms) -> dict:
    user = request.user
    readlog.note(
        request, ReadAction.PERSON_VIEW, person_ids=[alert.person_id], household_ids=[alert.household_id]
    )
    initial = {"lock_version": alert.lock_version}
    context = selectors.alert_detail(user=user, alert=alert)
    context.update(
        {
            "can_claim": services.can_claim(user, alert),
            "can_assign": alert.status != AlertStatus.CLOSED and services.can_assign(user, alert),
            "can_handle": services.can_handle(user, alert),
            "can_reopen": alert.status == AlertStatus.CLOSED and services.is_supervisor(user),
            "claim_form": NoteForm(initial=initial),
            "assign_form": AssignForm(initial=initial, alert=alert),
            "verify_form": NoteForm(initial=initial),
            "visit_form": VisitForm(initial=initial),
            "close_form": CloseForm(initial=initial),
            "reopen_form": ReopenForm(initial=initial),
        }
    )
    context.update(bound_forms)
    return context


@require_GET
@login_required
@triage_access
def alert_detail(request: HttpRequest, pk: int) -> HttpResponse:
    alert = selectors.alert_get(user=request.user, pk=pk)
    return render(request, "alerts/triage/detail.html", _detail_context(request, alert))


def _act(
    request: HttpRequest,
    pk: int,
    form_name: str,
    make_form: Callable[[Alert], forms.Form],
    call: Callable[[Alert, dict], object],
    success: str,
) -> HttpResponse:
    """Validate the form `make_form(alert)` builds, call the service; a form error re-renders the
    page, a refused action comes back as a message (the alert as it is now), success redirects to
    the detail page."""
    alert = selectors.alert_get(user=request.user, pk=pk)
    form = make_form(alert)
    if not form.is_valid():
        context = _detail_context(request, alert, **{form_name: form})
        return render(request, "alerts/triage/detail.html", context, status=400)
    try:
        call(alert, form.cleaned_data)
    except services.TriageError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, success)
    return redirect("alerts:alert_detail", pk=alert.pk)


@require_POST
@login_required
@triage_access
def alert_claim(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        "claim_form",
        lambda _alert: NoteForm(request.POST),
        lambda alert, data: services.alert_claim(
            actor=request.user, alert_id=alert.pk, lock_version=data["lock_version"]
        ),
        _("已认领该预警。"),
    )


@require_POST
@login_required
@triage_access
def alert_assign(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        "assign_form",
        lambda alert: AssignForm(request.POST, alert=alert),
        lambda alert, data: services.alert_assign(
            actor=request.user,
            alert_id=alert.pk,
            lock_version=data["lock_version"],
            assignee=data["assignee"],
            note=data["note"],
        ),
        _("已分派。"),
    )


@require_POST
@login_required
@triage_access
def alert_start_verification(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        "verify_form",
        lambda _alert: NoteForm(request.POST),
        lambda alert, data: services.alert_start_verification(
            actor=request.user, alert_id=alert.pk, lock_version=data["lock_version"], note=data["note"]
        ),
        _("已开始核查。"),
    )


@require_POST
@login_required
@triage_access
def alert_record_visit(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        "visit_form",
        lambda _alert: VisitForm(request.POST),
        lambda alert, data: services.alert_record_visit(
            actor=request.user,
            alert_id=alert.pk,
            lock_version=data["lock_version"],
            visited_on=data["visited_on"],
            visitors=data["visitors"],
            findings=data["findings"],
            household_situation=data["household_situation"],
            follow_up_on=data["follow_up_on"],
        ),
        _("已登记入户核查。"),
    )


@require_POST
@login_required
@triage_access
def alert_close(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        "close_form",
        lambda _alert: CloseForm(request.POST),
        lambda alert, data: services.alert_close(
            actor=request.user,
            alert_id=alert.pk,
            lock_version=data["lock_version"],
            outcome=data["outcome"],
            note=data["note"],
        ),
        _("预警已办结。"),
    )


@require_POST
@login_required
@triage_access
def alert_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        "reopen_form",
        lambda _alert: ReopenForm(request.POST),
        lambda alert, data: services.alert_reopen(
            actor=request.user, alert_id=alert.pk, lock_version=data["lock_version"], note=data["note"]
        ),
        _("预警已重新打开。"),
    )


@require_GET
@login_required
@triage_access
def household_alerts(request: HttpRequest, pk: int) -> HttpResponse:
    household = household_get(user=request.user, pk=pk)
    members = list(selectors.household_members(household))
    readlog.note(
        request, ReadAction.HOUSEHOLD_VIEW, household_ids=[household.pk], person_ids=[m.pk for m in members]
    )
    context = {
        "household": household,
        "members": members,
        "alerts": selectors.household_alerts(user=request.user, household=household),
        "visits": selectors.household_visits(user=request.user, household=household),
        "changes": selectors.household_monitoring_changes(household=household),
    }
    return render(request, "alerts/triage/household.html", context)
