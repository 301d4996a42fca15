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

# The written records whose person's latest spell disagrees with them; recomputed by each step
# (a step never changes which spell is latest, nor whether it is to be rewritten or appended to).
PLAN = """
WITH plan AS (
    SELECT n.person_id, n.category, n.since, n.exit_date, n.source_batch_id, n.updated_at,
           CASE WHEN s.exit_date IS NOT NULL AND n.since > s.since THEN NULL ELSE s.id END AS keep_id
    FROM new_rows n
    LEFT JOIN LATERAL (
        SELECT s.id, s.since, s.exit_date, s.category FROM monitoring_monitoringspell s
        WHERE s.person_id = n.person_id ORDER BY s.since DESC LIMIT 1
    ) s ON true
    WHERE s.id IS NULL OR (s.since, s.exit_date, s.category) IS DISTINCT FROM (n.since, n.exit_date, n.category)
)"""

FUNCTION = f"""
CREATE OR REPLACE FUNCTION monitoring_spells_follow_records() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
    {PLAN}
    DELETE FROM monitoring_monitoringspell x USING plan p
    WHERE x.person_id = p.person_id AND x.id IS DISTINCT FROM p.keep_id AND x.since >= p.since;

    {PLAN}
    UPDATE monitoring_monitoringspell x SET exit_date = p.since, updated_at = p.updated_at FROM plan p
    WHERE x.person_id = p.person_id AND x.id IS DISTINCT FROM p.keep_id AND x.since < p.since
      AND (x.exit_date IS NULL OR x.exit_date > p.since);

    {PLAN}
    UPDATE monitoring_monitoringspell x
       SET since = p.since, exit_date = p.exit_date, category = p.category,
           source_batch_id = p.source_batch_id, updated_at = p.updated_at
      FROM plan p WHERE x.id = p.keep_id;

    {PLAN}
    INSERT INTO monitoring_monitoringspell
        (person_id, category, since, exit_date, source_batch_id, created_at, updated_at)
    SELECT p.person_id, p.category, p.since, p.exit_date, p.source_batch_id, p.updated_at, p.updated_at
    FROM plan p WHERE p.keep_id IS NULL;
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
