"""`run_monitoring` prints per-rule counts; `export_alerts` writes the CSV data admins exchange."""

import csv
import json
from datetime import date, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from alerts.models import MonitoringRun
from tests.alerts.feed_factories import (  # noqa: F401
    DiagnosisFactory,
    MedicalSettlementFactory,
    monitored_person,
    rule_defaults,
)

AS_OF = date(2026, 11, 18)
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("rule_defaults")]


def run_command(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_run_monitoring_prints_counts_per_rule(regions):
    person = monitored_person()
    MedicalSettlementFactory(id_number=person.id_number, settle_date=AS_OF, self_paid=Decimal("15000"))
    output = run_command("run_monitoring", "--as-of", AS_OF.isoformat())
    assert "基准日期 2026-11-18" in output
    line = next(x for x in output.splitlines() if x.startswith("医疗自付费用过高"))
    assert line.split()[1:] == ["全量", "1", "1", "0"]
    again = run_command("run_monitoring", "--as-of", AS_OF.isoformat(), "--mode", "full")
    line = next(x for x in again.splitlines() if x.startswith("医疗自付费用过高"))
    assert line.split()[1:] == ["全量", "1", "0", "1"]


def test_run_monitoring_refuses_a_bad_date():
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("run_monitoring", "--as-of", "2026-13-01")


def test_export_alerts_of_a_run_as_csv_with_bom(regions, tmp_path):
    person = monitored_person(village="130921102201")
    MedicalSettlementFactory(id_number=person.id_number, settle_date=AS_OF, self_paid=Decimal("15000"))
    DiagnosisFactory(id_number=person.id_number, diagnosed_on=AS_OF)
    run_command("run_monitoring", "--as-of", AS_OF.isoformat())
    path = tmp_path / "alerts.csv"
    output = run_command("export_alerts", str(path), "--run", str(MonitoringRun.objects.get().id))
    assert "2 条" in output
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))
    assert list(rows[0]) == [
        "id_number",
        "name",
        "category",
        "rule_version",
        "raised_on",
        "region_code",
        "evidence",
    ]
    assert {r["category"] for r in rows} == {"high_medical_self_pay", "serious_disease"}
    row = next(r for r in rows if r["category"] == "high_medical_self_pay")
    assert row["id_number"] == person.id_number  # full ID: this export is for data admins
    assert row["name"] == person.name and row["rule_version"] == "1"
    assert row["raised_on"] == "2026-11-18" and row["region_code"] == "130921102201"
    assert json.loads(row["evidence"])["summary"].startswith("近365天个人自付 15,000.00 元")


def test_export_alerts_by_date_range(regions, tmp_path):
    person = monitored_person()
    DiagnosisFactory(id_number=person.id_number, diagnosed_on=AS_OF, diagnosis_code="C16")
    run_command("run_monitoring", "--as-of", AS_OF.isoformat())
    DiagnosisFactory(id_number=person.id_number, diagnosed_on=AS_OF + timedelta(days=3), diagnosis_code="C18")
    run_command("run_monitoring", "--as-of", (AS_OF + timedelta(days=3)).isoformat())
    path = tmp_path / "range.csv"
    run_command("export_alerts", str(path), "--from", "2026-11-19", "--to", "2026-11-30")
    rows = list(csv.DictReader(path.read_text(encoding="utf-8-sig").splitlines()))
    assert [r["raised_on"] for r in rows] == ["2026-11-21"]


def test_export_alerts_needs_a_run_or_a_range(tmp_path):
    with pytest.raises(CommandError, match="--run"):
        call_command("export_alerts", str(tmp_path / "x.csv"))
    with pytest.raises(CommandError, match="不存在"):
        call_command("export_alerts", str(tmp_path / "x.csv"), "--run", "999999")
