"""Monitoring records follow their person's home (the `households.moves` hook, see monitoring/apps.py)."""

from monitoring.roster import RECORD_JSON


def records_follow_home(*, cursor, persons_sql: str, actor, now, note: str) -> None:
    """Every record of the people of `persons_sql` takes its person's current household and that household's
    region code; each changed record gets a history row naming who moved it. Set-based."""
    cursor.execute(
        f"""
        WITH moved AS (
            SELECT m.id, {RECORD_JSON.format(t="m")} AS before, p.household_id, h.region_id AS region_code
              FROM monitoring_monitoringrecord m
              JOIN households_person p ON p.id = m.person_id
              JOIN households_household h ON h.id = p.household_id
             WHERE m.person_id IN ({persons_sql})
               AND (m.household_id, m.region_code) IS DISTINCT FROM (p.household_id, h.region_id)
        ),
        up AS (
            UPDATE monitoring_monitoringrecord m
               SET household_id = moved.household_id, region_code = moved.region_code, updated_at = %(now)s
              FROM moved WHERE m.id = moved.id RETURNING m.*, moved.before
        )
        INSERT INTO monitoring_monitoringrecordhistory (record_id, changed_at, batch_id, changed_by_id, before, after)
        SELECT u.id, %(now)s, NULL, %(user)s, u.before, {RECORD_JSON.format(t="u")} FROM up u
        """,
        {"now": now, "user": getattr(actor, "pk", None)},
    )
