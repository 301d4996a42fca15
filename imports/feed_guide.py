"""What each category's file must look like, in a data admin's words, derived from the specs.

The upload page and the downloadable templates both read this, so neither holds a hand-copied list
of columns, headers or allowed values that could drift from what the loader accepts.
"""

import re
from dataclasses import dataclass
from datetime import date, timedelta
from io import BytesIO

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from households import idcard
from imports.departments import CATEGORY_DEPARTMENT, DEPARTMENTS
from imports.models import FeedCategory
from imports.specs import SPECS, Field, FieldType, Spec


@dataclass(frozen=True)
class Column:
    field: Field
    name: str  # the header to write: the field's main Chinese name
    other_headers: tuple[str, ...]  # every other accepted header, the English name last
    required: bool
    key: bool  # the category's natural key
    rule: str  # the format, in Chinese
    values: tuple[tuple[str, tuple[str, ...]], ...]  # allowed values: (shown label, other labels)
    default: str  # what an empty cell means, "" when nothing is said

    @property
    def text_format(self) -> bool:
        """Excel must keep the cell as typed (long digit strings, leading zeros, codes)."""
        return self.field.type in TEXT_TYPES


@dataclass(frozen=True)
class CategoryGuide:
    category: str
    label: str  # 医保结算明细
    department: str
    columns: tuple[Column, ...]


TEXT_TYPES = {FieldType.ID18, FieldType.CODE, FieldType.REGION, FieldType.ICD10, FieldType.CERTIFICATE_NO}


_RULES = {
    FieldType.ID18: gettext_lazy(
        "18位居民身份证号（15位的一代证自动升为18位），出生日期和末位校验码须正确；"
        "请设为文本格式，被改成科学计数法（如 1.30921E+17）或末尾变成0的号码会被拒绝"
    ),
    FieldType.DATE: gettext_lazy(
        "日期：2024-05-06、2024/5/6、2024.5.6、20240506、2024年5月6日（可带时间），或 Excel 日期单元格；"
        "不能晚于导入当天，也不能早于1900年"
    ),
    FieldType.MONEY: gettext_lazy("金额（元），最多两位小数；可带千分位逗号、¥ 或“元”，不能为负数"),
    FieldType.REGION: gettext_lazy("6、9或12位行政区划代码，须在本市内（以 %(prefix)s 开头）"),
    FieldType.ICD10: gettext_lazy(
        "ICD-10 疾病编码，如 C34.9、C349、c34.901、C34.900x001、A17.0+G01*（大小写、小数点、空格均可，导入时统一写成 C34.901 的形式），最多 %(n)d 个字符"
    ),
    FieldType.CERTIFICATE_NO: gettext_lazy(
        "20–22位：身份证号18位 + 残疾类别代码1位 + 残疾等级代码1位，换证时可再带后缀（如 B1）；"
        "前18位须与身份证号一致"
    ),
    FieldType.ENUM: gettext_lazy("只能填写下列值之一"),
    FieldType.CODE: gettext_lazy("编号（空格会被去掉），最多 %(n)d 个字符"),
}


def _rule(f: Field) -> str:
    """The format of a field's cells, from its type (and length limit)."""
    if f.type == FieldType.TEXT:
        return _("文字，最多 %(n)d 个字") % {"n": f.max_length} if f.max_length else _("文字")
    return str(_RULES[f.type]) % {"prefix": settings.CITY_REGION_CODE[:4], "n": f.max_length or 0}


def _default(spec: Spec, f: Field) -> str:
    """What an empty cell (or a missing optional column) stands for."""
    if f.name in spec.derived:  # e.g. self_paid = total − the paid parts
        formula = re.sub(r"\{(\w+)\}", lambda m: spec.field(m.group(1)).label, spec.derived[f.name])
        return _("空白或没有此列时按 %(formula)s 计算") % {"formula": formula.replace(" - ", " − ")}
    if f.type == FieldType.ENUM and f.default not in ("", None):
        for choice in f.choices:
            if choice.code == f.default:
                return _("空白时为“%(label)s”") % {"label": choice.labels[0]}
    if f.type == FieldType.MONEY and f.default == 0:
        return _("空白时为 0")
    return ""


def column(spec: Spec, f: Field) -> Column:
    return Column(
        field=f,
        name=f.label,
        other_headers=(*f.headers, f.name),
        required=f.required,
        key=f.name == spec.natural_key,
        rule=_rule(f),
        values=tuple((c.labels[0], c.labels[1:]) for c in f.choices),
        default=_default(spec, f),
    )


def category_guides() -> list[CategoryGuide]:
    departments = dict(DEPARTMENTS)
    return [
        CategoryGuide(
            category=value,
            label=str(label),
            department=str(departments[CATEGORY_DEPARTMENT[value]]),
            columns=tuple(column(SPECS[value], f) for f in SPECS[value].fields),
        )
        for value, label in FeedCategory.choices
    ]


def rules_text(col: Column) -> str:
    """Everything about one column as plain text (the template's header comment)."""
    lines = [_("必填") if col.required else _("选填"), col.rule]
    if col.values:
        lines += [
            "· " + label + (_("（也可填：%(others)s）") % {"others": "、".join(others)} if others else "")
            for label, others in col.values
        ]
    if col.default:
        lines.append(col.default)
    lines.append(_("也可用的列名：%(names)s") % {"names": "、".join(col.other_headers)})
    return "\n".join(lines)


def example_id(region_code: str) -> str:
    """A valid resident ID born 1980-05-17 in the given county (its first 6 digits)."""
    first17 = f"{region_code[:6]}19800517001"
    return first17 + idcard.check_char(first17)


def example_value(col: Column, *, id_number: str, region_code: str, today: date):
    f = col.field
    if f.example:
        value = f.example.replace("{id}", id_number)
        return float(value) if f.type == FieldType.MONEY else value
    if f.type == FieldType.ID18:
        return id_number
    if f.type == FieldType.REGION:
        return region_code
    if f.type == FieldType.ENUM:
        return f.choices[0].labels[0]
    if f.type == FieldType.DATE and f.required:
        return (today - timedelta(days=30)).replace(day=1)
    return None


def template_workbook(category: str, *, region_code: str, today: date) -> bytes:
    """The category's .xlsx template: the Chinese headers (required ones bold and red, each with a
    comment holding its rules), one example row that loads cleanly, ID and code columns formatted
    as text; a second sheet repeats the rules (only the first sheet is ever imported)."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    guide = next(g for g in category_guides() if g.category == category)
    id_number = example_id(region_code)
    book = Workbook()
    sheet = book.active
    sheet.title = guide.label[:31]
    required_font, required_fill = Font(bold=True, color="C00000"), PatternFill("solid", fgColor="FDE9E7")
    for index, col in enumerate(guide.columns, start=1):
        letter = get_column_letter(index)
        head = sheet.cell(row=1, column=index, value=col.name)
        if col.required:
            head.font, head.fill = required_font, required_fill
        head.comment = Comment(rules_text(col), _("救助监测"), width=360, height=220)
        value = example_value(col, id_number=id_number, region_code=region_code, today=today)
        cell = sheet.cell(row=2, column=index, value=value)
        if col.text_format:
            sheet.column_dimensions[letter].number_format = "@"
            cell.number_format = "@"
        elif col.field.type == FieldType.DATE:
            cell.number_format = "yyyy-mm-dd"
        elif col.field.type == FieldType.MONEY:
            cell.number_format = "#,##0.00"
        sheet.column_dimensions[letter].width = 22 if col.field.type in TEXT_TYPES else 16
    sheet.freeze_panes = "A2"

    notes = book.create_sheet(_("填写说明"))
    notes.append([_("列名"), _("必填"), _("格式与可填的值"), _("也可用的列名")])
    for cell in notes[1]:
        cell.font = Font(bold=True)
    for col in guide.columns:
        values = "；".join(label for label, _others in col.values)
        notes.append(
            [
                col.name,
                _("必填") if col.required else _("选填"),
                col.rule + (f"：{values}" if values else ""),
                "、".join(col.other_headers),
            ]
        )
    notes.append([])
    notes.append([_("只导入第一个工作表；第1行是表头，从第2行起每行一条数据（示例行可直接替换）。")])
    for letter, width in zip("ABCD", (18, 8, 80, 40), strict=True):
        notes.column_dimensions[letter].width = width
    out = BytesIO()
    book.save(out)
    return out.getvalue()
