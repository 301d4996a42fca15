"""`export_alerts` files: owner-only (0600), every text cell inert in a spreadsheet, each run logged."""

import csv
import os
import stat
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from households import clock
from households.readlog.models import Channel, ReadAction, ReadLogEntry
from tests.factories import AlertFactory, MonitoringRecordFactory, PersonFactory

pytestmark = pytest.mark.django_db

HOSTILE_NAMES = [
    '=HYPERLINK("http://x","click")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)*cmd",
    "\t=1+1",
    "\r=1+1",
]


def export(path, *extra) -> str:
    out = StringIO()
    today = clock.today().isoformat()
    call_command("export_alerts", str(path), "--from", today, "--to", today, *extra, stdout=out)
    return out.getvalue()


def alert_for(name: str, **evidence):
    person = MonitoringRecordFactory(person=PersonFactory(name=name)).person
    return AlertFactory(person=person, **({"evidence": evidence} if evidence else {}))


def test_the_file_is_readable_by_its_owner_only(regions, tmp_path):
    alert_for("张三")
    path = tmp_path / "alerts.csv"
    export(path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_an_existing_world_readable_file_becomes_owner_only(regions, tmp_path):
    alert_for("张三")
    path = tmp_path / "alerts.csv"
    path.write_text("old content")
    os.chmod(path, 0o644)
    export(path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert "old content" not in path.read_text(encoding="utf-8-sig")


def test_a_symbolic_link_is_refused_not_followed(regions, tmp_path):
    target = tmp_path / "elsewhere.txt"
    target.write_text("keep me")
    link = tmp_path / "alerts.csv"
    link.symlink_to(target)
    with pytest.raises(CommandError, match="符号链接"):
        export(link)
    assert target.read_text() == "keep me"


def test_every_text_cell_of_hostile_names_and_evidence_comes_out_inert(regions, tmp_path):
    for name in HOSTILE_NAMES:
        alert_for(name)
    alert_for("李四")  # evidence is JSON text: starts with "{", left as it is
    path = tmp_path / "alerts.csv"
    export(path)
    rows = list(csv.reader(StringIO(path.read_bytes().decode("utf-8-sig"), newline="")))
    names = [row[1] for row in rows[1:]]
    assert sorted(names) == sorted(["'" + n for n in HOSTILE_NAMES] + ["李四"])
    formula_start = ("=", "+", "-", "@", "\t", "\r")
    assert all(not cell.startswith(formula_start) for row in rows for cell in row)
    person = next(r for r in rows[1:] if r[1] == "李四")
    assert person[6].startswith("{") and person[0].isalnum()  # ordinary cells unchanged


def test_each_run_is_logged_with_who_what_file_and_whom(regions, tmp_path):
    first, second = alert_for("张三"), alert_for("李四")
    path = tmp_path / "alerts.csv"
    export(path)
    entry = ReadLogEntry.objects.get()
    assert entry.actions == [ReadAction.EXPORT_ALERTS] and entry.channel == Channel.COMMAND
    assert entry.user is None and "@" in entry.actor  # the OS user at the host
    assert entry.file == str(path.resolve()) and entry.row_count == 2
    assert sorted(entry.person_ids) == sorted([first.person_id, second.person_id])
    assert sorted(entry.household_ids) == sorted([first.household_id, second.household_id])
    assert entry.path.startswith(f"export_alerts {path} --from ")
    assert entry.at == clock.now()


def test_a_refused_selection_writes_no_file_and_no_entry(regions, tmp_path):
    with pytest.raises(CommandError):
        call_command("export_alerts", str(tmp_path / "x.csv"), "--run", "999999")
    assert not (tmp_path / "x.csv").exists()
    assert not ReadLogEntry.objects.exists()
