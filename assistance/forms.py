"""Forms of the application list and of intake (一门受理 and the other channels). The rules of
each channel (who reported it, the hotline ticket) are the service's: the form only shapes input
and asks for what the chosen action needs."""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from assistance.list_selectors import (
    LEVEL_COUNTY,
    LEVEL_TOWN,
    REFERRALS_ANSWERED,
    REFERRALS_OPEN,
    STATUS_ALL,
    ApplicationFilters,
    intake_channels,
    step_choices,
)
from assistance.models import ApplicationStatus, Channel, Program
from households.models import Household

ACCEPT = "accept"
REFER = "refer"


def _any(label) -> list[tuple[str, str]]:
    return [("", label)]


class ApplicationFilterForm(forms.Form):
    """The list's filters; an invalid value is dropped (the list says so) rather than failing."""

    program = forms.ModelChoiceField(
        label=_("救助项目"), queryset=Program.objects.order_by("sort_order", "id"), required=False
    )
    step = forms.ChoiceField(label=_("当前步骤"), required=False)
    channel = forms.ChoiceField(
        label=_("受理渠道"), choices=_any(_("全部渠道")) + list(Channel.choices), required=False
    )
    status = forms.ChoiceField(
        label=_("状态"),
        choices=[*ApplicationStatus.choices, (STATUS_ALL, _("全部"))],
        required=False,
    )
    overdue = forms.BooleanField(label=_("仅看逾期"), required=False)
    staff_relative = forms.BooleanField(label=_("仅看近亲属申请"), required=False)
    level = forms.ChoiceField(
        label=_("办理层级"),
        choices=[("", _("全部层级")), (LEVEL_TOWN, _("乡镇（街道）办理")), (LEVEL_COUNTY, _("县级审核"))],
        required=False,
    )
    q = forms.CharField(label=_("户主姓名"), max_length=50, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["program"].empty_label = _("全部项目")
        self.fields["step"].choices = _any(_("全部步骤")) + step_choices()

    def filters(self) -> ApplicationFilters:
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        program = data.get("program")
        return ApplicationFilters(
            program=program.pk if program else None,
            step=data.get("step") or "",
            overdue=bool(data.get("overdue")),
            channel=data.get("channel") or "",
            status=data.get("status") or ApplicationStatus.IN_PROGRESS,
            staff_relative=bool(data.get("staff_relative")),
            head_name=(data.get("q") or "").strip(),
            level=data.get("level") or "",
        )


class ReferralTabForm(forms.Form):
    status = forms.ChoiceField(
        choices=[(REFERRALS_OPEN, _("待答复")), (REFERRALS_ANSWERED, _("已答复")), (STATUS_ALL, _("全部"))],
        required=False,
    )


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        # never a full resident ID on screen
        return f"{obj.name}（{obj.get_relation_display()}，{obj.masked_id}）"


class IntakeForm(forms.Form):
    """One request taken at the single window, from a grid worker or the hotline, for a household
    already chosen: accepted into a programme (受理) or referred to another department (转介)."""

    household = forms.ModelChoiceField(queryset=Household.objects.none(), widget=forms.HiddenInput)
    applicant = MemberChoiceField(label=_("申请人"), queryset=None)
    channel = forms.ChoiceField(label=_("受理渠道"), choices=())
    reported_by = forms.CharField(
        label=_("报告人"), max_length=60, required=False, help_text=_("网格员报告时必填：网格员姓名")
    )
    channel_note = forms.CharField(
        label=_("渠道说明"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("12349热线来件时必填：工单号和来电内容"),
    )
    request = forms.CharField(label=_("申请事项"), widget=forms.Textarea(attrs={"rows": 3}))
    complex_case = forms.BooleanField(label=_("复杂情形（办理时限45个工作日）"), required=False)
    staff_relative = forms.BooleanField(
        label=_("近亲属申请（申请人或家庭成员为工作人员、村（居）委会成员的近亲属）"), required=False
    )
    staff_relative_note = forms.CharField(
        label=_("近亲属备案说明"),
        max_length=200,
        required=False,
        help_text=_("与哪位工作人员或村（居）委会成员、何种关系"),
    )
    action = forms.ChoiceField(
        label=_("办理方式"),
        choices=[(ACCEPT, _("受理：进入救助项目审批")), (REFER, _("转介：交其他部门办理"))],
        widget=forms.RadioSelect,
        initial=ACCEPT,
    )
    program = forms.ModelChoiceField(label=_("救助项目"), queryset=Program.objects.none(), required=False)
    department = forms.CharField(label=_("转介部门"), max_length=60, required=False)
    due_on = forms.DateField(
        label=_("答复期限"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args, household: Household, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["household"].queryset = Household.objects.filter(pk=household.pk)
        self.fields["household"].initial = household.pk
        self.fields["applicant"].queryset = household.members.order_by("relation", "birth_date")
        self.fields["channel"].choices = intake_channels()
        # programmes of the household's area type (or of either); the service checks it again
        self.fields["program"].queryset = Program.objects.filter(
            Q(area_type="") | Q(area_type=household.area_type), active=True
        ).order_by("sort_order", "id")
        self.fields["program"].empty_label = _("请选择救助项目")
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput | forms.RadioSelect):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select form-select-sm")
            elif not isinstance(widget, forms.RadioSelect | forms.HiddenInput):
                widget.attrs.setdefault("class", "form-control form-control-sm")

    def clean(self):
        data = super().clean()
        if data.get("action") == ACCEPT and not data.get("program"):
            self.add_error("program", _("受理时请选择救助项目。"))
        if data.get("action") == REFER:
            if not (data.get("department") or "").strip():
                self.add_error("department", _("转介时请填写接收部门。"))
            if not data.get("due_on"):
                self.add_error("due_on", _("转介时请填写答复期限。"))
        return data


class ReferralAnswerForm(forms.Form):
    answer = forms.CharField(label=_("办理结果"), widget=forms.Textarea(attrs={"rows": 2}))
    answered_on = forms.DateField(
        label=_("答复日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
