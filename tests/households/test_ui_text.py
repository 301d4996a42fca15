"""What users read never points at the team's internal documents (DOMAIN.md, an issue number …)."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from scripts.i18n_catalog import PO_PATH, read_po
from tests.helpers import page_text

ROOT = Path(settings.BASE_DIR)
INTERNAL = re.compile(r"\b(?:DOMAIN|DESIGN|STYLE|FEEDS|README)\b|\w\.md\b|\b[Ii]ssue\s*#?\d+|benchmarks/")
TEMPLATE_COMMENT = re.compile(r"\{#.*?#\}|\{%\s*comment\s*%\}.*?\{%\s*endcomment\s*%\}", re.S)


def test_no_template_names_an_internal_document():
    found = []
    for path in sorted((ROOT / "templates").rglob("*.html")):
        shown = TEMPLATE_COMMENT.sub("", path.read_text(encoding="utf-8"))
        found += [f"{path.relative_to(ROOT)}: {m.group(0)}" for m in INTERNAL.finditer(shown)]
    assert found == []


def test_no_translatable_string_names_an_internal_document():
    entries = read_po(PO_PATH)
    assert entries  # the catalog was read
    assert [e.msgid for e in entries if INTERNAL.search(e.msgid)] == []


@pytest.mark.django_db
def test_rule_pages_name_no_internal_document(client_for, city_supervisor):
    from alerts.services.rules import ensure_default_rule_versions

    ensure_default_rule_versions()
    client = client_for(city_supervisor)
    pages = [reverse("alerts:rules")] + [
        reverse(name, args=[rule])
        for rule in ("high_medical_self_pay", "serious_disease")
        for name in ("alerts:rule_history", "alerts:rule_edit")
    ]
    for url in pages:
        text = page_text(client.get(url))
        assert not INTERNAL.search(text), (url, INTERNAL.search(text).group(0))
    assert "系统默认参数" in page_text(client.get(reverse("alerts:rules")))  # version 1's note, in words


def test_the_migration_renames_the_seeded_notes(db):
    from importlib import import_module

    from django.apps import apps

    from alerts.models import RuleVersion

    migration = import_module("alerts.migrations.0011_rule_notes_without_internal_docs")
    RuleVersion.objects.all().delete()
    RuleVersion.objects.create(rule="serious_disease", version=1, params={}, note=migration.OLD_NOTE)
    RuleVersion.objects.create(rule="serious_disease", version=2, params={}, note="阈值按省厅通知调整")
    migration.rename_notes(apps, None)
    assert list(RuleVersion.objects.order_by("version").values_list("note", flat=True)) == [
        "系统默认参数",
        "阈值按省厅通知调整",
    ]
