"""Open applications, unanswered referrals and active grants follow their household's home (the
`households.moves` hook, registered in assistance/apps.py)."""


def cases_follow_home(*, cursor, persons_sql: str, actor, now, note: str) -> None:
    """When a household of the people of `persons_sql` moved to another village: its open
    applications, unanswered referrals and active grants take the household's new region (so the new
    area's caseworkers and county handle them, and the old area no longer sees them). Each moved
    application gets a `move` history entry saying why. Decided applications and ended grants keep
    the region they were decided in. Set-based."""
    households = f"SELECT p.household_id FROM households_person p WHERE p.id IN ({persons_sql})"
    cursor.execute(
        f"""
        WITH moved AS (
            UPDATE assistance_application a
               SET region_id = h.region_id, lock_version = a.lock_version + 1, updated_at = %(now)s
              FROM households_household h, assistance_application old
             WHERE h.id = a.household_id AND old.id = a.id
               AND a.household_id IN ({households})
               AND a.status = 'in_progress' AND a.region_id <> h.region_id
            RETURNING a.id, a.region_id, old.region_id AS from_region, a.current_step_id
        )
        INSERT INTO assistance_applicationevent (application_id, actor_id, at, action, step_id, note, data)
        SELECT id, %(actor)s, %(now)s, 'move', current_step_id, %(note)s,
               jsonb_build_object('from_region', from_region, 'region', region_id)
          FROM moved
        """,
        {"now": now, "actor": getattr(actor, "pk", None), "note": note},
    )
    for table, open_rows in (
        ("assistance_referral", "t.answered_on IS NULL"),
        ("assistance_grant", "t.status = 'active'"),
    ):
        cursor.execute(
            f"""
            UPDATE {table} t SET region_id = h.region_id
              FROM households_household h
             WHERE h.id = t.household_id AND t.household_id IN ({households})
               AND {open_rows} AND t.region_id <> h.region_id
            """
        )
