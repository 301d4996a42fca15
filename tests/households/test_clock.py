"""Time is an input: code asks `households.clock`, SQL gets the instant as a parameter.

The scans below read every Python module and template of the project (tests included, migrations
excluded: they are history) and fail on each place that reads the real clock some other way; the
behaviour tests show that rows written by the ORM and by the set-based SQL carry the clock's
instant, which the pinned clock puts months away from the machine's and the database's.
"""

import ast
import re
from datetime import UTC, timedelta
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.db import models
from django.utils import timezone

from households import clock
from households.fields import ClockDateTimeField
from tests.conftest import beijing
from tests.factories import HouseholdFactory

ROOT = Path(settings.BASE_DIR)
SKIPPED_DIRS = {".venv", ".git", ".pgdata", "node_modules", "migrations", "media", "staticfiles", "static"}
CLOCK_MODULE = ROOT / "households" / "clock.py"

# Calls (or references, as in `default=timezone.now`) that read the real clock.
REAL_CLOCK_ATTRIBUTES = {
    ("timezone", "now"),
    ("date", "today"),
    ("datetime", "now"),
    ("datetime", "today"),
    ("datetime", "utcnow"),
    ("time", "time"),
    ("time", "time_ns"),
}
# These read the real clock only without an argument (with one they convert a given instant).
REAL_CLOCK_WITHOUT_ARGUMENT = {("timezone", "localdate"), ("timezone", "localtime")}
# The database server's clock, in SQL text.
SERVER_CLOCK_SQL = re.compile(
    r"(?<![\w.])(now|clock_timestamp|statement_timestamp|transaction_timestamp|timeofday)\s*\(\s*\)"
    r"|\b(current_date|current_time|current_timestamp|localtime|localtimestamp)\b"
    r"|'(now|today|yesterday|tomorrow)'::(date|timestamp)",
    re.IGNORECASE,
)


def project_files(suffix: str) -> list[Path]:
    return sorted(
        path
        for path in ROOT.rglob(f"*{suffix}")
        if not SKIPPED_DIRS.intersection(path.relative_to(ROOT).parts[:-1])
    )


def _attribute_pair(node: ast.AST) -> tuple[str, str] | None:
    """("timezone", "now") for `timezone.now` and `django.utils.timezone.now`."""
    if isinstance(node, ast.Attribute):
        owner = node.value
        name = owner.id if isinstance(owner, ast.Name) else getattr(owner, "attr", None)
        return (name, node.attr) if name else None
    return None


def _docstrings(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                ids.add(id(body[0].value))
    return ids


def real_clock_reads(source: str) -> list[str]:
    """Each place in `source` (Python) that reads the real clock or calls the server's clock in SQL."""
    tree = ast.parse(source)
    found = []
    called = {id(node.func): node for node in ast.walk(tree) if isinstance(node, ast.Call)}
    docstrings = _docstrings(tree)
    for node in ast.walk(tree):
        pair = _attribute_pair(node)
        if pair in REAL_CLOCK_ATTRIBUTES:
            found.append(f"line {node.lineno}: {pair[0]}.{pair[1]}")
        elif pair in REAL_CLOCK_WITHOUT_ARGUMENT:
            call = called.get(id(node))
            if call is not None and not call.args and not call.keywords:
                found.append(f"line {node.lineno}: {pair[0]}.{pair[1]}()")
        elif isinstance(node, ast.ImportFrom) and node.module in ("django.utils.timezone", "time"):
            for alias in node.names:
                if alias.name in ("now", "localdate", "localtime", "time", "time_ns"):
                    found.append(f"line {node.lineno}: from {node.module} import {alias.name}")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            match = SERVER_CLOCK_SQL.search(node.value)
            if match:
                found.append(f"line {node.lineno}: SQL {match.group(0)!r}")
    return found


def test_the_scan_finds_each_way_of_reading_the_real_clock():
    readers = [
        "timezone.now()",
        "x = models.DateTimeField(default=timezone.now)",
        "django.utils.timezone.now()",
        "timezone.localdate()",
        "timezone.localtime()",
        "date.today()",
        "datetime.now(tz=UTC)",
        "datetime.datetime.utcnow()",
        "time.time()",
        "from django.utils.timezone import now",
        "cursor.execute('UPDATE t SET at = now()')",
        "cursor.execute(f'SELECT {x} FROM t WHERE d > CURRENT_DATE - 30')",
        "sql = '''INSERT INTO t VALUES (current_timestamp)'''",
        "sql = \"SELECT 'today'::date\"",
    ]
    for reader in readers:
        assert real_clock_reads(reader), reader
    fine = [
        "clock.now()",
        "clock.today()",
        "timezone.localdate(moment)",
        "timezone.localtime(batch.created_at)",
        "time.monotonic()",
        "cursor.execute('UPDATE t SET at = %(now)s', {'now': clock.now()})",
        'def f():\n    """Never calls the server\'s now() in SQL."""',
        "# now() in a comment",
    ]
    for reader in fine:
        assert not real_clock_reads(reader), reader


def test_no_module_reads_the_real_clock_or_the_database_servers():
    found = {}
    for path in project_files(".py"):
        if path in (CLOCK_MODULE, Path(__file__)):  # the clock itself; the scan's own examples
            continue
        reads = real_clock_reads(path.read_text(encoding="utf-8"))
        if reads:
            found[str(path.relative_to(ROOT))] = reads
    assert not found, "ask households.clock (and pass the instant to SQL as a parameter): " + repr(found)


def test_no_template_reads_the_real_clock():
    found = [
        str(path.relative_to(ROOT))
        for path in project_files(".html")
        if re.search(r"{%\s*now\b", path.read_text(encoding="utf-8"))
    ]
    assert not found, "{% now %} reads the real clock; pass clock.now() in the context: " + repr(found)


def test_every_automatic_timestamp_of_the_project_comes_from_the_clock():
    ours = {"households", "imports", "monitoring", "alerts", "assistance"}
    automatic = [
        field
        for model in apps.get_models()
        if model._meta.app_label in ours
        for field in model._meta.concrete_fields
        if isinstance(field, models.DateField) and (field.auto_now or field.auto_now_add)
    ]
    assert automatic
    assert all(isinstance(f, ClockDateTimeField) for f in automatic), [
        f"{f.model.__name__}.{f.name}" for f in automatic if not isinstance(f, ClockDateTimeField)
    ]


def test_today_is_the_beijing_date_even_while_utc_is_still_on_the_day_before(pinned_clock):
    pinned_clock.move_to(beijing("2027-03-01 00:30"))
    assert clock.now().astimezone(UTC).date().isoformat() == "2027-02-28"
    assert clock.today().isoformat() == "2027-03-01"


def test_a_simulation_moves_its_own_clock_forward_only_and_never_past_the_real_now():
    real_now = clock.now()
    start = real_now - timedelta(days=300)
    with clock.simulated(start) as simulation:
        assert clock.now() == start
        simulation.advance(timedelta(days=1, hours=2))
        assert clock.now() == start + timedelta(days=1, hours=2)
        assert clock.today() == timezone.localdate(start + timedelta(days=1, hours=2))
        with pytest.raises(ValueError, match="does not go back"):
            simulation.move_to(start)
        with pytest.raises(ValueError, match="future"):
            simulation.move_to(real_now + timedelta(seconds=1))
    assert clock.now() == real_now
    with pytest.raises(ValueError, match="future"), clock.simulated(real_now + timedelta(minutes=1)):
        pass


@pytest.mark.django_db
def test_automatic_timestamps_are_the_clocks(regions):
    start = clock.now() - timedelta(days=100)
    with clock.simulated(start) as simulation:
        household = HouseholdFactory()
        simulation.advance(timedelta(days=2))
        household.address = "旧州镇第1村"
        household.save()
    household.refresh_from_db()
    assert (household.created_at, household.updated_at) == (start, start + timedelta(days=2))
