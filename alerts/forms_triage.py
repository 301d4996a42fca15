"""Forms of the triage pages; every error message is Chinese and says what is allowed."""

from django import forms
from django.utils.translation import gettext_lazy as _

from alerts.models import AlertStatus, Outcome, RuleCode
from alerts.selectors import triage as selectors
from alerts.selectors.inbox import STATUS_ALL, STATUS_OPEN, InboxFilters
from households import clock

DATE_INVALID = _("日期格式应为 年-月-日，例如 2026-03-02。")


class InboxFilterForm(forms.Form):
    """The inbox's GET filters. Invalid values are dropped with a message, never widen the scope."""

    q = forms.CharField(label=_("搜索"), required=False, max_length=50)
    status = forms.ChoiceField(
        label=_("状态"),
        required=False,
        choices=[(STATUS_OPEN, _("未办结")), (STATUS_ALL, _("全部")), *AlertStatus.choices],
    )
    rule = forms.ChoiceField(
        label=_("预警类别"), required=False, choices=[("", _("全部类别")), *RuleCode.choices]
    )
    overdue = forms.BooleanField(label=_("仅看逾期"), required=False)
    due_soon = forms.BooleanField(label=_("仅看3天内到期"), required=False)
    region = forms.ChoiceField(label=_("区域"), required=False)
    raised_from = forms.DateField(
        label=_("预警日期从"), required=False, error_messages={"invalid": DATE_INVALID}
    )
    raised_to = forms.DateField(label=_("至"), required=False, error_messages={"invalid": DATE_INVALID})
    assignee = forms.ChoiceField(label=_("经办人"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        selected = (self.data.get("region") or "").strip()
        regions = [
            (r.code, ("　" * ((len(r.code) - 6) // 3)) + r.name)
            for r in selectors.region_choices(user=user, selected=selected)
        ]
        # a valid in-scope region reached by URL (e.g. a village) is accepted even if not listed
        known = {code for code, _label in regions}
        if selected and selected not in known and selectors.region_in_user_scope(user=user, code=selected):
            regions.append((selected, selected))
        self.fields["region"].choices = [("", _("全部区域")), *regions]
        self.assignees = list(selectors.assignee_choices(user=user))
        self.fields["assignee"].choices = [
            ("", _("全部经办人")),
            ("mine", _("我的预警")),
            ("none", _("未分派")),
        ] + [(str(u.pk), f"{u.get_full_name() or u.username}（{u.scope.name}）") for u in self.assignees]
        self.fields["region"].error_messages["invalid_choice"] = _("区域“%(value)s”不在您的管辖范围内。")
        self.fields["assignee"].error_messages["invalid_choice"] = _("经办人不在您的管辖范围内。")

    def clean(self):
        data = super().clean()
        start, end = data.get("raised_from"), data.get("raised_to")
        if start and end and start > end:
            self.add_error("raised_to", _("结束日期不能早于开始日期。"))
        return data

    def filters(self) -> InboxFilters:
        """The filters from the valid fields; an invalid field is simply not applied."""
        data = {name: self.cleaned_data.get(name) for name in self.fields if name not in self.errors}
        assignee = data.get("assignee") or ""
        return InboxFilters(
            status=data.get("status") or STATUS_OPEN,
            rule=data.get("rule") or "",
            overdue=bool(data.get("overdue")),
            due_soon=bool(data.get("due_soon")),
            region=data.get("region") or "",
            raised_from=data.get("raised_from"),
            raised_to=data.get("raised_to"),
            mine=assignee == "mine",
            unassigned=assignee == "none",
            assignee=int(assignee) if assignee.isdigit() else None,
            query=(data.get("q") or "").strip(),
        )


class VersionedForm(forms.Form):
    """Carries the alert version the form was rendered from (optimistic concurrency)."""

    lock_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            css = (
                "form-select form-select-sm"
                if isinstance(widget, forms.Select)
                else "form-control form-control-sm"
            )
            if not isinstance(widget, forms.HiddenInput):
                widget.attrs["class"] = css


class NoteForm(VersionedForm):
    note = forms.CharField(
        label=_("备注"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


class AssignForm(VersionedForm):
    assignee = forms.ModelChoiceField(
        label=_("分派给"),
        queryset=None,
        error_messages={
            "required": _("请选择经办人。"),
            "invalid_choice": _("只能分派给负责该区域的经办人。"),
        },
    )
    note = forms.CharField(label=_("备注"), required=False, max_length=2000)

    def __init__(self, *args, alert, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = selectors.assignable_users(region_codes=[alert.region_id])
        self.fields["assignee"].empty_label = _("请选择经办人")
        self.fields["assignee"].label_from_instance = lambda u: (
            f"{u.get_full_name() or u.username}（{u.scope.name}）"
        )


def alert_ids_from(values) -> list[int]:
    """The alert ids of a request's `alerts` values; anything that cannot be an id is dropped."""
    return sorted({int(v) for v in values if v.isdigit() and len(v) <= 18})


class AssigneeForm(forms.Form):
    """The caseworker to assign the ticked alerts to (bulk assignment in the inbox and in the
    admin): only caseworkers of the user's scope who can see every ticked open alert."""

    assignee = forms.ModelChoiceField(
        label=_("分派给"),
        queryset=None,
        error_messages={
            "required": _("请选择经办人。"),
            "invalid_choice": _(
                "所选经办人不能办理全部勾选的预警（其管辖区域须包含每一条预警，且在您的管辖范围内）；未作任何改动。"
            ),
        },
    )

    def __init__(self, *args, user, alert_ids, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = selectors.bulk_assignee_choices(user=user, alert_ids=alert_ids)
        self.fields["assignee"].empty_label = _("请选择经办人")
        self.fields["assignee"].label_from_instance = lambda u: (
            f"{u.get_full_name() or u.username}（{u.scope.name}）"
        )


class BulkAssignForm(AssigneeForm):
    """The inbox's bulk assignment: the ticked alerts travel in the form (`alerts`)."""

    alerts = forms.CharField(required=False)
    field_order = ["alerts", "assignee"]

    def __init__(self, data, *, user, **kwargs):
        super().__init__(data, user=user, alert_ids=alert_ids_from(data.getlist("alerts")), **kwargs)

    def clean_alerts(self):
        ids = alert_ids_from(self.data.getlist("alerts"))
        if not ids:
            raise forms.ValidationError(_("请至少勾选一条预警。"))
        return ids

    def clean(self):
        data = super().clean()
        if "alerts" in self.errors:  # with nothing ticked, no caseworker fits: one message is enough
            self.errors.pop("assignee", None)
        return data


class VisitForm(VersionedForm):
    visited_on = forms.DateField(
        label=_("核查日期"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": _("请填写核查日期。"), "invalid": DATE_INVALID},
    )
    visitors = forms.CharField(
        label=_("核查人员"), max_length=200, error_messages={"required": _("请填写核查人员（至少一人）。")}
    )
    findings = forms.CharField(
        label=_("核查情况"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("请填写核查情况。")},
    )
    household_situation = forms.CharField(
        label=_("家庭状况"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("请填写家庭状况（收入、支出、居住、健康等）。")},
    )
    follow_up_on = forms.DateField(
        label=_("回访日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": DATE_INVALID},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["visited_on"].initial = clock.today()


class CloseForm(VersionedForm):
    outcome = forms.ChoiceField(
        label=_("处置结果"),
        choices=[("", _("请选择")), *Outcome.choices],
        error_messages={"required": _("请选择处置结果。"), "invalid_choice": _("请从列表中选择处置结果。")},
    )
    note = forms.CharField(
        label=_("办结说明"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": _("办结必须填写办结说明。")},
    )


class ReopenForm(VersionedForm):
    note = forms.CharField(
        label=_("重新打开原因"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        error_messages={"required": _("重新打开必须填写原因。")},
    )
