"""银行发放回盘 (the bank, through the county civil-affairs finance office): the bank's result for
each line of a locked payment roll, keyed by 明细编号 (the line's number in the finance export).

Accepted rows are also applied to the roll lines by the assistance app's merge hook
(`assistance.services.bank_returns`), registered under the name "payment_return".
"""

from django.utils.translation import gettext_lazy as _

from imports.specs.base import Choice, Field, RowCheck, Spec
from imports.specs.base import FieldType as T

SPEC = Spec(
    category="payment_return",
    model="imports.PaymentReturn",
    natural_key="line_no",
    fields=(
        Field(
            "line_no",
            "明细编号",
            T.CODE,
            ("明细号", "序号编码"),
            required=True,
            max_length=20,
            example="1001",
        ),
        Field("id_number", "身份证号", T.ID18, ("公民身份号码", "证件号码"), required=True),
        Field("name", "姓名", T.TEXT, ("户名", "账户名称"), max_length=50, example="张三"),
        Field(
            "account_no",
            "账号",
            T.CODE,
            ("银行账号", "卡号", "收款账号"),
            max_length=32,
            example="6217000012345678",
        ),
        Field(
            "amount", "金额", T.MONEY, ("发放金额", "交易金额"), required=True, default=None, example="600.00"
        ),
        Field(
            "result",
            "发放结果",
            T.ENUM,
            ("处理结果", "结果", "状态"),
            required=True,
            choices=(
                Choice("paid", ("成功", "已发放", "发放成功")),
                Choice("failed", ("失败", "发放失败")),
                Choice("returned", ("退回", "资金退回", "退票")),
            ),
        ),
        Field("reason", "失败原因", T.TEXT, ("原因", "备注", "失败说明"), max_length=200, example=""),
        Field("processed_on", "处理日期", T.DATE, ("交易日期", "处理时间"), required=True),
    ),
    row_checks=(
        RowCheck(
            "line_no_not_number",
            "line_no",
            r"{line_no} !~ '^[0-9]{1,18}$'",
            _("明细编号“{value:line_no}”不是数字：应为财政导出文件中的明细编号（纯数字）"),
            ("line_no",),
        ),
    ),
    after_merge_hook="payment_return",
)
