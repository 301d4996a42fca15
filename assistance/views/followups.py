"""Follow-up (回访) pages: the list of the user's scope and one follow-up, where its result is
recorded. Views check access (scoped fetch: out of region is 404), validate the form and call one
service."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from assistance.forms_followups import FollowUpFilterForm, FollowUpRecordForm
from assistance.models import FollowUpResult, FollowUpStatus
from assistance.selectors_followups import followup_get, followup_page, open_applications
from assistance.services import AssistanceError
from assistance.services.followups import can_record, followup_record
from households.decorators import permission_required
from households.readlog import services as readlog
from households.readlog.models import ReadAction

view_access = permission_required("assistance.view_followup", gettext_lazy("回访仅向经办人和督导开放"))


@require_GET
@login_required
@view_access
def followup_list(request: HttpRequest) -> HttpResponse:
    form = FollowUpFilterForm(request.GET)
    form.is_valid()
    filters = form.filters()
    page = followup_page(user=request.user, filters=filters, after=request.GET.get("after", ""))
    context = {"form": form, "filters": filters, "page": page, "tabs": FollowUpStatus.choices}
    return render(request, "assistance/followups/list.html", context)


@require_http_methods(["GET", "POST"])
@login_required
@view_access
def followup_detail(request: HttpRequest, pk: int) -> HttpResponse:
    followup = followup_get(user=request.user, pk=pk)
    readlog.note(
        request,
        ReadAction.HOUSEHOLD_VIEW,
        household_ids=[followup.household_id],
        person_ids=[followup.person_id],
    )
    allowed = can_record(request.user, followup)
    form = FollowUpRecordForm()
    status = 200
    if request.method == "POST":
        form = FollowUpRecordForm(request.POST)
        if not allowed:
            form.add_error(None, _("只有本辖区的经办人或督导可以登记回访。"))
        elif form.is_valid():
            try:
                followup_record(actor=request.user, followup_id=followup.pk, **form.cleaned_data)
            except AssistanceError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("已登记回访结果。"))
                return redirect("assistance:followup_detail", pk=followup.pk)
        status = 400
    context = {
        "followup": followup,
        "form": form,
        "can_record": allowed and followup.status == FollowUpStatus.OPEN,
        "needs_application": followup.result == FollowUpResult.NEW_APPLICATION,
        "can_apply": request.user.has_perm("assistance.add_application"),
        "open_applications": open_applications(user=request.user, followup=followup),
    }
    return render(request, "assistance/followups/detail.html", context, status=status)
