"""Projecting an accepted roster file onto the registry and the monitoring records (set-based).

Registered with the imports loader as the "roster" merge hook (monitoring/apps.py), so it runs in
the load's transaction after the roster rows were merged into imports_rosterentry. Guarantees:
- every town/village code the file uses exists afterwards (created under its existing county);
- one household per `household_id_number` (the head's row gives its region, address, area type and
  income; without a head row the file's last row of that household does; an empty income or
  address keeps the stored one);
- one person per resident ID, in that household with that relation (birth date and sex from the ID);
- one monitoring record per person with category, since, status, exit date and the household's
  region code; every new or changed record gets a MonitoringRecordHistory row naming the batch
  and its uploader. Records of other members of a household that moved follow its region code;
  so do the open alerts of the households the file names (`households.moves.copies_follow`).
"""

from django.utils.translation import gettext as _

from households import moves


def _regions(cursor, rows_sql: str) -> None:
    for length, level, label in ((9, "town", _("乡镇")), (12, "village", _("村（社区）"))):
        cursor.execute(
            f"""
            INSERT INTO households_region (code, name, level, parent_id)
            SELECT DISTINCT left(r.region_code, {length}), %s || left(r.region_code, {length}), %s,
                   left(r.region_code, {length - 3})
              FROM {rows_sql} r
             WHERE length(r.region_code) >= {length}
            ON CONFLICT (code) DO NOTHING
            """,
            (label, level),
        )


def _households(cursor, rows_sql: str, now) -> None:
    cursor.execute(
        f"""
        INSERT INTO households_household (head_id_number, region_id, address, area_type, annual_income,
                                          created_at, updated_at)
        SELECT DISTINCT ON (r.household_id_number)
               r.household_id_number, r.region_code, r.address, r.area_type,
               CASE WHEN r.id_number = r.household_id_number THEN r.household_annual_income END, %(now)s, %(now)s
          FROM {rows_sql} r
         ORDER BY r.household_id_number, (r.id_number = r.household_id_number) DESC, r.row_no DESC
        ON CONFLICT (head_id_number) DO UPDATE SET
            region_id = EXCLUDED.region_id,
            address = coalesce(nullif(EXCLUDED.address, ''), h.address),
            area_type = EXCLUDED.area_type,
            annual_income = coalesce(EXCLUDED.annual_income, h.annual_income),
            updated_at = %(now)s
        WHERE (h.region_id, h.address, h.area_type, h.annual_income) IS DISTINCT FROM
              (EXCLUDED.region_id, coalesce(nullif(EXCLUDED.address, ''), h.address), EXCLUDED.area_type,
               coalesce(EXCLUDED.annual_income, h.annual_income))
        """.replace("INSERT INTO households_household ", "INSERT INTO households_household AS h ", 1),
        {"now": now},
    )


def _persons(cursor, rows_sql: str, now) -> None:
    cursor.execute(
        f"""
        INSERT INTO households_person AS p (id_number, name, birth_date, sex, household_id, relation, phone,
                                            created_at, updated_at)
        SELECT r.id_number, r.name,
               make_date(substr(r.id_number, 7, 4)::int, substr(r.id_number, 11, 2)::int,
                         substr(r.id_number, 13, 2)::int),
               CASE WHEN substr(r.id_number, 17, 1)::int %% 2 = 1 THEN 'M' ELSE 'F' END,
               h.id, r.relation, r.phone, %(now)s, %(now)s
          FROM {rows_sql} r JOIN households_household h ON h.head_id_number = r.household_id_number
        ON CONFLICT (id_number) DO UPDATE SET
            name = EXCLUDED.name, household_id = EXCLUDED.household_id, relation = EXCLUDED.relation,
            phone = coalesce(nullif(EXCLUDED.phone, ''), p.phone), updated_at = %(now)s
        WHERE (p.name, p.household_id, p.relation, p.phone) IS DISTINCT FROM
              (EXCLUDED.name, EXCLUDED.household_id, EXCLUDED.relation, coalesce(nullif(EXCLUDED.phone, ''), p.phone))
        """,
        {"now": now},
    )


RECORD_JSON = (
    "jsonb_build_object('category', {t}.category, 'since', {t}.since, 'status', {t}.status, "
    "'exit_date', {t}.exit_date, 'region_code', {t}.region_code, 'household_id', {t}.household_id)"
)


def _monitoring_records(cursor, rows_sql: str, batch_id: int, user_id, now) -> None:
    cursor.execute(
        f"""
        WITH src AS MATERIALIZED (
            SELECT p.id AS person_id, h.id AS household_id, h.region_id AS region_code,
                   r.category, r.since, r.status, r.exit_date
              FROM {rows_sql} r
              JOIN households_person p ON p.id_number = r.id_number
              JOIN households_household h ON h.id = p.household_id
        ),
        old AS (SELECT m.* FROM monitoring_monitoringrecord m JOIN src USING (person_id)),
        up AS (
            INSERT INTO monitoring_monitoringrecord AS m (person_id, household_id, region_code, category, since,
                   status, exit_date, source_batch_id, created_at, updated_at)
            SELECT person_id, household_id, region_code, category, since, status, exit_date, %(batch)s, %(now)s, %(now)s
              FROM src
            ON CONFLICT (person_id) DO UPDATE SET
                household_id = EXCLUDED.household_id, region_code = EXCLUDED.region_code,
                category = EXCLUDED.category, since = EXCLUDED.since, status = EXCLUDED.status,
                exit_date = EXCLUDED.exit_date, source_batch_id = EXCLUDED.source_batch_id, updated_at = %(now)s
            WHERE (m.household_id, m.region_code, m.category, m.since, m.status, m.exit_date) IS DISTINCT FROM
                  (EXCLUDED.household_id, EXCLUDED.region_code, EXCLUDED.category, EXCLUDED.since,
                   EXCLUDED.status, EXCLUDED.exit_date)
            RETURNING m.*
        )
        INSERT INTO monitoring_monitoringrecordhistory (record_id, changed_at, batch_id, changed_by_id, before, after)
        SELECT u.id, %(now)s, %(batch)s, %(user)s,
               CASE WHEN o.id IS NULL THEN NULL ELSE {RECORD_JSON.format(t="o")} END, {RECORD_JSON.format(t="u")}
          FROM up u LEFT JOIN old o ON o.id = u.id
        """,
        {"batch": batch_id, "user": user_id, "now": now},
    )
    # Members not in this file follow their household's region.
    cursor.execute(
        f"""
        WITH moved AS (
            SELECT m.id, {RECORD_JSON.format(t="m")} AS before, h.region_id AS region_code
              FROM monitoring_monitoringrecord m JOIN households_household h ON h.id = m.household_id
             WHERE m.region_code <> h.region_id
               AND h.head_id_number IN (SELECT r.household_id_number FROM {rows_sql} r)
        ),
        up AS (
            UPDATE monitoring_monitoringrecord m SET region_code = moved.region_code, updated_at = %(now)s
              FROM moved WHERE m.id = moved.id RETURNING m.*, moved.before
        )
        INSERT INTO monitoring_monitoringrecordhistory (record_id, changed_at, batch_id, changed_by_id, before, after)
        SELECT u.id, %(now)s, %(batch)s, %(user)s, u.before, {RECORD_JSON.format(t="u")} FROM up u
        """,
        {"batch": batch_id, "user": user_id, "now": now},
    )


def merge_roster(*, cursor, batch, rows_sql: str, now) -> None:
    """The "roster" merge hook (see the module docstring for what it guarantees); rows are
    stamped with `now`, the load's instant."""
    _regions(cursor, rows_sql)
    _households(cursor, rows_sql, now)
    _persons(cursor, rows_sql, now)
    _monitoring_records(cursor, rows_sql, batch.pk, batch.uploaded_by_id, now)
    # A file can move households and people too: every other copy of where they live follows
    # (open alerts go to the new area's caseworker), exactly as after a move by hand.
    moves.copies_follow(
        cursor=cursor,
        persons_sql=(
            "SELECT p.id FROM households_person p JOIN households_household h ON h.id = p.household_id "
            f"WHERE h.head_id_number IN (SELECT r.household_id_number FROM {rows_sql} r)"
        ),
        actor=batch.uploaded_by,
        now=now,
        note=_("名册导入（批次 #%(batch)s）变更了家庭所在区域或人员所属家庭") % {"batch": batch.pk},
    )
