"""低收入人口名册 (民政局): one row per person; upserts the person, household and monitoring record.

Rows are merged into `imports.RosterEntry` like any feed; the monitoring app's hook (registered as
"roster") then projects the accepted rows onto the registry and the monitoring records.
"""

from django.utils.translation import gettext_lazy as _

from imports.specs.base import Choice, Field, RowCheck, Spec
from imports.specs.base import FieldType as T

SPEC = Spec(
    category="roster",
    model="imports.RosterEntry",
    natural_key="id_number",
    fields=(
        Field("id_number", "身份证号", T.ID18, ("公民身份号码", "证件号码"), required=True),
        Field("name", "姓名", T.TEXT, required=True, max_length=50, example="张三"),
        Field("household_id_number", "户主身份证号", T.ID18, required=True),
        Field(
            "relation",
            "与户主关系",
            T.ENUM,
            required=True,
            choices=(
                Choice("head", ("户主", "本人")),
                Choice("spouse", ("配偶", "妻", "夫")),
                Choice("child", ("子女", "子", "女", "儿子", "女儿")),
                Choice("parent", ("父母", "父亲", "母亲")),
                Choice("grandchild", ("孙子女", "孙子", "孙女", "外孙子", "外孙女")),
                Choice("sibling", ("兄弟姐妹",)),
                Choice("other", ("其他",)),
            ),
        ),
        Field("region_code", "行政区划代码", T.REGION, ("村(社区)代码", "区划代码"), required=True),
        Field("address", "家庭住址", T.TEXT, ("住址",), max_length=200, example="旧州镇东关村3组12号"),
        Field(
            "area_type",
            "城乡类别",
            T.ENUM,
            ("户籍性质",),
            required=True,
            choices=(Choice("urban", ("城市", "城镇")), Choice("rural", ("农村",))),
        ),
        Field(
            "category",
            "监测类别",
            T.ENUM,
            ("人员类别",),
            required=True,
            choices=(
                Choice("dibao", ("低保", "城乡低保", "最低生活保障")),
                Choice("tekun", ("特困", "特困供养", "特困人员")),
                Choice("dibao_edge", ("低保边缘",)),
                Choice("rigid_expense", ("刚性支出困难",)),
                Choice("relapse_watch", ("防止返贫监测", "防返贫监测")),
                Choice("other_low_income", ("其他低收入",)),
            ),
        ),
        Field("since", "纳入日期", T.DATE, ("认定日期",), required=True),
        Field(
            "status",
            "状态",
            T.ENUM,
            choices=(Choice("active", ("在册",)), Choice("exited", ("退出", "已退出"))),
            default="active",
        ),
        Field("exit_date", "退出日期", T.DATE, default=None),
        Field("household_annual_income", "家庭年收入", T.MONEY, default=None, example="8600.00"),
        Field("phone", "联系电话", T.CODE, max_length=30, example="13803170000"),
    ),
    row_checks=(
        RowCheck(
            "region_unknown",
            "region_code",
            "NOT EXISTS (SELECT 1 FROM households_region r WHERE r.code = left({region_code}, 6) "
            "AND r.level = 'county')",
            _("行政区划代码“{value:region_code}”不属于本市已知的县（市、区）：前6位应为本市的县级区划代码"),
            ("region_code",),
        ),
        RowCheck(
            "head_relation",
            "relation",
            "({relation} = 'head') <> ({id_number} = {household_id_number})",
            _(
                "与户主关系“{value:relation}”与身份证号不符：户主本人的行身份证号与户主身份证号相同且关系为“户主”，"
                "其他成员的行两者不同"
            ),
            ("relation", "id_number", "household_id_number"),
        ),
        RowCheck(
            "exit_date_missing",
            "exit_date",
            "{status} = 'exited' AND {exit_date} IS NULL",
            _("状态为“退出”时必须填写退出日期"),
            ("status", "exit_date"),
        ),
        RowCheck(
            "exit_date_not_exited",
            "exit_date",
            "{status} = 'active' AND {exit_date} IS NOT NULL",
            _("填写了退出日期“{value:exit_date}”但状态为“在册”：只有状态为“退出”时才填写退出日期"),
            ("status", "exit_date"),
        ),
        RowCheck(
            "exit_before_since",
            "exit_date",
            "{exit_date} < {since}",
            _("退出日期“{value:exit_date}”早于纳入日期“{value:since}”：退出日期不能早于纳入日期"),
            ("exit_date", "since"),
        ),
    ),
    after_merge_hook="roster",
)
