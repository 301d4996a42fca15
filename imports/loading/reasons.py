"""Reason codes of rejected rows and their Chinese messages (what was wrong, what is allowed).

Placeholders filled in Python: {column} (the file's header), {allowed}, {max}, {today}, {city},
{prefix}, {keep}. `{value}` is filled in SQL with the cell text as the file had it (resident IDs
masked).
"""

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

DATE_FORMATS = "2024-01-31、2024/1/31、2024.1.31、20240131、2024年1月31日（可带时间）"

FIELD_REASONS = {
    "required": _("“{column}”为必填项，不能为空"),
    "id_spreadsheet_damaged": _(
        "“{column}”的值“{value}”已被表格软件改动（科学计数法或末尾变为0），无法还原；"
        "请把该列设为文本格式后重新导出"
    ),
    "id_format": _("“{column}”的值“{value}”格式不正确：应为18位（前17位数字，末位数字或X）或15位数字"),
    "id_birth_date": _("“{column}”的值“{value}”中的出生日期无效：应为1900年1月1日以后、不晚于今天的真实日期"),
    "id_check_digit": _("“{column}”的值“{value}”校验位不符（GB 11643），可能录入有误或被表格软件改动"),
    # the formats stay outside the msgid: xgettext extracts only the literal, so a concatenated
    # msgid would never match its translation
    "date_format": format_lazy(
        "{}{}", _("“{column}”的值“{value}”不是可识别的日期：允许的格式有 "), DATE_FORMATS
    ),
    "date_invalid": _("“{column}”的值“{value}”不是真实存在的日期（月份应为1–12，日不超过当月天数）"),
    "date_too_early": _("“{column}”的值“{value}”早于1900-01-01：日期应在1900-01-01至导入当天（{today}）之间"),
    "date_future": _("“{column}”的值“{value}”晚于导入当天（{today}）：不能填写将来的日期"),
    "money_negative": _("“{column}”的值“{value}”为负数：金额不能为负"),
    "money_format": _(
        "“{column}”的值“{value}”不是有效金额：应为以元为单位、最多两位小数的数字（如 1234.56），"
        "可带千分位逗号、¥ 或“元”"
    ),
    "enum": _("“{column}”的值“{value}”不是允许的值：允许的值有 {allowed}"),
    "text_too_long": _("“{column}”的值过长：最多{max}个字符"),
    "region_format": _("“{column}”的值“{value}”格式不正确：应为6、9或12位数字的行政区划代码"),
    "region_outside_city": _("“{column}”的值“{value}”不在本市（{city}）范围内：应以{prefix}开头"),
    "icd_format": _(
        "“{column}”的值“{value}”不是ICD-10疾病编码：编码应以1个字母和2位数字开头，其后可带亚目和扩展码，"
        "如 C34、C34.9、C349、c34.901、C34.900x001、A17.0+G01*（不分大小写，小数点和空格可有可无）；"
        "疾病名称等文字请填在诊断名称列"
    ),
    "certificate_format": _(
        "“{column}”的值“{value}”格式不正确：应为18位身份证号加1位类别代码（1–7）和1位等级代码（1–4），"
        "可带补发后缀，共20–22位"
    ),
}

# Row-level reasons not tied to one field's format.
COLUMN_COUNT = "column_count"
DUPLICATE_IN_FILE = "duplicate_in_file"
ROW_REASONS = {
    COLUMN_COUNT: _("本行的单元格多于表头的列数：请检查是否有未加引号的逗号或多余的内容"),
    DUPLICATE_IN_FILE: _(
        "与第{keep}行的“{column}”相同（{value}）：同一文件中以后出现的第{keep}行为准，本行未导入"
    ),
}

# Short Chinese names of every reason code (summaries, filters, the command's top list).
REASON_LABELS = {
    "required": _("必填项为空"),
    "id_spreadsheet_damaged": _("身份证号被表格软件改动"),
    "id_format": _("身份证号格式错误"),
    "id_birth_date": _("身份证号中的出生日期无效"),
    "id_check_digit": _("身份证号校验位不符"),
    "date_format": _("日期格式无法识别"),
    "date_invalid": _("日期不存在"),
    "date_too_early": _("日期早于1900年"),
    "date_future": _("日期晚于导入当天"),
    "money_negative": _("金额为负数"),
    "money_format": _("金额格式错误"),
    "enum": _("取值不在允许范围内"),
    "text_too_long": _("内容过长"),
    "region_format": _("区划代码格式错误"),
    "region_outside_city": _("区划代码不在本市"),
    "icd_format": _("诊断编码格式错误"),
    "certificate_format": _("残疾人证号格式错误"),
    COLUMN_COUNT: _("单元格多于表头列数"),
    DUPLICATE_IN_FILE: _("文件内重复（以后出现的行为准）"),
    # Row checks of the category specs.
    "paid_parts_exceed_total": _("各项支付之和超过总额"),
    "self_paid_exceeds_total": _("个人负担超过总额"),
    "end_before_start": _("注销日期早于登记日期"),
    "certificate_id_mismatch": _("残疾人证号与身份证号不一致"),
    "certificate_type_mismatch": _("残疾人证号与残疾类别不一致"),
    "certificate_grade_mismatch": _("残疾人证号与残疾等级不一致"),
    "region_unknown": _("区划代码不属于本市的县（市、区）"),
    "head_relation": _("与户主关系和身份证号不符"),
    "exit_date_missing": _("状态为退出但缺少退出日期"),
    "exit_date_not_exited": _("状态为在册却填写了退出日期"),
    "exit_before_since": _("退出日期早于纳入日期"),
    "line_no_not_number": _("明细编号不是数字"),
}


def reason_label(code: str) -> str:
    return str(REASON_LABELS.get(code, code))
