from django.db import migrations

from households.divisions import seed_cangzhou


def seed(apps, schema_editor):
    seed_cangzhou(apps.get_model("households", "Region"))


class Migration(migrations.Migration):
    dependencies = [("households", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
