"""Diagnosis codes as the departments write them: accepted, stored canonical once, at load."""

import importlib
from datetime import timedelta

import pytest
from django.db import connection

from households import clock
from imports.icd import icd10_match_form, normalize_icd10
from imports.loading.validation import lit
from imports.models import Diagnosis, FeedRecordChange, MedicalSettlement
from tests.imports.helpers import assert_accounted, csv_bytes, id18, outcomes, xlsx_bytes

pytestmark = pytest.mark.django_db
P = id18(seq=31)
migration = importlib.import_module("imports.migrations.0011_diagnosis_codes_canonical")

# (as a department's system writes it, as it is stored)
ACCEPTED = [
    ("C34.9", "C34.9"),
    ("C349", "C34.9"),  # no dot
    ("c349", "C34.9"),  # lower case, no dot
    ("c34.901", "C34.901"),
    ("c34 901", "C34.901"),  # a space where the dot belongs
    ("C34 .9", "C34.9"),
    ("c 349", "C34.9"),
    (" C34.9 ", "C34.9"),
    ("C34", "C34"),
    ("c34", "C34"),
    ("C34.", "C34"),  # a dot with nothing after it
    ("C34.900x001", "C34.900X001"),  # medical-insurance edition: national extension
    ("c34900x001", "C34.900X001"),
    ("I10.x00x002", "I10.X00X002"),
    ("i10x00x002", "I10.X00X002"),
    ("A17.0+G01*", "A17.0+G01*"),  # dagger and asterisk codes
    ("a170+g01*", "A17.0+G01*"),
    ("A18.100x012+N33.8*", "A18.100X012+N33.8*"),
    ("A17.0†", "A17.0+"),  # the dagger sign itself
    ("G01*", "G01*"),
    ("Ｃ３４．９", "C34.9"),  # full-width
    ("ｃ３４９０１", "C34.901"),
    ("C34\u30009", "C34.9"),  # ideographic space
    ("A18.1＋N74.1＊", "A18.1+N74.1*"),
    ("z992", "Z99.2"),
    ("U84.3", "U84.3"),
]
# (not a code, the reason)
REJECTED = [
    ("肺癌", "icd_format"),
    ("12345", "icd_format"),
    ("C3", "icd_format"),
    ("3C4.1", "icd_format"),
    ("C3.49", "icd_format"),  # the dot in the wrong place
    ("C34..9", "icd_format"),
    ("CC34", "icd_format"),
    ("C34-9", "icd_format"),
    ("C34.9肺癌", "icd_format"),
    ("C34.9**", "icd_format"),
    ("C34.90000000000000001", "text_too_long"),  # a code, but longer than the column's 20
]


@pytest.mark.parametrize(("written", "stored"), ACCEPTED)
def test_every_writing_of_a_code_loads_and_is_stored_canonical(load, written, stored):
    assert normalize_icd10(written) == stored
    rows = [["病案号", "身份证号", "出院日期", "疾病编码"], ["D1", P, "2024-02-01", written]]
    batch = load("diagnosis", csv_bytes(rows))
    assert_accounted(batch)
    assert batch.loaded == 1, outcomes(batch)
    assert Diagnosis.objects.get(record_id="D1").diagnosis_code == stored


def test_text_that_is_not_a_code_is_rejected_with_the_row_and_what_is_allowed(load):
    rows = [["结算流水号", "身份证号", "结算日期", "医疗费用总额", "主诊断编码"]]
    rows += [[f"S{i}", P, "2024-02-01", "100", written] for i, (written, _) in enumerate(REJECTED)]
    rows += [["OK1", P, "2024-02-01", "100", "c349"], ["OK2", P, "2024-02-01", "100", ""]]  # optional
    batch = load("medical_settlement", csv_bytes(rows))

    assert_accounted(batch)
    assert (batch.loaded, batch.rejected, batch.data_rows) == (2, len(REJECTED), len(REJECTED) + 2)
    assert outcomes(batch) == {i + 2: reason for i, (_, reason) in enumerate(REJECTED)}
    message = batch.rejected_rows.get(row_number=2).message
    assert "“主诊断编码”的值“肺癌”不是ICD-10疾病编码" in message
    assert "C34.9、C349、c34.901、C34.900x001" in message  # the forms that are allowed
    assert batch.rejected_rows.get(row_number=2).column == "主诊断编码"
    stored = dict(MedicalSettlement.objects.values_list("settlement_id", "diagnosis_code"))
    assert stored == {"OK1": "C34.9", "OK2": ""}
    for written, _ in REJECTED:
        assert normalize_icd10(written) is None or len(normalize_icd10(written)) > 20, written


def test_messy_settlement_file_counts_add_up_and_the_resent_file_changes_nothing(load):
    header = ["结算流水号", "身份证号", "结算日期", "医疗费用总额", "主诊断编码", "主诊断名称"]
    first = [
        header,
        ["M1", P, "2024-02-01", "100", "c349", "肺恶性肿瘤"],
        ["M2", P, "2024-02-02", "100", "c34 901", "肺恶性肿瘤"],
        ["M3", P, "2024-02-03", "100", "I10.x00x002", "高血压"],
        ["M4", P, "2024-02-04", "100", "高血压", "高血压"],
        ["M5", P, "2024-02-05", "100", "Ｎ１８．５", "终末期肾病"],
    ]
    batch = load("medical_settlement", csv_bytes(first), "第一次.csv")
    assert_accounted(batch)
    assert (batch.loaded, batch.corrected, batch.duplicate, batch.rejected) == (4, 0, 0, 1)
    assert outcomes(batch) == {5: "icd_format"}

    # The same settlements sent again, their codes written another way (and in another format).
    again = [header] + [
        [*r[:4], other, r[5]]
        for r, other in zip(first[1:], ["C34.9", "C34.901", "i10x00x002", "高血压", "n185"], strict=True)
    ]
    batch = load("medical_settlement", xlsx_bytes(again), "第二次.xlsx")
    assert_accounted(batch)
    assert (batch.loaded, batch.corrected, batch.duplicate, batch.rejected) == (0, 0, 4, 1)
    assert not FeedRecordChange.objects.exists()
    stored = dict(MedicalSettlement.objects.values_list("settlement_id", "diagnosis_code"))
    assert stored == {"M1": "C34.9", "M2": "C34.901", "M3": "I10.X00X002", "M5": "N18.5"}


def test_rule_list_prefixes_use_the_same_normalisation():
    assert icd10_match_form(" c34.9 ") == "C349" == icd10_match_form("C349")
    assert icd10_match_form("Ｎ１８．５") == "N185"
    with pytest.raises(ValueError):
        icd10_match_form("肺癌")


def canonical_by_migration(value: str) -> str | None:
    with connection.cursor() as cur:  # no parameters: the statement holds a literal '%'
        cur.execute(f"SELECT {migration.canonical_sql(lit(value) + '::text')}")
        return cur.fetchone()[0]


@pytest.mark.parametrize("written", [w for w, _ in ACCEPTED] + [w for w, _ in REJECTED])
def test_the_migration_sql_agrees_with_the_loader(written):
    assert canonical_by_migration(written) == normalize_icd10(written)


def row_version(model, pk) -> str:
    with connection.cursor() as cur:
        cur.execute(f"SELECT xmin::text FROM {model._meta.db_table} WHERE id = %s", [pk])
        return cur.fetchone()[0]


def test_the_migration_normalises_old_rows_so_a_resent_file_still_changes_nothing(load):
    day = clock.today() - timedelta(days=3)
    settlements = [
        ["结算流水号", "身份证号", "结算日期", "医疗费用总额", "主诊断编码"],
        ["OLD1", P, day.isoformat(), "100", "C34.9"],
        ["OLD2", P, day.isoformat(), "100", "I10.X00"],
        ["OLD3", P, day.isoformat(), "100", "C16"],
    ]
    diagnoses = [["病案号", "身份证号", "出院日期", "疾病编码"], ["R1", P, day.isoformat(), "n18.5"]]
    load("medical_settlement", csv_bytes(settlements), "结算.csv")
    load("diagnosis", csv_bytes(diagnoses), "诊断.csv")
    # What older loaders left: other writings of the same codes, and a text that is not a code.
    MedicalSettlement.objects.filter(settlement_id="OLD1").update(diagnosis_code="c349")
    MedicalSettlement.objects.filter(settlement_id="OLD2").update(diagnosis_code="I10x00")
    Diagnosis.objects.filter(record_id="R1").update(diagnosis_code="N18 .5")
    untouched = MedicalSettlement.objects.get(settlement_id="OLD3").pk
    before = row_version(MedicalSettlement, untouched)
    MedicalSettlement.objects.create(
        **{
            **MedicalSettlement.objects.filter(settlement_id="OLD3").values()[0],
            "id": None,
            "settlement_id": "OLD4",
            "diagnosis_code": "肺癌",
        }
    )

    with connection.cursor() as cur:
        for statement in migration.STATEMENTS:
            cur.execute(statement)

    codes = dict(MedicalSettlement.objects.values_list("settlement_id", "diagnosis_code"))
    assert codes == {"OLD1": "C34.9", "OLD2": "I10.X00", "OLD3": "C16", "OLD4": "肺癌"}
    assert Diagnosis.objects.get(record_id="R1").diagnosis_code == "N18.5"
    assert row_version(MedicalSettlement, untouched) == before  # only rows that change are written

    settlements_again = [settlements[0]] + [[*r[:4], r[4].lower()] for r in settlements[1:]]
    batch = load("medical_settlement", csv_bytes(settlements_again, encoding="gb18030"), "结算重发.csv")
    assert (batch.loaded, batch.corrected, batch.duplicate) == (0, 0, 3)
    batch = load("diagnosis", csv_bytes(diagnoses, encoding="gb18030"), "诊断重发.csv")
    assert (batch.loaded, batch.corrected, batch.duplicate) == (0, 0, 1)
    assert not FeedRecordChange.objects.exists()
