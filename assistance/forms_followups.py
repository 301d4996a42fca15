"""Forms of the follow-up (回访) pages; every error message is Chinese and says what is allowed."""

from django import forms
from django.utils.translation import gettext_lazy as _

from assistance.models import FollowUpResult, FollowUpStatus
from assistance.selectors_followups import FollowUpFilters


class FollowUpFilterForm(forms.Form):
    """The list's GET filters; an invalid value is dropped, never widens the scope."""

    status = forms.ChoiceField(label=_("状态"), choices=FollowUpStatus.choices, required=False)
    mine = forms.BooleanField(label=_("仅看分派给我的"), required=False)
    overdue = forms.BooleanField(label=_("仅看逾期"), required=False)

    def filters(self) -> FollowUpFilters:
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        return FollowUpFilters(
            status=data.get("status") or FollowUpStatus.OPEN,
            mine=bool(data.get("mine")),
            overdue=bool(data.get("overdue")),
        )


class FollowUpRecordForm(forms.Form):
    result = forms.ChoiceField(
        label=_("回访结果"),
        choices=FollowUpResult.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("请选择回访结果。"),
            "invalid_choice": _("回访结果无效，请从列出的结果中选择一项。"),
        },
    )
    note = forms.CharField(
        label=_("回访情况"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4, "class": "form-control"}),
        error_messages={"required": _("请填写回访情况：见到了谁、家庭现在的困难和需要。")},
    )
