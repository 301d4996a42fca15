"""Automatic assignment of new alerts to the caseworker responsible for their region."""

from django.db import connection, transaction

from households import clock


@transaction.atomic
def auto_assign_new_alerts(*, alert_ids: list[int] | None = None, run_id: int | None = None) -> int:
    """Assign unassigned new alerts to the responsible caseworker of the most specific region.

    The village's caseworker wins over the town's, the town's over the county's. Alerts with no
    responsible caseworker stay unassigned in the town's queue (status `new`). Each assignment
    is recorded in the alert's history (actor empty: the system did it). Set-based: one UPDATE
    and one INSERT whatever the number of alerts. Only `alert_ids`, or only the alerts raised by
    the run `run_id`, when given. Returns the number assigned.
    """
    only_ids = "AND a.id = ANY(%(ids)s)" if alert_ids is not None else ""
    if run_id is not None:
        only_ids += " AND a.run_id = %(run_id)s"
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH pick AS (
                SELECT DISTINCT ON (a.id) a.id AS alert_id, r.caseworker_id
                FROM alerts_alert a
                JOIN alerts_responsibility r ON a.region_id LIKE r.region_id || '%%'
                JOIN households_user u ON u.id = r.caseworker_id AND u.is_active
                WHERE a.status = 'new' AND a.assignee_id IS NULL {only_ids}
                ORDER BY a.id, length(r.region_id) DESC
            ), done AS (
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
