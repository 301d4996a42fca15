"""Forms of an application's page: one per action. They check shape only (required, numbers,
dates); the services decide whether the action is allowed now and say why not."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from assistance.models import Application, FindingStatus, SelfCareLevel
from assistance.selectors_case import second_staff_choices
from assistance.services.steps import OPINION_REQUIRED_CODES

DATE_INVALID = _("日期格式应为 年-月-日，例如 2026-03-02。")
# Steps whose opinion is a written decision (services.step_pass refuses them without one).


class VersionedForm(forms.Form):
    """Carries the application version the page was rendered from (optimistic concurrency)."""

    lock_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    # one page shows every action's form: ids must not clash (撤回原因 and 不予批准理由 are both `reason`)
    id_prefix = "form"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", f"id_{self.id_prefix}_%s")
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.HiddenInput | forms.RadioSelect):
                continue
            widget.attrs["class"] = (
                "form-select form-select-sm"
                if isinstance(widget, forms.Select)
                else "form-control form-control-sm"
            )


class PassForm(VersionedForm):
    id_prefix = "pass"
    opinion = forms.CharField(
        label=_("意见"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, step=None, **kwargs):
        super().__init__(*args, **kwargs)
        if step is not None and step.code in OPINION_REQUIRED_CODES:
            field = self.fields["opinion"]
            field.required = True
            # "初审意见" is already an opinion: not "初审意见意见"
            if not step.name.endswith("意见"):
                field.label = _("%(step)s意见") % {"step": step.name}
            else:
                field.label = step.name
            field.error_messages["required"] = _("请填写“%(step)s”意见。") % {"step": step.name}


class RejectForm(VersionedForm):
    id_prefix = "reject"
    reason = forms.CharField(
        label=_("不予批准理由（书面）"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("不予批准须填写书面理由。")},
    )


class WithdrawForm(VersionedForm):
    id_prefix = "withdraw"
    reason = forms.CharField(
        label=_("撤回原因"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("撤回须填写原因。")},
    )


class VisitForm(VersionedForm):
    id_prefix = "visit"
    visited_on = forms.DateField(
        label=_("调查日期"),
        # ISO whatever the language: a date input shows nothing for "2026/06/08" (zh-hans's format)
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": DATE_INVALID, "required": _("请填写调查日期。")},
    )
    staff_second = forms.ModelChoiceField(
        label=_("第二名调查人员"),
        queryset=None,
        error_messages={
            "required": _("请选择第二名调查人员。"),
            "invalid_choice": _("第二名调查人员须为负责该家庭所在区域的在职工作人员（不能是您本人）。"),
        },
    )
    findings = forms.CharField(
        label=_("调查情况"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("请填写调查情况。")},
    )
    household_situation = forms.CharField(
        label=_("家庭状况"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("请填写家庭状况。")},
    )

    def __init__(self, *args, application: Application, actor, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["staff_second"]
        field.queryset = second_staff_choices(application=application, actor=actor)
        field.empty_label = _("请选择")
        field.label_from_instance = lambda u: f"{u.get_full_name() or u.username}（{u.scope.name}）"


class DibaoAmountForm(VersionedForm):
    id_prefix = "amount"
    monthly_income_per_capita = forms.DecimalField(
        label=_("家庭月人均收入（元）"),
        min_value=0,
        max_digits=10,
        decimal_places=2,
        error_messages={"required": _("请填写家庭月人均收入。")},
    )
    members_covered = forms.IntegerField(
        label=_("保障人数"), min_value=1, max_value=99, error_messages={"required": _("请填写保障人数。")}
    )


class TekunAmountForm(VersionedForm):
    id_prefix = "amount"
    self_care_level = forms.ChoiceField(
        label=_("生活自理能力"),
        choices=[("", _("请选择")), *SelfCareLevel.choices],
        error_messages={"required": _("请选择生活自理能力。")},
    )


class CaseAmountForm(VersionedForm):
    id_prefix = "amount"
    case_amount = forms.DecimalField(
        label=_("救助金额（元）"),
        min_value=Decimal("0.01"),
        max_digits=10,
        decimal_places=2,
        error_messages={"required": _("请填写救助金额。")},
    )

    def __init__(self, *args, program, **kwargs):
        super().__init__(*args, **kwargs)
        if program.code == "hardship_fund":
            self.fields["case_amount"].label = _("评委会评审金额（元）")


def amount_form(program, *args, **kwargs) -> VersionedForm | None:
    """The amount form of `program`'s rule (DOMAIN.md "Amounts"); None for recognition programmes,
    which grant no amount."""
    if program.category == "dibao":
        return DibaoAmountForm(*args, **kwargs)
    if program.category == "tekun":
        return TekunAmountForm(*args, **kwargs)
    if program.kind == "one_off":
        return CaseAmountForm(*args, program=program, **kwargs)
    return None


class FindingForm(forms.Form):
    status = forms.ChoiceField(
        label=_("核对结果"),
        choices=[
            (FindingStatus.CONFIRMED, FindingStatus.CONFIRMED.label),
            (FindingStatus.EXPLAINED, FindingStatus.EXPLAINED.label),
        ],
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        error_messages={
            "required": _("请选择“属实”或“已说明”。"),
            "invalid_choice": _("请选择“属实”或“已说明”。"),
        },
    )
    explanation = forms.CharField(
        label=_("说明"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(
            attrs={
                "rows": 2,
                "class": "form-control form-control-sm",
                "placeholder": _("说明（选择“已说明”时必填）"),
                "aria-label": _("说明"),
            }
        ),
    )

    def clean(self):
        data = super().clean()
        if data.get("status") == FindingStatus.EXPLAINED and not (data.get("explanation") or "").strip():
            self.add_error("explanation", _("选择“已说明”时须填写说明。"))
        return data
