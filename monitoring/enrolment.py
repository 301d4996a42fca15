"""Enrolment: an approved application puts its people under monitoring in the programme's category."""

from datetime import date

from django.db import connection

from monitoring.roster import RECORD_JSON


def enrol_people(*, person_ids: list[int], category: str, since: date, actor, now) -> dict[int, str]:
    """Writes each person's monitoring record (category, since, active, their household and region)
    and one history row per record that changed, naming `actor`, in the caller's transaction.
    Set-based. A person already monitored in the same category keeps their earlier `since`.

    Returns each person's category before (empty for someone not monitored, or whose record had
    exited), so the caller can count conversions (e.g. from 防止返贫监测)."""
    if not person_ids:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH src AS (
                SELECT p.id AS person_id, p.household_id, h.region_id AS region_code
                  FROM households_person p JOIN households_household h ON h.id = p.household_id
                 WHERE p.id = ANY(%(ids)s)
            ),
            old AS (SELECT m.* FROM monitoring_monitoringrecord m JOIN src USING (person_id)),
            up AS (
                INSERT INTO monitoring_monitoringrecord AS m (person_id, household_id, region_code, category,
                       since, status, exit_date, source_batch_id, created_at, updated_at)
                SELECT person_id, household_id, region_code, %(category)s, %(since)s, 'active', NULL, NULL,
                       %(now)s, %(now)s
                  FROM src
                ON CONFLICT (person_id) DO UPDATE SET
                    household_id = EXCLUDED.household_id, region_code = EXCLUDED.region_code,
                    category = EXCLUDED.category, status = 'active', exit_date = NULL,
                    since = CASE WHEN m.status = 'active' AND m.category = EXCLUDED.category
                                 THEN m.since ELSE EXCLUDED.since END,
                    updated_at = %(now)s
                WHERE (m.household_id, m.region_code, m.category, m.status) IS DISTINCT FROM
                      (EXCLUDED.household_id, EXCLUDED.region_code, EXCLUDED.category, 'active')
                RETURNING m.*
            ),
            history AS (
                INSERT INTO monitoring_monitoringrecordhistory
                       (record_id, changed_at, batch_id, changed_by_id, before, after)
                SELECT u.id, %(now)s, NULL, %(user)s,
                       CASE WHEN o.id IS NULL THEN NULL ELSE {RECORD_JSON.format(t="o")} END,
                       {RECORD_JSON.format(t="u")}
                  FROM up u LEFT JOIN old o ON o.id = u.id
            )
            SELECT src.person_id, CASE WHEN o.status = 'active' THEN o.category ELSE '' END
              FROM src LEFT JOIN old o ON o.person_id = src.person_id
            """,
            {
                "ids": list(person_ids),
                "category": category,
                "since": since,
                "now": now,
                "user": getattr(actor, "pk", None),
            },
        )
        return dict(cursor.fetchall())
