"""Version 1 of each rule was noted "默认参数（DOMAIN.md）", which the rules pages show: users do not
know the team's internal documents, so the note says what it is."""

from django.db import migrations

OLD_NOTE = "默认参数（DOMAIN.md）"
NEW_NOTE = "系统默认参数"


def rename_notes(apps, schema_editor):
    apps.get_model("alerts", "RuleVersion").objects.filter(note=OLD_NOTE).update(note=NEW_NOTE)


def restore_notes(apps, schema_editor):
    apps.get_model("alerts", "RuleVersion").objects.filter(note=NEW_NOTE, version=1).update(note=OLD_NOTE)


class Migration(migrations.Migration):
    dependencies = [("alerts", "0010_inbox_newest_first_indexes")]

    operations = [migrations.RunPython(rename_notes, restore_notes)]
