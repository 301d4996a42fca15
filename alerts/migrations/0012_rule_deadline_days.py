"""Deadlines become a parameter of each rule version (`deadline_days`).

Until now they were a constant in settings (ALERT_DEADLINE_DAYS, never changed: serious disease and
severe disability 7 days, the others 15), applied to every alert each version raised. Writing those
values into the existing versions records what they were applied with; it changes no behaviour, so
the versions keep their numbers (no new version, no full re-evaluation, stored self-pay bounds stay
valid) and every alert keeps the deadline it was raised with.
"""

from django.db import migrations

APPLIED_DEADLINE_DAYS = {
    "high_medical_self_pay": 15,
    "serious_disease": 7,
    "registered_unemployment": 15,
    "new_severe_disability": 7,
}


def record_deadlines(apps, schema_editor):
    RuleVersion = apps.get_model("alerts", "RuleVersion")
    for version in RuleVersion.objects.all():
        if "deadline_days" not in version.params and version.rule in APPLIED_DEADLINE_DAYS:
            version.params = {**version.params, "deadline_days": APPLIED_DEADLINE_DAYS[version.rule]}
            version.save(update_fields=["params"])


def forget_deadlines(apps, schema_editor):
    RuleVersion = apps.get_model("alerts", "RuleVersion")
    for version in RuleVersion.objects.all():
        if "deadline_days" in version.params:
            version.params = {k: v for k, v in version.params.items() if k != "deadline_days"}
            version.save(update_fields=["params"])


class Migration(migrations.Migration):
    dependencies = [("alerts", "0011_rule_notes_without_internal_docs")]

    operations = [migrations.RunPython(record_deadlines, forget_deadlines)]
