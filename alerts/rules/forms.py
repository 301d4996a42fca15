"""The supervisor's form for a rule's parameters: the same fields the run reads, Chinese messages."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from alerts.models import RuleCode
from alerts.rules.definitions import PARAMETERS, compress_codes
from alerts.rules.validation import validate_params

CHILD_MARKS = {"儿童", "child", "儿童病种"}
# A line's first column is the disease's key when it looks like one (D08); names are Chinese.
KEY_COLUMN_RE = re.compile(r"^[Dd]\d+$")


def diseases_to_text(diseases: list[dict]) -> str:
    """One line per disease: `编号 | 名称 | 编码 | 儿童` (the last part only for child-only entries).

    The key leads the line so it travels with the disease through the editor: a line whose name or
    codes are edited keeps its key (no new alerts for people already alerted); a line without a key
    is a new disease."""
    lines = []
    for d in diseases:
        parts = [d["name"], compress_codes(d["codes"])]
        if d.get("key"):
            parts.insert(0, d["key"])
        if d.get("child"):
            parts.append("儿童")
        lines.append(" | ".join(parts))
    return "\n".join(lines)


def text_to_diseases(text: str) -> list[dict]:
    diseases = []
    for n, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        parts = [p.strip() for p in re.split(r"[|｜]", line)]
        key = ""
        if parts and KEY_COLUMN_RE.match(parts[0]):
            key = parts.pop(0).upper()
        if len(parts) not in (2, 3) or not parts[0] or not parts[1]:
            raise ValidationError(
                _(
                    "第 %(n)s 行“%(line)s”格式不对：应为“编号 | 病种名称 | ICD-10 编码”（新增病种不写编号），儿童病种在末尾加“| 儿童”"
                )
                % {"n": n, "line": line}
            )
        if len(parts) == 3 and parts[2] not in CHILD_MARKS:
            raise ValidationError(
                _("第 %(n)s 行最后一栏只能写“儿童”（仅未满18周岁时计入），收到“%(mark)s”")
                % {"n": n, "mark": parts[2]}
            )
        disease = {"name": parts[0], "codes": parts[1], "child": len(parts) == 3}
        diseases.append({"key": key, **disease} if key else disease)
    return diseases


class RuleParamsForm(forms.Form):
    """Fields for the parameters `rule` has; `cleaned_params` are validated by `validate_params`."""

    threshold_yuan = forms.CharField(label=gettext_lazy("自付费用阈值（元）"), max_length=20)
    window_days = forms.CharField(label=gettext_lazy("时间窗口（天）"), max_length=5)
    cooldown_days = forms.CharField(
        label=gettext_lazy("冷却期（天）"),
        max_length=5,
        help_text=gettext_lazy("同一人两次预警至少间隔的天数"),
    )
    deadline_days = forms.CharField(
        label=gettext_lazy("办理期限（天）"),
        max_length=5,
        help_text=gettext_lazy("预警产生后多少天内须核查办结；已产生的预警保留产生时的期限"),
    )
    diseases = forms.CharField(
        label=gettext_lazy("重特大疾病清单"),
        widget=forms.Textarea(attrs={"rows": 16, "class": "font-monospace"}),
        help_text=gettext_lazy(
            "每行一个病种：编号 | 病种名称 | ICD-10 编码前缀（逗号分隔，可写范围如 C81–C86）| 儿童（仅儿童病种）。"
            "编号由系统分配，修改病种名称或编码时保留原编号，已预警的人员不会因改名再次预警；新增病种不写编号。"
        ),
    )
    note = forms.CharField(label=gettext_lazy("修改说明"), max_length=200, required=False)

    def __init__(self, *args, rule: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.rule = RuleCode(rule)
        for name in list(self.fields):
            if name != "note" and name not in PARAMETERS[self.rule]:
                del self.fields[name]
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-control")
            field.widget.attrs["class"] += (
                " form-control" if "form-control" not in field.widget.attrs["class"] else ""
            )

    @classmethod
    def initial_from(cls, params: dict) -> dict:
        initial = {k: v for k, v in params.items() if k != "diseases"}
        if "diseases" in params:
            initial["diseases"] = diseases_to_text(params["diseases"])
        return initial

    def clean(self):
        data = super().clean()
        params = {k: data[k] for k in PARAMETERS[self.rule] if k in data}
        if "diseases" in params:
            try:
                params["diseases"] = text_to_diseases(params["diseases"])
            except ValidationError as exc:
                self.add_error("diseases", exc)
                return data
        if len(params) < len(PARAMETERS[self.rule]):
            return data  # a required field is missing; its own error says so
        try:
            self.cleaned_params = validate_params(self.rule, params)
        except ValidationError as exc:
            for field, errors in exc.error_dict.items():
                self.add_error(None if field == "__all__" else field, errors)
        return data

    def require_note(self) -> bool:
        if not self.cleaned_data.get("note", "").strip():
            self.add_error("note", _("保存新版本或提出建议需要填写修改说明（为什么改、依据是什么）"))
            return False
        return True


class ProposalDecisionForm(forms.Form):
    """A city supervisor's decision on a rule proposal, always with a reason."""

    decision = forms.ChoiceField(
        label=gettext_lazy("审议结果"),
        choices=[("adopt", gettext_lazy("采纳（保存为新版本）")), ("decline", gettext_lazy("不采纳"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=gettext_lazy("审议意见"),
        max_length=200,
        widget=forms.TextInput(attrs={"class": "form-control"}),
        error_messages={"required": gettext_lazy("请填写审议意见（为什么采纳或不采纳）")},
    )
