"""Backfill monitoring spells from the records and their change history (best effort).

Every state a record is known to have had — each history row's `before` and `after` JSON, and the
record as it is now — is grouped by its `since`: one group, one candidate spell, taking the exit
date, category and batch of the group's last known state. A group is kept when it is the current
record's, or when its last state was exited (a finished spell); a group whose last state was still
open but later gave way to another `since` without an exit was a corrected `since`, not a spell, and
is dropped, as is any group starting on or after the current record's `since`. Kept spells are cut
at the next spell's start, so none overlap. A spell is stamped when its last state was seen (the
record's `updated_at`, or the `changed_at` of the change that wrote or replaced that state), never
with the migration's clock.

What history cannot tell is left as the current record says: people whose records were written
before history was kept have one spell, the current one.
"""

from django.db import migrations

BACKFILL = """
WITH states AS (
    -- (record, since, exit date, category, batch, when, order within the same instant)
    SELECT m.id AS record_id, m.since, m.exit_date, m.category, m.source_batch_id AS batch_id,
           m.updated_at AS at, 3 AS ord, true AS current
    FROM monitoring_monitoringrecord m
    UNION ALL
    SELECT h.record_id, (h.after->>'since')::date, (h.after->>'exit_date')::date, h.after->>'category',
           h.batch_id, h.changed_at, 2, false
    FROM monitoring_monitoringrecordhistory h WHERE h.after ? 'since'
    UNION ALL
    SELECT h.record_id, (h.before->>'since')::date, (h.before->>'exit_date')::date, h.before->>'category',
           h.batch_id, h.changed_at, 1, false
    FROM monitoring_monitoringrecordhistory h WHERE h.before ? 'since'
),
last_state AS (
    SELECT DISTINCT ON (s.record_id, s.since) s.*, bool_or(s.current) OVER w AS is_current
    FROM states s
    WINDOW w AS (PARTITION BY s.record_id, s.since)
    ORDER BY s.record_id, s.since, s.current DESC, s.at DESC, s.ord DESC
),
kept AS (
    SELECT l.*, m.person_id, lead(l.since) OVER (PARTITION BY l.record_id ORDER BY l.since) AS next_since
    FROM last_state l JOIN monitoring_monitoringrecord m ON m.id = l.record_id
    WHERE l.since IS NOT NULL AND l.category IS NOT NULL
      AND (l.is_current OR (l.exit_date IS NOT NULL AND l.since < m.since))
)
INSERT INTO monitoring_monitoringspell (person_id, category, since, exit_date, source_batch_id, created_at,
                                        updated_at)
SELECT k.person_id, k.category, k.since,
       CASE WHEN k.next_since IS NULL THEN k.exit_date
            ELSE least(coalesce(k.exit_date, k.next_since), k.next_since) END,
       k.batch_id, k.at, k.at
FROM kept k
WHERE k.exit_date IS NULL OR k.exit_date >= k.since
ON CONFLICT DO NOTHING
"""


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0005_spells_follow_records")]

    operations = [
        migrations.RunSQL(BACKFILL, "DELETE FROM monitoring_monitoringspell"),
        # The nightly run plans its monitored people from the spells' statistics; without them
        # (until autovacuum comes by) it misjudges how many there are.
        migrations.RunSQL("ANALYZE monitoring_monitoringspell", migrations.RunSQL.noop),
    ]
