"""A covering index for the run's reads of medical settlements.

The run reads, per monitored person, a year of settlements (sum of self-pay) and 90 days of
diagnosis codes. With only `medsettle_person_date` each of those ~60 rows is a random heap read
(~7 s per county at 10M rows); with the amounts and codes in the index they are index-only scans.
It lives here because the run is what needs it; the feed's columns are unchanged.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("alerts", "0004_rules_seed_defaults"), ("imports", "0001_initial")]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS run_medsettle_person_date_cover ON imports_medicalsettlement "
            "(id_number, settle_date) INCLUDE (self_paid, diagnosis_code, id)",
            "DROP INDEX IF EXISTS run_medsettle_person_date_cover",
        )
    ]
