"""Forms of the review and exit pages: they only read the input; the services decide what is allowed."""

from django import forms
from django.utils.translation import gettext_lazy as _

from assistance.models import ExitReason, ReviewOutcome, ReviewReason
from assistance.services.exits import DECIDED_REASONS

EXIT_CHOICES = [("", _("（请选择）"))] + [(r, ExitReason(r).label) for r in DECIDED_REASONS]
INTERVAL_CHOICES = [("", _("按原间隔")), ("3", _("3个月")), ("6", _("6个月")), ("12", _("12个月"))]


class ReviewFilterForm(forms.Form):
    mine = forms.BooleanField(label=_("只看分派给我的"), required=False)
    reason = forms.ChoiceField(
        label=_("复核原因"), choices=[("", _("全部原因")), *ReviewReason.choices], required=False
    )
    status = forms.ChoiceField(
        label=_("状态"), choices=[("", _("待复核")), ("done", _("已复核"))], required=False
    )


class ReviewDecideForm(forms.Form):
    lock_version = forms.IntegerField(widget=forms.HiddenInput)
    outcome = forms.ChoiceField(label=_("复核结论"), choices=ReviewOutcome.choices, widget=forms.RadioSelect)
    new_amount = forms.DecimalField(
        label=_("调整后月金额（元）"), required=False, min_value=0, max_digits=10, decimal_places=2
    )
    gradual_exit_months = forms.IntegerField(label=_("渐退期（月）"), required=False)
    next_interval_months = forms.TypedChoiceField(
        label=_("下次复核间隔"), choices=INTERVAL_CHOICES, coerce=int, empty_value=None, required=False
    )
    exit_reason = forms.ChoiceField(label=_("退出原因"), choices=EXIT_CHOICES, required=False)
    effective_on = forms.DateField(
        label=_("退出生效日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(
        label=_("复核情况"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("请填写复核情况（入户核实了什么、依据是什么）。")},
    )


class GrantExitForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("退出原因"), choices=EXIT_CHOICES, error_messages={"required": _("请选择退出原因。")}
    )
    effective_on = forms.DateField(
        label=_("退出生效日期"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": _("请填写退出生效日期。"), "invalid": _("请按 年-月-日 填写日期。")},
    )
    note = forms.CharField(label=_("说明"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
