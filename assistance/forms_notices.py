"""Forms of the 公示 pages: publishing a village's notice, recording and deciding an objection.
They check shapes only; the services check dates against the notice and the user's region."""

from django import forms
from django.utils.translation import gettext_lazy as _

from households import clock

DATE_INPUT = forms.DateInput(
    attrs={"type": "date", "class": "form-control form-control-sm"}, format="%Y-%m-%d"
)


class PublishForm(forms.Form):
    village = forms.CharField(max_length=12, widget=forms.HiddenInput)
    starts_on = forms.DateField(
        label=_("公示开始日期"), required=False, widget=DATE_INPUT, help_text=_("不填则从今天开始")
    )


class ObjectionForm(forms.Form):
    received_on = forms.DateField(label=_("收到日期"), widget=DATE_INPUT)
    content = forms.CharField(
        label=_("异议内容"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control form-control-sm"}),
    )
    raised_by = forms.CharField(
        label=_("异议人"),
        max_length=60,
        required=False,
        help_text=_("可匿名，不填即为匿名"),
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["received_on"].initial = clock.today


class DecideForm(forms.Form):
    UPHELD = "upheld"
    DISMISSED = "dismissed"

    decision = forms.ChoiceField(
        label=_("处理结果"),
        choices=[
            (UPHELD, _("异议成立（退回重新入户调查）")),
            (DISMISSED, _("异议不成立")),
        ],
        widget=forms.RadioSelect,
    )
    finding = forms.CharField(
        label=_("核实情况"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control form-control-sm"}),
    )
