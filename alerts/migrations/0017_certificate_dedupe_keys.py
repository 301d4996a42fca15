"""Severe-disability alerts are deduplicated on the certificate: its first 20 characters.

Alerts raised so far carry the whole certificate number (with any reissue suffix) as their dedupe
key. Each certificate's earliest alert (by raising day, then id) gets the 20-character key, unless
another alert of the rule already holds it; any later alert of the same certificate (a reissued
card alerted before this change) keeps its old key: rewriting it would collide with the unique
(rule, dedupe_key), and deleting it would lose its triage history. Either way the certificate has
an alert under its 20-character key from now on, so no further card of it raises another.
"""

from django.db import migrations

REWRITE = """
WITH ranked AS (
    SELECT id, left(dedupe_key, 20) AS certificate,
           row_number() OVER (PARTITION BY left(dedupe_key, 20) ORDER BY raised_on, id) AS n
    FROM alerts_alert
    WHERE rule = 'new_severe_disability' AND length(dedupe_key) > 20
)
UPDATE alerts_alert a SET dedupe_key = r.certificate
FROM ranked r
WHERE a.id = r.id AND r.n = 1
  AND NOT EXISTS (
      SELECT 1 FROM alerts_alert b WHERE b.rule = 'new_severe_disability' AND b.dedupe_key = r.certificate
  )
"""

# Backwards: the whole number again, from the evidence the alert was raised with.
RESTORE = """
UPDATE alerts_alert SET dedupe_key = evidence -> 'values' ->> 'certificate_no'
WHERE rule = 'new_severe_disability' AND length(dedupe_key) = 20
  AND evidence -> 'values' ->> 'certificate_no' IS NOT NULL
  AND evidence -> 'values' ->> 'certificate_no' <> dedupe_key
"""


class Migration(migrations.Migration):
    dependencies = [("alerts", "0016_choice_and_amount_checks")]

    operations = [migrations.RunSQL(REWRITE, RESTORE)]
