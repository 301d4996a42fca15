"""医保结算明细 (医疗保障局): one row per settlement, keyed by the settlement id."""

from django.utils.translation import gettext_lazy as _

from imports.specs.base import Choice, Field, RowCheck, Spec
from imports.specs.base import FieldType as T

SPEC = Spec(
    category="medical_settlement",
    model="imports.MedicalSettlement",
    natural_key="settlement_id",
    fields=(
        Field(
            "settlement_id",
            "结算流水号",
            T.CODE,
            ("结算ID", "结算编号"),
            required=True,
            max_length=64,
            example="JS202405060001",
        ),
        Field("id_number", "身份证号", T.ID18, ("公民身份号码",), required=True),
        Field("name", "姓名", T.TEXT, max_length=50, example="张三"),
        Field("settle_date", "结算日期", T.DATE, ("结算时间",), required=True),
        Field(
            "institution", "定点医疗机构", T.TEXT, ("医疗机构名称",), max_length=200, example="沧州市人民医院"
        ),
        Field(
            "visit_type",
            "就诊类型",
            T.ENUM,
            ("医疗类别",),
            choices=(
                Choice("inpatient", ("住院",)),
                Choice("outpatient", ("门诊", "普通门诊")),
                Choice("chronic_outpatient", ("门诊慢特病", "门诊慢性病", "门诊特殊病")),
                Choice("pharmacy", ("药店购药", "定点药店购药")),
            ),
        ),
        Field(
            "diagnosis_code",
            "主诊断编码",
            T.ICD10,
            ("诊断编码", "疾病编码"),
            max_length=20,
            example="J18.900",
        ),
        Field("diagnosis_name", "主诊断名称", T.TEXT, ("诊断名称",), max_length=200, example="肺炎"),
        Field(
            "total_cost",
            "医疗费用总额",
            T.MONEY,
            ("总费用",),
            required=True,
            default=None,
            example="12345.60",
        ),
        Field("fund_paid", "统筹基金支付", T.MONEY, ("基本医保统筹支付",), default=0, example="8000.00"),
        Field("serious_illness_paid", "大病保险支付", T.MONEY, default=0),
        Field("assistance_paid", "医疗救助支付", T.MONEY, default=0, example="1000.00"),
        Field("self_paid", "个人负担", T.MONEY, ("个人自付", "个人现金支付"), default=None),
    ),
    derived={"self_paid": "{total_cost} - {fund_paid} - {serious_illness_paid} - {assistance_paid}"},
    row_checks=(
        RowCheck(
            "paid_parts_exceed_total",
            "total_cost",
            "{fund_paid} + {serious_illness_paid} + {assistance_paid} > {total_cost}",
            _(
                "统筹基金、大病保险和医疗救助支付合计超过医疗费用总额“{value:total_cost}”："
                "各项支付之和不能大于总额"
            ),
            ("fund_paid", "serious_illness_paid", "assistance_paid", "total_cost"),
        ),
        RowCheck(
            "self_paid_exceeds_total",
            "self_paid",
            "{self_paid} > {total_cost} + 0.01",
            _(
                "个人负担“{value:self_paid}”超过医疗费用总额“{value:total_cost}”："
                "个人负担不能大于总额（允许误差0.01元）"
            ),
            ("self_paid", "total_cost"),
        ),
    ),
)
