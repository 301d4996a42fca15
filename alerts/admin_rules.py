"""Admin for rule versions and monitoring runs: read-only lists and history.

Versions are never edited (an alert points at the parameters it was raised with): a change is made
on the rules page (`alerts:rule_edit`), which saves a new version with who and why.
"""

import json

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from alerts.models import MonitoringRun, RuleVersion
from households.admin import ModelAdmin
from imports.admin import ReadOnlyAdminMixin


@admin.register(RuleVersion)
class RuleVersionAdmin(ReadOnlyAdminMixin, ModelAdmin):
    list_display = ["rule", "version", "created_by", "created_at", "note"]
    list_filter = ["rule"]
    ordering = ["rule", "-version"]
    fields = ["rule", "version", "params_pretty", "note", "created_by", "created_at"]
    readonly_fields = fields

    @admin.display(description=_("参数"))
    def params_pretty(self, obj):
        return format_html("<pre>{}</pre>", json.dumps(obj.params, ensure_ascii=False, indent=2))


@admin.register(MonitoringRun)
class MonitoringRunAdmin(ReadOnlyAdminMixin, ModelAdmin):
    list_display = ["id", "as_of", "status", "new_alerts", "duration_ms", "started_at", "finished_at"]
    list_filter = ["status"]
    date_hierarchy = "as_of"
    fields = [
        "as_of",
        "status",
        "rule_versions",
        "counts_pretty",
        "started_at",
        "finished_at",
        "duration_ms",
        "error",
        "triggered_by",
    ]
    readonly_fields = fields

    @admin.display(description=_("新增预警"))
    def new_alerts(self, obj):
        rules = (obj.counts or {}).get("rules") or {}
        return sum(c.get("new", 0) for c in rules.values()) if rules else "—"

    @admin.display(description=_("计数"))
    def counts_pretty(self, obj):
        counts = {k: v for k, v in (obj.counts or {}).items() if k not in ("batches", "touched")}
        return format_html("<pre>{}</pre>", json.dumps(counts, ensure_ascii=False, indent=2))
