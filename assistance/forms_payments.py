"""Forms of the payment pages: computing a roll, a recipient's account, a correction."""

import re
from datetime import date
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from assistance.models import AccountKind, LineStatus

MONTH = re.compile(r"^(\d{4})-(\d{2})$")


class RollComputeForm(forms.Form):
    county = forms.ChoiceField(label=_("县（市、区）"), choices=())
    month = forms.CharField(label=_("发放月份"), max_length=7)

    def __init__(self, *args, counties=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["county"].choices = [(c.code, c.name) for c in counties]

    def clean_month(self) -> date:
        match = MONTH.match(self.cleaned_data["month"].strip())
        if not match or not 1 <= int(match[2]) <= 12 or not 2000 <= int(match[1]) <= 2100:
            raise forms.ValidationError(_("发放月份应写作“年-月”，例如 2027-03"))
        return date(int(match[1]), int(match[2]), 1)


class LineFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("发放结果"), choices=[("", _("全部")), *LineStatus.choices], required=False
    )
    town = forms.RegexField(label=_("乡镇（街道）"), regex=r"^\d{9}$", required=False)


class AccountForm(forms.Form):
    kind = forms.ChoiceField(label=_("账户类型"), choices=AccountKind.choices)
    bank_name = forms.CharField(label=_("开户银行"), max_length=60)
    account_no = forms.CharField(
        label=_("账号"), max_length=40, help_text=_("8 至 32 位数字；保存后只显示前四位和后四位")
    )


class AdjustmentForm(forms.Form):
    amount = forms.DecimalField(
        label=_("补发金额（元）"),
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0.01"),
        error_messages={"min_value": _("补发金额应大于 0 元")},
    )
    reason = forms.CharField(label=_("原因"), max_length=200)
