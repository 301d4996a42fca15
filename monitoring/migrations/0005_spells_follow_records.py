"""Monitoring spells follow monitoring records: statement-level triggers on the record table.

After every INSERT or UPDATE statement on monitoring_monitoringrecord (the roster loader's upsert,
a move, the admin, the ORM), the written records whose person's latest spell does not match them
(since, exit date, category) are reconciled, set-based over the statement's transition table, in
the same transaction:

- no spell yet: the record's spell is inserted;
- the latest spell is closed and the record's `since` is later (a return after an exit): a new spell
  is appended, and the closed one is cut at the new `since` if it ran past it;
- otherwise (same `since`, the open spell, or a `since` moved earlier) the latest spell is rewritten:
  an exit closes it, a category change or a corrected `since` / exit date updates it.
Spells of the person the written spell would overlap are removed (those starting on or after its
`since`) or cut at its `since`, so a corrected history never breaks the no-overlap constraint.
Timestamps and the batch come from the record (no server clock).
"""

from django.db import migrations

# Four set-based statements over the statement's written records (`new_rows`). Only one spell of a
# person can be open, and it is then the latest (no overlap), which keeps each step a plain join.
FUNCTION = """
CREATE OR REPLACE FUNCTION monitoring_spells_follow_records() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
    -- Spells starting on or after the record's since, other than the latest one, are superseded.
    DELETE FROM monitoring_monitoringspell x USING new_rows n
    WHERE x.person_id = n.person_id AND x.since >= n.since
      AND EXISTS (SELECT 1 FROM monitoring_monitoringspell y WHERE y.person_id = x.person_id AND y.since > x.since);

    -- A finished spell running past the record's since ends there (the latest one too, when the
    -- record is a return after it).
    UPDATE monitoring_monitoringspell x SET exit_date = n.since, updated_at = n.updated_at FROM new_rows n
    WHERE x.person_id = n.person_id AND x.since < n.since AND x.exit_date > n.since;

    -- The latest spell takes the record's state, unless the record is a return after it.
    UPDATE monitoring_monitoringspell x
       SET since = n.since, exit_date = n.exit_date, category = n.category,
           source_batch_id = n.source_batch_id, updated_at = n.updated_at
      FROM new_rows n
     WHERE x.person_id = n.person_id
       AND (x.since, x.exit_date, x.category) IS DISTINCT FROM (n.since, n.exit_date, n.category)
       AND NOT (x.exit_date IS NOT NULL AND n.since > x.since)
       AND NOT EXISTS (SELECT 1 FROM monitoring_monitoringspell y WHERE y.person_id = x.person_id AND y.since > x.since);

    -- No spell yet, or a return after the latest one: a new spell.
    INSERT INTO monitoring_monitoringspell
        (person_id, category, since, exit_date, source_batch_id, created_at, updated_at)
    SELECT n.person_id, n.category, n.since, n.exit_date, n.source_batch_id, n.updated_at, n.updated_at
    FROM new_rows n
    WHERE NOT EXISTS (
        SELECT 1 FROM monitoring_monitoringspell s
        WHERE s.person_id = n.person_id AND (s.since >= n.since OR s.exit_date IS NULL)
    );
    RETURN NULL;
END
$body$;
"""

TRIGGERS = """
CREATE TRIGGER monitoringrecord_spells_insert AFTER INSERT ON monitoring_monitoringrecord
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION monitoring_spells_follow_records();
CREATE TRIGGER monitoringrecord_spells_update AFTER UPDATE ON monitoring_monitoringrecord
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION monitoring_spells_follow_records();
"""

DROP = """
DROP TRIGGER IF EXISTS monitoringrecord_spells_update ON monitoring_monitoringrecord;
DROP TRIGGER IF EXISTS monitoringrecord_spells_insert ON monitoring_monitoringrecord;
DROP FUNCTION IF EXISTS monitoring_spells_follow_records();
"""


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0004_monitoring_spells")]

    operations = [migrations.RunSQL(FUNCTION + TRIGGERS, DROP)]
