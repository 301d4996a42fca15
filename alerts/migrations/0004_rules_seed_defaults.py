"""Version 1 of each of the four rules, with the defaults of DOMAIN.md."""

from django.db import migrations


def seed(apps, schema_editor):
    from alerts.rules.definitions import default_params

    RuleVersion = apps.get_model("alerts", "RuleVersion")
    for rule in ("high_medical_self_pay", "serious_disease", "registered_unemployment", "new_severe_disability"):
        if not RuleVersion.objects.filter(rule=rule).exists():
            RuleVersion.objects.create(
                rule=rule, version=1, params=default_params(rule), note="默认参数（DOMAIN.md）"
            )


class Migration(migrations.Migration):
    dependencies = [("alerts", "0003_dashboard_summaries")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
