"""Exit from monitoring: the people a grant no longer covers leave the monitoring roster."""

from datetime import date

from django.db import connection

from monitoring.roster import RECORD_JSON


def exit_people(*, person_ids: list[int], exit_date: date, actor, now) -> list[int]:
    """Marks the active monitoring records of `person_ids` exited on `exit_date` (never before the
    record's `since`: the check constraint wants exit ≥ since, so a record enrolled after the date
    exits on its `since`) and writes one history row per record that changed (before active →
    after exited), naming `actor` (None: the system), in the caller's transaction. Set-based.

    Monitoring spells follow the records by the database's triggers (monitoring migration 0005):
    the open spell closes on the exit date. Returns the ids of the people who were exited."""
    if not person_ids:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH old AS MATERIALIZED (
                SELECT m.* FROM monitoring_monitoringrecord m
                 WHERE m.person_id = ANY(%(ids)s) AND m.status = 'active'
                 FOR UPDATE
            ),
            up AS (
                UPDATE monitoring_monitoringrecord m
                   SET status = 'exited', exit_date = greatest(%(exit_date)s::date, m.since), updated_at = %(now)s
                  FROM old WHERE m.id = old.id
                RETURNING m.*
            ),
            history AS (
                INSERT INTO monitoring_monitoringrecordhistory
                       (record_id, changed_at, batch_id, changed_by_id, before, after)
                SELECT u.id, %(now)s, NULL, %(user)s, {RECORD_JSON.format(t="o")}, {RECORD_JSON.format(t="u")}
                  FROM up u JOIN old o ON o.id = u.id
            )
            SELECT person_id FROM up ORDER BY person_id
            """,
            {"ids": list(person_ids), "exit_date": exit_date, "now": now, "user": getattr(actor, "pk", None)},
        )
        return [row[0] for row in cursor.fetchall()]
