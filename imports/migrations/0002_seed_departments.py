from django.db import migrations


def seed(apps, schema_editor):
    from imports.departments import seed_departments

    seed_departments(apps.get_model("imports", "Department"))


class Migration(migrations.Migration):
    dependencies = [("imports", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
