"""An application's page and one POST view per step action.

Views check access (scoped fetch: out of region is 404), validate the form and call one service;
the services check roles, levels and states and write the history. The page shows only the
actions the user may take now, by the same rules (`services.common.can_act_at`, `step_level`).
"""

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from assistance import services
from assistance.forms_case import (
    FindingForm,
    PassForm,
    RejectForm,
    VisitForm,
    WithdrawForm,
    amount_form,
)
from assistance.models import (
    Application,
    ApplicationStatus,
    Finding,
    FindingStatus,
    StepCode,
    StepLevel,
    StepStatus,
)
from assistance.selectors_case import application_get, case_file
from assistance.services.common import can_act_at

# the services' own rule for who decides a step (one place): pages show the buttons by it
from assistance.services.steps import FINAL_CODES, amount_open, step_level
from households import clock
from households.decorators import permission_required
from households.readlog import services as readlog
from households.readlog.models import ReadAction

case_access = permission_required("assistance.view_application", gettext_lazy("救助申请仅向经办人和督导开放"))
case_change = permission_required(
    "assistance.change_application", gettext_lazy("救助申请仅向经办人和督导开放")
)

# The computation's inputs (assistance/amounts.py) as the page names them.
INPUT_LABELS = {
    "monthly_standard": gettext_lazy("月保障标准（元/人）"),
    "per_capita_income": gettext_lazy("家庭月人均收入（元）"),
    "members": gettext_lazy("保障人数"),
    "min_monthly_per_person": gettext_lazy("每人每月最低救助金额（元）"),
    "basic_monthly": gettext_lazy("基本生活标准（元/月）"),
    "self_care_level": gettext_lazy("生活自理能力"),
    "care_monthly": gettext_lazy("照料护理补贴（元/月）"),
    "case_amount": gettext_lazy("申请救助金额（元）"),
    "monthly_dibao_standard": gettext_lazy("月低保标准（元）"),
    "cap_months": gettext_lazy("上限倍数（月）"),
    "cap": gettext_lazy("救助上限（元）"),
    "town_limit": gettext_lazy("乡镇审批限额（元）"),
    "committee_amount": gettext_lazy("评委会评审金额（元）"),
}


def notice_url(notice_id: int) -> str:
    return reverse("assistance:notice_detail", args=[notice_id])


def _due(due_on, has_limit: bool) -> dict:
    """A due date as the page shows it: a date, "no limit", or pending (the year's holidays are not
    entered yet, so working days cannot be counted)."""
    return {"on": due_on, "none": not has_limit, "pending": has_limit and due_on is None}


def _actions(user, application: Application, first_reviewer_id: int | None) -> dict:
    """What `user` may do now, by the services' rules (they check again on every POST)."""
    is_open = application.status == ApplicationStatus.IN_PROGRESS
    step = application.current_step if is_open else None
    region = application.region_id
    town = is_open and can_act_at(user, StepLevel.TOWN, region)
    level = step_level(application, step) if step else ""
    decide = step is not None and can_act_at(user, level, region)
    # maker-checker: whoever gave 初审 does not give the final confirmation
    maker = decide and step.code in FINAL_CODES and first_reviewer_id == user.pk
    return {
        "is_open": is_open,
        "decision_level": level,
        "decision_level_label": StepLevel(level).label if level else "",
        "can_pass": decide and not maker,
        "can_reject": decide,
        "maker_blocked": maker,
        "can_town": town,
        "can_withdraw": town and getattr(application, "grant", None) is None,
    }


def _context(request: HttpRequest, application: Application, **bound) -> dict:
    user = request.user
    file = case_file(application)
    today = clock.today()
    program = application.program
    readlog.note(
        request,
        ReadAction.PERSON_VIEW,
        household_ids=[application.household_id],
        person_ids={application.applicant_id, *(f.person_id for f in file.findings)}
        | ({file.head.pk} if file.head else set()),
    )
    actions = _actions(user, application, file.first_reviewer_id)
    initial = {"lock_version": application.lock_version}
    step = application.current_step if actions["is_open"] else None
    program_limit = program.time_limit_working_days is not None
    steps = [
        {
            "step": s,
            "due": _due(s.due_on, program_limit or s.template.time_limit is not None),
            "overdue": s.days_overdue(today),
            "returned": s.status == StepStatus.RETURNED,
        }
        for s in file.steps
    ]
    current = next((row for row in steps if step and row["step"].pk == step.pk), None)
    computation = application.computation or {}
    # in the order INPUT_LABELS gives them (jsonb keeps keys sorted by length, not as written)
    order = {key: i for i, key in enumerate(INPUT_LABELS)}
    stored = sorted((computation.get("inputs") or {}).items(), key=lambda kv: order.get(kv[0], len(order)))
    inputs = [(INPUT_LABELS.get(key, key), value) for key, value in stored]
    context = {
        "application": application,
        "file": file,
        "head": file.head,
        "steps": steps,
        "current": current,
        "overall_due": _due(application.due_on, program_limit),
        "days_overdue": application.days_overdue(today),
        "computation": computation,
        "inputs": inputs,
        "approval_level": StepLevel(computation["approval_level"]).label
        if computation.get("approval_level") in StepLevel.values
        else "",
        "entries": [(e, notice_url(e.notice_id)) for e in file.entries],
        # 临时救助 has no 公示: an empty "尚未列入公示" there would suggest a step that is missing
        "has_notice_step": any(s.code == StepCode.NOTICE for s in file.steps),
        "grant": getattr(application, "grant", None),
        "today": today,
        **actions,
        "pass_form": PassForm(initial=initial, step=step),
        "reject_form": RejectForm(initial=initial),
        "withdraw_form": WithdrawForm(initial=initial),
        "amount_form": (
            amount_form(program, initial=_amount_initial(application)) if amount_open(application) else None
        ),
        "finding_forms": {
            f.pk: FindingForm(auto_id=f"id_finding{f.pk}_%s")
            for f in file.findings
            # confirmed at 信息核对 only (the service refuses it at any other step)
            if f.status == FindingStatus.PENDING and step is not None and step.code == StepCode.INFO_CHECK
        },
    }
    if actions["can_town"]:
        context["visit_form"] = VisitForm(
            initial={**initial, "visited_on": today}, application=application, actor=user
        )
    finding_form = bound.pop("finding_form", None)
    if finding_form is not None:
        context["finding_forms"][finding_form.finding_id] = finding_form
    context.update(bound)
    context["findings"] = [(f, context["finding_forms"].get(f.pk)) for f in file.findings]
    return context


def _amount_initial(application: Application) -> dict:
    return {
        "lock_version": application.lock_version,
        "monthly_income_per_capita": application.monthly_income_per_capita,
        "members_covered": application.members_covered,
        "self_care_level": application.self_care_level,
        "case_amount": application.case_amount,
    }


@require_GET
@login_required
@case_access
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    application = application_get(user=request.user, pk=pk)
    return render(request, "assistance/case/detail.html", _context(request, application))


def _act(
    request: HttpRequest,
    pk: int,
    form_name: str,
    make_form: Callable[[Application], forms.Form],
    call: Callable[[Application, dict], object],
    success: Callable[[object], str],
) -> HttpResponse:
    """Validate the form, call the service; a form error re-renders the page (400), a refused or
    stale action comes back as a message on the page as it is now, success redirects to it."""
    application = application_get(user=request.user, pk=pk)
    form = make_form(application)
    if not form.is_valid():
        context = _context(request, application, **{form_name: form})
        return render(request, "assistance/case/detail.html", context, status=400)
    try:
        result = call(application, form.cleaned_data)
    except services.AssistanceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, success(result))
    return redirect("assistance:application_detail", pk=application.pk)


@require_POST
@login_required
@case_change
def application_pass(request: HttpRequest, pk: int) -> HttpResponse:
    def call(application, data):
        step_name = application.current_step.name if application.current_step_id else ""
        services.step_pass(
            actor=request.user,
            application_id=application.pk,
            lock_version=data["lock_version"],
            opinion=data["opinion"],
        )
        return step_name

    return _act(
        request,
        pk,
        "pass_form",
        lambda a: PassForm(request.POST, step=a.current_step),
        call,
        lambda name: _("“%(step)s”已办理通过。") % {"step": name},
    )


@require_POST
@login_required
@case_change
def application_reject(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        "reject_form",
        lambda _a: RejectForm(request.POST),
        lambda a, data: services.step_reject(
            actor=request.user, application_id=a.pk, lock_version=data["lock_version"], reason=data["reason"]
        ),
        lambda _r: _("已作出不予批准决定，请在规定时限内书面告知申请人。"),
    )


@require_POST
@login_required
@case_change
def application_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        "withdraw_form",
        lambda _a: WithdrawForm(request.POST),
        lambda a, data: services.application_withdraw(
            actor=request.user, application_id=a.pk, lock_version=data["lock_version"], reason=data["reason"]
        ),
        lambda _r: _("申请已撤回。"),
    )


@require_POST
@login_required
@case_change
def application_visit(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        "visit_form",
        lambda a: VisitForm(request.POST, application=a, actor=request.user),
        lambda a, data: services.application_record_visit(
            actor=request.user,
            application_id=a.pk,
            lock_version=data["lock_version"],
            visited_on=data["visited_on"],
            staff_second=data["staff_second"],
            findings=data["findings"],
            household_situation=data["household_situation"],
        ),
        lambda _r: _("已登记入户调查。"),
    )


class _NoAmountForm(forms.Form):
    """Recognition programmes grant no amount: the service says so."""

    lock_version = forms.IntegerField(min_value=0)


@require_POST
@login_required
@case_change
def application_amount(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        "amount_form",
        lambda a: amount_form(a.program, request.POST) or _NoAmountForm(request.POST),
        lambda a, data: services.application_set_amount(
            actor=request.user,
            application_id=a.pk,
            lock_version=data["lock_version"],
            monthly_income_per_capita=data.get("monthly_income_per_capita"),
            members_covered=data.get("members_covered"),
            self_care_level=data.get("self_care_level", ""),
            case_amount=data.get("case_amount"),
        ),
        lambda a: (
            _("已核定金额：%(amount)s 元（%(formula)s）。")
            % {"amount": a.proposed_amount, "formula": a.computation.get("formula", "")}
        ),
    )


@require_POST
@login_required
@case_change
def finding_confirm(request: HttpRequest, pk: int, finding_pk: int) -> HttpResponse:
    application = application_get(user=request.user, pk=pk)
    finding = get_object_or_404(Finding, pk=finding_pk, application=application)
    form = FindingForm(request.POST, auto_id=f"id_finding{finding.pk}_%s")
    if not form.is_valid():
        form.finding_id = finding.pk
        context = _context(request, application, finding_form=form)
        return render(request, "assistance/case/detail.html", context, status=400)
    try:
        services.finding_confirm(
            actor=request.user,
            finding_id=finding.pk,
            status=form.cleaned_data["status"],
            explanation=form.cleaned_data["explanation"],
        )
    except services.AssistanceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("核对结果已确认：%(summary)s") % {"summary": finding.summary})
    return redirect("assistance:application_detail", pk=application.pk)


@require_POST
@login_required
@case_change
def findings_refresh(request: HttpRequest, pk: int) -> HttpResponse:
    """信息核对: the department data again (a feed arrived after the check opened)."""
    application = application_get(user=request.user, pk=pk)
    try:
        added = services.findings_refresh(actor=request.user, application_id=application.pk)
    except services.AssistanceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已重新提取部门数据：新增 %(n)s 条核对结果。") % {"n": added})
    return redirect("assistance:application_detail", pk=application.pk)
