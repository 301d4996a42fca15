"""Automatic assignment of alerts to the caseworker responsible for their region."""

from django.db import connection, transaction

from households import clock

# For each row (`id`, `region_id`) of `{alerts}`, the responsible caseworker who can see it: the
# most specific responsibility (village over town over county) whose caseworker is active, a
# caseworker, and has a scope whose prefix covers the region (a city scope: its first four digits).
# A responsibility naming anyone else is passed over for the next wider one.
_RESPONSIBLE = """
    SELECT DISTINCT ON (x.id) x.id AS alert_id, r.caseworker_id
      FROM {alerts} x
      JOIN alerts_responsibility r ON x.region_id LIKE r.region_id || '%%'
      JOIN households_user u ON u.id = r.caseworker_id AND u.is_active AND u.role = 'caseworker'
      JOIN households_region s ON s.code = u.scope_id
       AND x.region_id LIKE (CASE WHEN s.level = 'city' THEN left(s.code, 4) ELSE s.code END) || '%%'
     ORDER BY x.id, length(r.region_id) DESC
"""


def responsible_caseworkers_sql(rows_sql: str) -> str:
    """SQL of (`alert_id`, `caseworker_id`) for the rows (`id`, `region_id`) of `rows_sql`, by the
    rules above; other tasks (follow-ups) are routed to whoever receives the region's alerts.
    Run with a parameter mapping (the SQL escapes its `%`)."""
    return _RESPONSIBLE.format(alerts=rows_sql)


@transaction.atomic
def auto_assign_new_alerts(*, alert_ids: list[int] | None = None, run_id: int | None = None) -> int:
    """Assign unassigned new alerts to the responsible caseworker of the most specific region.

    The village's caseworker wins over the town's, the town's over the county's. Only someone who
    can see the alert is ever picked (see `_RESPONSIBLE`). Alerts with no such caseworker stay
    unassigned in the town's queue (status `new`). Each assignment is recorded in the alert's
    history (actor empty: the system did it). Set-based: one UPDATE and one INSERT whatever the
    number of alerts. Only `alert_ids`, or only the alerts raised by the run `run_id`, when given.
    Returns the number assigned.
    """
    only_ids = "AND a.id = ANY(%(ids)s)" if alert_ids is not None else ""
    if run_id is not None:
        only_ids += " AND a.run_id = %(run_id)s"
    candidates = f"(SELECT a.id, a.region_id FROM alerts_alert a WHERE a.status = 'new' AND a.assignee_id IS NULL {only_ids})"
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH pick AS ({_RESPONSIBLE.format(alerts=candidates)}), done AS (
                UPDATE alerts_alert a
                SET status = 'assigned', assignee_id = pick.caseworker_id,
                    lock_version = a.lock_version + 1, updated_at = %(now)s
                FROM pick WHERE a.id = pick.alert_id
                RETURNING a.id, a.assignee_id
            )
            INSERT INTO alerts_alertevent (alert_id, actor_id, at, action, from_status, to_status, note, data)
            SELECT done.id, NULL, %(now)s, 'auto_assign', 'new', 'assigned', '按区域责任人自动分派',
                   jsonb_build_object('assignee_id', done.assignee_id)
            FROM done
            """,
            {"ids": alert_ids, "run_id": run_id, "now": clock.now()},
        )
        return cursor.rowcount


def alerts_follow_home(*, cursor, persons_sql: str, actor, now, note: str) -> None:
    """The `households.moves` hook: open alerts of the people of `persons_sql` take their person's current
    household and region, and go to that region's responsible caseworker by the rules above
    (back to `new`, unassigned, when there is none); their home visits follow the alert's
    household. Each moved alert gets a `move` history event saying why (`note`) and who had it
    before. Closed alerts keep their household, region and history. Set-based."""
    cursor.execute(
        f"""
        WITH target AS MATERIALIZED (
            SELECT a.id, a.status, a.assignee_id, a.region_id AS from_region,
                   p.household_id, h.region_id
              FROM alerts_alert a
              JOIN households_person p ON p.id = a.person_id
              JOIN households_household h ON h.id = p.household_id
             WHERE a.person_id IN ({persons_sql}) AND a.status IN ('new', 'assigned', 'verifying')
               AND (a.household_id, a.region_id) IS DISTINCT FROM (p.household_id, h.region_id)
        ),
        pick AS ({_RESPONSIBLE.format(alerts="target")}),
        done AS (
            UPDATE alerts_alert a
               SET household_id = t.household_id, region_id = t.region_id, assignee_id = pick.caseworker_id,
                   status = CASE WHEN pick.caseworker_id IS NULL THEN 'new'
                                 WHEN a.status = 'new' THEN 'assigned' ELSE a.status END,
                   lock_version = a.lock_version + 1, updated_at = %(now)s
              FROM target t LEFT JOIN pick ON pick.alert_id = t.id
             WHERE a.id = t.id
            RETURNING a.id, a.status, a.assignee_id, a.household_id, a.region_id,
                      t.status AS from_status, t.assignee_id AS from_assignee, t.from_region
        ),
        visits AS (
            UPDATE alerts_homevisit v SET household_id = done.household_id
              FROM done WHERE v.alert_id = done.id AND v.household_id <> done.household_id
        )
        INSERT INTO alerts_alertevent (alert_id, actor_id, at, action, from_status, to_status, note, data)
        SELECT done.id, %(actor)s, %(now)s, 'move', done.from_status, done.status, %(note)s,
               jsonb_build_object('from_region', done.from_region, 'region', done.region_id,
                                  'from_assignee_id', done.from_assignee, 'assignee_id', done.assignee_id)
          FROM done
        """,
        {"now": now, "actor": getattr(actor, "pk", None), "note": note},
    )
