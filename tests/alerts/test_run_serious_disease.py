"""Rule 2, serious disease: code matching, 90-day window, child-only entries, one per disease."""

import io
from datetime import date, timedelta

import pytest

from alerts.models import Alert
from alerts.services.rules import rule_version_create
from alerts.services.run import monitoring_run
from households import clock
from imports.departments import seed_departments
from imports.icd import normalize_icd10
from imports.models import Department, Diagnosis, MedicalSettlement
from imports.services import batch_load, batch_submit
from tests.alerts.feed_factories import (  # noqa: F401
    DiagnosisFactory,
    MedicalSettlementFactory,
    monitored_person,
    rule_defaults,
)
from tests.imports.helpers import csv_bytes

AS_OF = date(2026, 11, 20)
RULE = "serious_disease"
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("rule_defaults")]


@pytest.fixture
def departments(db):
    seed_departments(Department)


def diseases_of(person) -> list[str]:
    return sorted(a.evidence["values"]["disease"] for a in Alert.objects.filter(rule=RULE, person=person))


@pytest.mark.parametrize(
    ("code", "disease"),
    [
        ("C34.901", "肺癌"),
        ("c349", "肺癌"),  # case and a missing dot do not matter (the loader stores C34.9)
        ("N18.5", "终末期肾病"),
        ("N185", "终末期肾病"),
        ("U84.3", "耐多药结核病"),
        ("I63.9", "脑卒中"),  # inside the range I60–I64
        ("I09", "风湿性心脏病"),  # end of the range I05–I09
        ("Q54.0", "尿道下裂"),
    ],
)
def test_codes_match_by_prefix(regions, code, disease):
    person = monitored_person()
    # Stored as the loader stores every code: canonical (tests/imports/test_icd_codes.py).
    DiagnosisFactory(id_number=person.id_number, diagnosed_on=AS_OF, diagnosis_code=normalize_icd10(code))
    monitoring_run(as_of=AS_OF)
    assert diseases_of(person) == [disease]


@pytest.mark.parametrize("code", ["N18.4", "I10", "I65", "C3", "U84.2", "I04"])
def test_codes_outside_the_list_do_not_match(regions, code):
    person = monitored_person()
    DiagnosisFactory(id_number=person.id_number, diagnosed_on=AS_OF, diagnosis_code=code)
    monitoring_run(as_of=AS_OF)
    assert diseases_of(person) == []


def test_window_is_90_days(regions):
    inside, outside = monitored_person(), monitored_person()
    DiagnosisFactory(id_number=inside.id_number, diagnosed_on=AS_OF - timedelta(days=89))
    DiagnosisFactory(id_number=outside.id_number, diagnosed_on=AS_OF - timedelta(days=90))
    monitoring_run(as_of=AS_OF)
    assert diseases_of(inside) == ["肺癌"] and diseases_of(outside) == []


def test_child_only_disease_counts_at_17_not_at_18(regions):
    event = AS_OF - timedelta(days=5)
    seventeen = monitored_person(born=date(event.year - 18, event.month, event.day) + timedelta(days=1))
    eighteen = monitored_person(born=date(event.year - 18, event.month, event.day))
    for person in (seventeen, eighteen):
        MedicalSettlementFactory(id_number=person.id_number, settle_date=event, diagnosis_code="C92.0")
    monitoring_run(as_of=AS_OF)
    assert diseases_of(seventeen) == ["儿童白血病"]
    assert diseases_of(eighteen) == []
    alert = Alert.objects.get(person=seventeen)
    assert "未满18周岁" in alert.evidence["summary"]
    assert alert.evidence["values"]["code"] == "C92.0"
    assert alert.evidence["sources"][0]["table"] == "medical_settlement"


def test_one_alert_per_person_and_disease_from_settlements_and_diagnoses(regions):
    person = monitored_person()
    DiagnosisFactory(
        id_number=person.id_number, diagnosed_on=AS_OF - timedelta(days=30), diagnosis_code="C34.1"
    )
    latest = MedicalSettlementFactory(
        id_number=person.id_number, settle_date=AS_OF - timedelta(days=2), diagnosis_code="C34.9"
    )
    MedicalSettlementFactory(id_number=person.id_number, settle_date=AS_OF, diagnosis_code="C16.0")
    run = monitoring_run(as_of=AS_OF)
    assert diseases_of(person) == ["肺癌", "胃癌"]
    lung = Alert.objects.get(person=person, evidence__values__disease="肺癌")
    assert lung.dedupe_key == f"{person.pk}:D08"  # the disease's key, not its name
    assert lung.evidence["sources"][0]["key"] == latest.settlement_id
    assert lung.deadline == AS_OF + timedelta(days=7)
    assert run.counts["rules"][RULE]["new"] == 2
    # A later record of the same disease never raises it again.
    DiagnosisFactory(
        id_number=person.id_number, diagnosed_on=AS_OF + timedelta(days=200), diagnosis_code="C34.2"
    )
    monitoring_run(as_of=AS_OF + timedelta(days=200), mode="full")
    assert diseases_of(person) == ["肺癌", "胃癌"]


def test_a_new_version_of_the_list_is_used_and_recorded(regions, city_supervisor):
    person = monitored_person()
    DiagnosisFactory(id_number=person.id_number, diagnosed_on=AS_OF, diagnosis_code="E11.9")
    version = rule_version_create(
        rule=RULE,
        params={
            "window_days": 90,
            "deadline_days": 7,
            "diseases": [{"name": "糖尿病", "codes": ["E10–E14"], "child": False}],
        },
        user=city_supervisor,
        note="试点加入糖尿病",
    )
    monitoring_run(as_of=AS_OF)
    alert = Alert.objects.get(person=person)
    assert alert.rule_version == version and version.version == 2


def load_file(category: str, rows: list[list[str]], file_name: str):
    """A department file through the loader, as a data admin's upload would go."""
    submission = batch_submit(
        category=category, fileobj=io.BytesIO(csv_bytes(rows)), file_name=file_name, user=None, start=False
    )
    batch = batch_load(batch_id=submission.batch.pk)
    batch.refresh_from_db()
    return batch


def test_lower_case_dotless_codes_in_loaded_files_raise_the_alert(regions, departments):
    """`c349` in a settlement file and `c34 901` in a diagnosis file: loaded, stored canonical,
    and each raises 肺癌 for the monitored person it names."""
    today = clock.today()
    by_settlement, by_diagnosis = monitored_person(), monitored_person()
    day = (today - timedelta(days=10)).isoformat()
    settlements = load_file(
        "medical_settlement",
        [
            ["结算流水号", "身份证号", "结算日期", "医疗费用总额", "主诊断编码", "主诊断名称"],
            ["JSICD1", by_settlement.id_number, day, "5000", "c349", "肺恶性肿瘤"],
        ],
        "医保结算.csv",
    )
    diagnoses = load_file(
        "diagnosis",
        [
            ["病案号", "身份证号", "出院日期", "疾病编码", "诊断名称"],
            ["BAICD1", by_diagnosis.id_number, day, "c34 901", "肺恶性肿瘤"],
        ],
        "疾病诊断.csv",
    )
    assert (settlements.loaded, settlements.rejected, diagnoses.loaded, diagnoses.rejected) == (1, 0, 1, 0)
    assert MedicalSettlement.objects.get(settlement_id="JSICD1").diagnosis_code == "C34.9"
    assert Diagnosis.objects.get(record_id="BAICD1").diagnosis_code == "C34.901"

    monitoring_run(as_of=today)

    assert diseases_of(by_settlement) == ["肺癌"] and diseases_of(by_diagnosis) == ["肺癌"]
    codes = {a.person_id: a.evidence["values"]["code"] for a in Alert.objects.filter(rule=RULE)}
    assert codes == {by_settlement.id: "C34.9", by_diagnosis.id: "C34.901"}
