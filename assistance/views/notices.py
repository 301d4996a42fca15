"""公示 pages: the notice list (villages waiting, notices published), one notice with its
objections, the printable notice, and a village's standing list of 低保 households.

Views check access (the role's permission; a scoped fetch makes another region a 404), validate
the form and call one service; the services check the user's level and the notice's dates.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from assistance import selectors_notices as selectors
from assistance import services
from assistance.forms_notices import DecideForm, ObjectionForm, PublishForm
from assistance.models import ApplicationStatus, NoticeEntry, Objection, ObjectionStatus, StepLevel
from assistance.services.common import can_act_at
from assistance.services.notices import notice_display_name
from households import clock
from households.decorators import permission_required
from households.scoping import get_in_scope_or_404

notice_access = permission_required("assistance.view_notice", gettext_lazy("公示仅向经办人和督导开放"))
notice_write = permission_required("assistance.add_notice", gettext_lazy("公示仅向经办人和督导开放"))
objection_write = permission_required(
    "assistance.change_objection", gettext_lazy("公示异议仅由经办人和督导登记和处理")
)

# Said on the printed notice and on the notice page: how to object.
OBJECTION_HOW = gettext_lazy(
    "对公示对象有异议的，请于公示期内向村（居）民委员会、乡镇人民政府（街道办事处）反映，"
    "或拨打监督电话。可以署名，也可以匿名；受理后将调查核实并反馈处理结果。"
)


def hotline() -> str:
    return settings.NOTICE_HOTLINE


@require_GET
@login_required
@notice_access
def notice_list(request: HttpRequest) -> HttpResponse:
    notices, next_before = selectors.notice_page(request.user, request.GET.get("before", ""))
    today = clock.today()
    for notice in notices:
        notice.state = selectors.period_state(notice, today)
    villages = selectors.villages_waiting(request.user)
    for village in villages:
        village.can_publish = can_act_at(request.user, StepLevel.TOWN, village.code)
    context = {
        "villages": villages,
        "notices": notices,
        "next_before": next_before,
        "before": request.GET.get("before", ""),
        "publish_form": PublishForm(),
        "today": today,
    }
    return render(request, "assistance/notices/list.html", context)


@require_POST
@login_required
@notice_write
def notice_publish(request: HttpRequest) -> HttpResponse:
    form = PublishForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("assistance:notice_list")
    try:
        notice = services.notice_publish(
            actor=request.user,
            village_code=form.cleaned_data["village"],
            starts_on=form.cleaned_data["starts_on"],
        )
    except services.AssistanceError as exc:
        messages.error(request, exc.message)
        return redirect("assistance:notice_list")
    messages.success(
        request,
        _("已发布公示：%(village)s，%(start)s 至 %(end)s，共 %(n)s 户（人）。")
        % {
            "village": notice.village.name,
            "start": notice.starts_on.isoformat(),
            "end": notice.ends_on.isoformat(),
            "n": notice.entries.count(),
        },
    )
    return redirect("assistance:notice_detail", pk=notice.pk)


def _detail_context(request: HttpRequest, notice, *, failed_entry=None, failed_objection=None, form=None):
    """The notice page: each line with its objections, the record form per line and the decide
    form per pending objection (the one that failed validation is shown bound, with its errors)."""
    can_act = can_act_at(request.user, StepLevel.TOWN, notice.village_id)
    entries = list(notice.entries.all())
    for entry in entries:
        entry.form = form if entry.pk == failed_entry else ObjectionForm(auto_id=f"id_e{entry.pk}_%s")
        entry.back_to_investigation = False
        entry.objection_rows = list(entry.objections.all())
        for objection in entry.objection_rows:
            if objection.pk == failed_objection:
                objection.form = form
            else:
                objection.form = DecideForm(auto_id=f"id_o{objection.pk}_%s")
            if objection.status == ObjectionStatus.UPHELD:
                entry.back_to_investigation = True
        entry.in_progress = entry.application.status == ApplicationStatus.IN_PROGRESS
        # an objection upheld after the application was decided sends nothing back (the service)
        entry.back_to_investigation = entry.back_to_investigation and entry.in_progress
    return {
        "notice": notice,
        "entries": entries,
        "state": selectors.period_state(notice),
        "can_act": can_act,
        "hotline": hotline(),
        "objection_how": OBJECTION_HOW,
    }


@require_GET
@login_required
@notice_access
def notice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    notice = selectors.notice_get(request.user, pk)
    return render(request, "assistance/notices/detail.html", _detail_context(request, notice))


@require_GET
@login_required
@notice_access
def notice_print(request: HttpRequest, pk: int) -> HttpResponse:
    """The notice as posted in the village: only what NoticeEntry keeps (never an ID number,
    illness, disability or address)."""
    notice = selectors.notice_get(request.user, pk)
    context = {
        "notice": notice,
        "entries": list(notice.entries.all()),
        "hotline": hotline(),
        "objection_how": OBJECTION_HOW,
    }
    return render(request, "assistance/notices/print.html", context)


@require_POST
@login_required
@objection_write
def objection_record(request: HttpRequest, entry_pk: int) -> HttpResponse:
    entry = get_in_scope_or_404(
        NoticeEntry.objects.all(), request.user, region_path="application__region__code", pk=entry_pk
    )
    form = ObjectionForm(request.POST, auto_id=f"id_e{entry.pk}_%s")
    if not form.is_valid():
        notice = selectors.notice_get(request.user, entry.notice_id)
        context = _detail_context(request, notice, failed_entry=entry.pk, form=form)
        return render(request, "assistance/notices/detail.html", context, status=400)
    try:
        services.objection_record(actor=request.user, entry_id=entry.pk, **form.cleaned_data)
    except services.AssistanceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已登记异议，请核实后登记处理结果。"))
    return redirect("assistance:notice_detail", pk=entry.notice_id)


@require_POST
@login_required
@objection_write
def objection_decide(request: HttpRequest, pk: int) -> HttpResponse:
    objection = get_in_scope_or_404(
        Objection.objects.select_related("entry"),
        request.user,
        region_path="entry__application__region__code",
        pk=pk,
    )
    notice_id = objection.entry.notice_id
    form = DecideForm(request.POST, auto_id=f"id_o{objection.pk}_%s")
    if not form.is_valid():
        notice = selectors.notice_get(request.user, notice_id)
        context = _detail_context(request, notice, failed_objection=objection.pk, form=form)
        return render(request, "assistance/notices/detail.html", context, status=400)
    upheld = form.cleaned_data["decision"] == DecideForm.UPHELD
    try:
        services.objection_decide(
            actor=request.user, objection_id=objection.pk, upheld=upheld, finding=form.cleaned_data["finding"]
        )
    except services.AssistanceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("异议成立：该申请已退回入户调查，重新调查后将再次公示。")
            if upheld
            else _("已登记：异议不成立。公示期满后可办理下一步。"),
        )
    return redirect("assistance:notice_detail", pk=notice_id)


@require_GET
@login_required
@notice_access
def standing_list(request: HttpRequest) -> HttpResponse:
    """Without `village`: the villages with 低保 households to choose from; with it: that village's
    standing list, on screen or (`print=1`) as the printable page."""
    code = request.GET.get("village", "")
    if not code:
        context = {"villages": selectors.standing_villages(request.user)}
        return render(request, "assistance/notices/standing_choose.html", context)
    village = selectors.village_get(request.user, code)
    today = clock.today()
    grants = selectors.standing_list(request.user, village)
    for grant in grants:
        grant.head_display = notice_display_name(grant.head, today)
    context = {"village": village, "grants": grants, "today": today, "hotline": hotline()}
    template = "standing_print.html" if request.GET.get("print") else "standing.html"
    return render(request, f"assistance/notices/{template}", context)
