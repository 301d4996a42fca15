"""Rule pages for supervisors and data admins: current parameters, edit with a what-if preview,
version history. Caseworkers get 403."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from alerts.models import MonitoringRun, RuleCode, RuleVersion
from alerts.rules.definitions import compress_codes
from alerts.rules.forms import RuleParamsForm
from alerts.services.preview import preview_counts
from alerts.services.rules import current_rule_versions, rule_version_create
from households import clock
from households.models import Region


def _rule_or_404(rule: str) -> RuleCode:
    if rule not in RuleCode.values:
        raise Http404(_("没有这条预警规则"))
    return RuleCode(rule)


def _require(request: HttpRequest, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied(_("预警规则仅向督导和数据管理员开放"))


def params_display(params: dict) -> list[tuple[str, str]]:
    labels = {"threshold_yuan": _("自付费用阈值"), "window_days": _("时间窗口"), "cooldown_days": _("冷却期")}
    rows = []
    for key, value in params.items():
        if key == "threshold_yuan":
            rows.append((labels[key], _("%(v)s 元") % {"v": f"{float(value):,.2f}"}))
        elif key in ("window_days", "cooldown_days"):
            rows.append((labels[key], _("%(v)s 天") % {"v": value}))
        elif key == "diseases":
            child = sum(1 for d in value if d.get("child"))
            rows.append((_("病种"), _("%(n)s 个（其中儿童病种 %(c)s 个）") % {"n": len(value), "c": child}))
    return rows


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
    return render(
        request,
        "alerts/rules/list.html",
        {"rows": rows, "runs": runs, "can_edit": request.user.has_perm("alerts.add_ruleversion")},
    )


def _county_names(codes) -> dict[str, str]:
    return dict(Region.objects.filter(code__in=list(codes)).values_list("code", "name"))


@login_required
def rule_edit(request: HttpRequest, rule: str) -> HttpResponse:
    rule = _rule_or_404(rule)
    _require(request, "alerts.add_ruleversion")
    prefix = request.user.scope_prefix
    if prefix is None:
        raise PermissionDenied(_("您的账号未设置管辖区域"))
    current = current_rule_versions()[rule]
    preview = None
    if request.method == "POST":
        form = RuleParamsForm(request.POST, rule=rule)
        action = request.POST.get("action", "preview")
        if form.is_valid() and action == "save" and form.require_note():
            version = rule_version_create(
                rule=rule, params=form.cleaned_params, user=request.user, note=form.cleaned_data["note"]
            )
            messages.success(
                request,
                _("已保存为“%(rule)s”第 %(v)s 版，自下一次监测运行起生效")
                % {"rule": rule.label, "v": version.version},
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
        form = RuleParamsForm(initial=RuleParamsForm.initial_from(current.params), rule=rule)
    return render(
        request,
        "alerts/rules/edit.html",
        {"rule": rule, "current": current, "form": form, "preview": preview},
    )


@login_required
def rule_history(request: HttpRequest, rule: str) -> HttpResponse:
    rule = _rule_or_404(rule)
    _require(request, "alerts.view_ruleversion")
    versions = RuleVersion.objects.filter(rule=rule).select_related("created_by").order_by("-version")
    rows = []
    for v in versions:
        diseases = [
            (d["name"], compress_codes(d["codes"]), d.get("child", False))
            for d in v.params.get("diseases", [])
        ]
        rows.append({"version": v, "params": params_display(v.params), "diseases": diseases})
    return render(request, "alerts/rules/history.html", {"rule": rule, "rows": rows})
