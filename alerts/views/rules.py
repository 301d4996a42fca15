"""Rule pages: current parameters, edit with a what-if preview, version history, proposals.

Supervisors and data admins read them; city-wide supervisors save new versions and decide
proposals; supervisors below the city preview on their region and propose. Others get 403.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from alerts.models import MonitoringRun, ProposalStatus, RuleCode, RuleProposal, RuleVersion
from alerts.rules.definitions import compress_codes
from alerts.rules.forms import ProposalDecisionForm, RuleParamsForm
from alerts.services.preview import preview_counts
from alerts.services.rules import (
    ProposalError,
    current_rule_versions,
    rule_proposal_create,
    rule_proposal_decide,
    rule_version_create,
)
from households import clock
from households.models import Region
from households.scoping import scope_queryset


def _rule_or_404(rule: str) -> RuleCode:
    if rule not in RuleCode.values:
        raise Http404(_("没有这条预警规则"))
    return RuleCode(rule)


def _require(request: HttpRequest, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied(_("预警规则仅向督导和数据管理员开放"))


def _can_save(user) -> bool:
    return user.has_perm("alerts.add_ruleversion")


def _can_propose(user) -> bool:
    return user.has_perm("alerts.add_ruleproposal")


def _proposals(user):
    """Proposals of the user's region (a city-wide supervisor: all), newest first."""
    if not user.has_perm("alerts.view_ruleproposal"):
        return RuleProposal.objects.none()
    qs = RuleProposal.objects.select_related("proposed_by", "region", "based_on", "decided_by")
    return scope_queryset(qs, user)


def params_display(params: dict) -> list[tuple[str, str]]:
    labels = {
        "threshold_yuan": _("自付费用阈值"),
        "window_days": _("时间窗口"),
        "cooldown_days": _("冷却期"),
        "deadline_days": _("办理期限"),
    }
    rows = []
    # A fixed order (the stored JSON's key order is by key length, not meaning).
    shown = ("threshold_yuan", "window_days", "cooldown_days", "deadline_days", "diseases")
    for key, value in ((k, params[k]) for k in shown if k in params):
        if key == "threshold_yuan":
            rows.append((labels[key], _("%(v)s 元") % {"v": f"{float(value):,.2f}"}))
        elif key in ("window_days", "cooldown_days", "deadline_days"):
            rows.append((labels[key], _("%(v)s 天") % {"v": value}))
        elif key == "diseases":
            child = sum(1 for d in value if d.get("child"))
            rows.append((_("病种"), _("%(n)s 个（其中儿童病种 %(c)s 个）") % {"n": len(value), "c": child}))
    return rows


def diseases_display(params: dict) -> list[tuple[str, str, bool]]:
    return [
        (d["name"], compress_codes(d["codes"]), d.get("child", False)) for d in params.get("diseases", [])
    ]


@login_required
def rules(request: HttpRequest) -> HttpResponse:
    _require(request, "alerts.view_ruleversion")
    current = current_rule_versions()
    rows = [
        {
            "rule": rule,
            "label": label,
            "version": current[rule],
            "params": params_display(current[rule].params),
        }
        for rule, label in RuleCode.choices
    ]
    runs = MonitoringRun.objects.all()[:10]
    proposals = _proposals(request.user)
    context = {
        "rows": rows,
        "runs": runs,
        "can_edit": _can_save(request.user) or _can_propose(request.user),
        "can_save": _can_save(request.user),
        "pending": list(proposals.filter(status=ProposalStatus.PENDING)),
        "decided": list(proposals.exclude(status=ProposalStatus.PENDING)[:10]),
    }
    return render(request, "alerts/rules/list.html", context)


def _county_names(codes) -> dict[str, str]:
    return dict(Region.objects.filter(code__in=list(codes)).values_list("code", "name"))


@login_required
def rule_edit(request: HttpRequest, rule: str) -> HttpResponse:
    rule = _rule_or_404(rule)
    user = request.user
    if not (_can_save(user) or _can_propose(user)):
        raise PermissionDenied(_("只有督导可以修改预警规则（市级督导保存，区县督导提出建议）"))
    prefix = user.scope_prefix
    if prefix is None:
        raise PermissionDenied(_("您的账号未设置管辖区域"))
    current = current_rule_versions()[rule]
    preview = None
    if request.method == "POST":
        form = RuleParamsForm(request.POST, rule=rule)
        action = request.POST.get("action", "preview")
        if action == "save" and not _can_save(user):
            raise PermissionDenied(_("预警规则适用于全市，只有市级督导可以保存新版本；您可以提出修改建议。"))
        if action == "propose" and not _can_propose(user):
            raise PermissionDenied(_("市级督导直接保存新版本，无需提出建议。"))
        if form.is_valid() and action in ("save", "propose") and form.require_note():
            create = rule_version_create if action == "save" else rule_proposal_create
            try:
                saved = create(
                    rule=rule, params=form.cleaned_params, user=user, note=form.cleaned_data["note"]
                )
            except ValidationError as exc:  # e.g. a disease key the rule never had
                for field, errors in exc.error_dict.items():
                    form.add_error(field, errors)
            else:
                if action == "propose":
                    messages.success(request, _("修改建议已提交，等待市级督导审议。"))
                    return redirect("alerts:rule_proposal", pk=saved.pk)
                messages.success(
                    request,
                    _("已保存为“%(rule)s”第 %(v)s 版，自下一次监测运行起生效")
                    % {"rule": rule.label, "v": saved.version},
                )
                return redirect("alerts:rule_history", rule=rule.value)
        if form.is_valid():
            today = clock.today()
            draft = preview_counts(drafts={rule: form.cleaned_params}, as_of=today, county_prefix=prefix)[
                rule
            ]
            now = preview_counts(drafts={rule: current.params}, as_of=today, county_prefix=prefix)[rule]
            names = _county_names(set(draft) | set(now))
            preview = {
                "as_of": today,
                "rows": [
                    {"code": c, "name": names.get(c, c), "draft": draft.get(c, 0), "current": now.get(c, 0)}
                    for c in sorted(set(draft) | set(now))
                ],
                "draft_total": sum(draft.values()),
                "current_total": sum(now.values()),
            }
    else:
        params = current.params
        proposal_id = request.GET.get("proposal", "")
        if proposal_id.isdigit():  # a city supervisor previews a proposal before deciding
            proposal = get_object_or_404(_proposals(user), pk=int(proposal_id), rule=rule)
            params = proposal.params
        form = RuleParamsForm(initial=RuleParamsForm.initial_from(params), rule=rule)
    context = {
        "rule": rule,
        "current": current,
        "form": form,
        "preview": preview,
        "can_save": _can_save(user),
        "can_propose": _can_propose(user),
    }
    return render(request, "alerts/rules/edit.html", context)


@login_required
def rule_history(request: HttpRequest, rule: str) -> HttpResponse:
    rule = _rule_or_404(rule)
    _require(request, "alerts.view_ruleversion")
    versions = RuleVersion.objects.filter(rule=rule).select_related("created_by").order_by("-version")
    rows = []
    for v in versions:
        rows.append(
            {"version": v, "params": params_display(v.params), "diseases": diseases_display(v.params)}
        )
    return render(request, "alerts/rules/history.html", {"rule": rule, "rows": rows})


@login_required
def rule_proposal(request: HttpRequest, pk: int) -> HttpResponse:
    """A proposal as it was made, beside the rule's current parameters; city supervisors decide here."""
    _require(request, "alerts.view_ruleproposal")
    proposal = get_object_or_404(_proposals(request.user), pk=pk)
    current = current_rule_versions()[proposal.rule]
    can_decide = proposal.status == ProposalStatus.PENDING and request.user.has_perm(
        "alerts.change_ruleproposal"
    )
    form = ProposalDecisionForm(request.POST or None)
    if request.method == "POST":
        if not request.user.has_perm("alerts.change_ruleproposal"):
            raise PermissionDenied(_("只有市级督导可以审议规则修改建议。"))
        if form.is_valid():
            try:
                proposal = rule_proposal_decide(
                    proposal=proposal,
                    user=request.user,
                    adopt=form.cleaned_data["decision"] == "adopt",
                    note=form.cleaned_data["note"],
                )
            except ProposalError as exc:
                messages.error(request, exc.message)
            except ValidationError as exc:  # parameters the rule no longer accepts: nothing adopted
                messages.error(
                    request,
                    _("该建议的参数已不符合现行规则，未能采纳：%(why)s") % {"why": "；".join(exc.messages)},
                )
            else:
                if proposal.status == ProposalStatus.ADOPTED:
                    messages.success(
                        request,
                        _("已采纳，保存为第 %(v)s 版，自下一次监测运行起生效。")
                        % {"v": proposal.adopted_version.version},
                    )
                else:
                    messages.success(request, _("已记录：未采纳该建议。"))
            return redirect("alerts:rule_proposal", pk=proposal.pk)
    context = {
        "proposal": proposal,
        "rule": RuleCode(proposal.rule),
        "proposed": params_display(proposal.params),
        "proposed_diseases": diseases_display(proposal.params),
        "current": current,
        "current_params": params_display(current.params),
        "current_diseases": diseases_display(current.params),
        "can_decide": can_decide,
        "form": form,
    }
    return render(request, "alerts/rules/proposal.html", context)
