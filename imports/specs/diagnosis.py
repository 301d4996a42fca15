"""疾病诊断 (卫生健康委员会): diagnoses from hospital records, keyed by the record id."""

from imports.specs.base import Field, Spec
from imports.specs.base import FieldType as T

SPEC = Spec(
    category="diagnosis",
    model="imports.Diagnosis",
    natural_key="record_id",
    fields=(
        Field(
            "record_id", "记录编号", T.CODE, ("病案号",), required=True, max_length=64, example="BA2024000123"
        ),
        Field("id_number", "身份证号", T.ID18, ("公民身份号码",), required=True),
        Field("name", "姓名", T.TEXT, max_length=50, example="张三"),
        Field("diagnosed_on", "诊断日期", T.DATE, ("出院日期",), required=True),
        Field("institution", "医疗机构", T.TEXT, ("医疗机构名称",), max_length=200, example="沧州市中心医院"),
        Field(
            "diagnosis_code",
            "诊断编码",
            T.ICD10,
            ("疾病编码",),
            required=True,
            max_length=20,
            example="E11.900",
        ),
        Field("diagnosis_name", "诊断名称", T.TEXT, max_length=200, example="2型糖尿病"),
    ),
)
