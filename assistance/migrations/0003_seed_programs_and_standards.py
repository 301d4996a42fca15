"""Seeds the programmes of DOMAIN.md with their approval templates and the Cangzhou 2025 standards
(assistance/seeds.py says what is assumed)."""

from django.conf import settings
from django.db import migrations

from assistance import seeds


def seed(apps, schema_editor):
    seeds.seed(
        apps.get_model("assistance", "Program"),
        apps.get_model("assistance", "ApprovalStep"),
        apps.get_model("assistance", "Standard"),
        settings.CITY_REGION_CODE,
    )


class Migration(migrations.Migration):
    dependencies = [("assistance", "0002_standard_append_only")]

    # Going back, 0001 drops the tables (the append-only trigger refuses deleting the rows).
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
