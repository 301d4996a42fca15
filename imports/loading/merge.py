"""Set-based steps after validation: in-file duplicates, rejected rows, name check, the merge."""

import re
from dataclasses import dataclass

from django.conf import settings

from imports.loading import reasons
from imports.loading.headers import HeaderMap
from imports.loading.validation import lit, raw_column
from imports.specs.base import Field, FieldType, Spec

MASKED_TYPES = (FieldType.ID18, FieldType.CERTIFICATE_NO)
_VALUE_REF = re.compile(r"\{value(?::(\w+))?\}")

# Accepted rows: valid, and the last of any key repeated in the file.
ACCEPTED = (
    "(SELECT v.* FROM jz_v v WHERE v.ok AND NOT EXISTS "
    "(SELECT 1 FROM jz_dup d WHERE d.k = v.f_{key} AND d.keep <> v.row_no))"
)


def mask_sql(expr: str) -> str:
    """SQL twin of households.idcard.mask: first 6 and last 4 characters shown."""
    return (
        f"(CASE WHEN length({expr}) <= 10 THEN repeat('*', length({expr})) "
        f"ELSE left({expr}, 6) || repeat('*', length({expr}) - 10) || right({expr}, 4) END)"
    )


def cell_sql(spec: Spec, hmap: HeaderMap, field_name: str) -> str:
    """The cell text of a field as the file had it (IDs masked), for messages."""
    raw = raw_column(hmap, field_name)
    if raw.startswith("NULL"):
        return "''"
    value = f"left(btrim(coalesce(s.{raw}, '')), 60)"
    if spec.field(field_name).type in MASKED_TYPES:
        value = mask_sql(value)
    return value


def message_sql(template, spec: Spec, hmap: HeaderMap, default_field: str | None, **params) -> str:
    """A Chinese message as SQL: Python placeholders filled here, `{value…}` from the cell in SQL."""
    text = str(template)
    for key, val in params.items():
        text = text.replace("{" + key + "}", str(val))
    parts, pos = [], 0
    for m in _VALUE_REF.finditer(text):
        parts.append(lit(text[pos : m.start()]))
        parts.append(cell_sql(spec, hmap, m.group(1) or default_field))
        pos = m.end()
    parts.append(lit(text[pos:]))
    return "(" + " || ".join(parts) + ")"


def _field_message(f: Field, spec: Spec, hmap: HeaderMap, today) -> str:
    column = hmap.header_of(f.name, f.label)
    city = settings.CITY_REGION_CODE
    whens = []
    for code, template in reasons.FIELD_REASONS.items():
        msg = message_sql(
            template,
            spec,
            hmap,
            f.name,
            column=column,
            allowed=f.allowed_labels,
            max=f.max_length or "",
            today=today.isoformat(),
            city=city,
            prefix=city[:4],
        )
        whens.append(f"WHEN {lit(code)} THEN {msg}")
    return f"CASE v.e_{f.name} {' '.join(whens)} END"


def rejected_rows_sql(spec: Spec, hmap: HeaderMap, *, batch_id: int, today) -> str:
    """One INSERT … SELECT of every rejected row (invalid rows and in-file duplicates)."""
    return (
        'INSERT INTO imports_rejectedrow (batch_id, row_number, "column", reason_code, message, raw) '
        + rejected_select_sql(spec, hmap, batch_id=batch_id, today=today)
    )


def rejected_count_sql() -> str:
    """The number of rows `rejected_rows_sql` would write, without building their messages."""
    return "SELECT (SELECT count(*) FROM jz_v WHERE NOT ok) + (SELECT coalesce(sum(n - 1), 0) FROM jz_dup)"


def rejected_summary_sql(spec: Spec, hmap: HeaderMap, *, today, rows: int) -> tuple[str, str]:
    """(reason code → rows, the first `rows` rejected rows with their messages), for a file refused
    whole: nothing is written."""
    select = rejected_select_sql(spec, hmap, batch_id=0, today=today)
    return (
        f"SELECT reason_code, count(*) FROM ({select}) r GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 10",
        f"SELECT row_number, message FROM ({select}) r ORDER BY row_number LIMIT {int(rows)}",
    )


def rejected_select_sql(spec: Spec, hmap: HeaderMap, *, batch_id: int, today) -> str:
    """Every rejected row as (batch_id, row_number, column, reason_code, message, raw)."""
    raw_pairs = [f"{lit(h)}, coalesce(s.c{i}, '')" for i, h in enumerate(hmap.headers)]
    raw = (
        " || ".join(
            f"jsonb_build_object({', '.join(raw_pairs[i : i + 45])})" for i in range(0, len(raw_pairs), 45)
        )
        or "'{}'::jsonb"
    )

    messages, first_code, first_column = [], [], []
    messages.append(
        f"CASE WHEN v.pre_err IS NOT NULL THEN {lit(str(reasons.ROW_REASONS[reasons.COLUMN_COUNT]))} END"
    )
    first_code.append("WHEN v.pre_err IS NOT NULL THEN v.pre_err")
    first_column.append("WHEN v.pre_err IS NOT NULL THEN ''")
    for f in spec.fields:
        messages.append(_field_message(f, spec, hmap, today))
        first_code.append(f"WHEN v.e_{f.name} IS NOT NULL THEN v.e_{f.name}")
        first_column.append(
            f"WHEN v.e_{f.name} IS NOT NULL THEN {lit(hmap.header_of(f.name, f.label)[:100])}"
        )
    for check in spec.row_checks:
        msg = message_sql(check.message, spec, hmap, check.column)
        messages.append(f"CASE WHEN v.r_{check.code} THEN {msg} END")
        first_code.append(f"WHEN v.r_{check.code} THEN {lit(check.code)}")
        first_column.append(
            f"WHEN v.r_{check.code} THEN {lit(hmap.header_of(check.column, spec.field(check.column).label)[:100])}"
        )

    key_field = spec.field(spec.natural_key)
    key_header = hmap.header_of(key_field.name, key_field.label)
    dup_msg = message_sql(
        reasons.ROW_REASONS[reasons.DUPLICATE_IN_FILE], spec, hmap, key_field.name, column=key_header
    ).replace("{keep}", "' || d.keep || '")
    return f"""
        SELECT {lit(batch_id)} AS batch_id, v.row_no AS row_number, CASE {" ".join(first_column)} ELSE '' END AS "column",
               CASE {" ".join(first_code)} END AS reason_code,
               concat_ws('；', {", ".join(messages)}) AS message, {raw} AS raw
          FROM jz_v v JOIN jz_stg s ON s.row_no = v.row_no
         WHERE NOT v.ok
        UNION ALL
        SELECT {lit(batch_id)}, v.row_no, {lit(key_header[:100])}, {lit(reasons.DUPLICATE_IN_FILE)}, {dup_msg}, {raw}
          FROM jz_v v JOIN jz_dup d ON d.k = v.f_{key_field.name} AND d.keep <> v.row_no
          JOIN jz_stg s ON s.row_no = v.row_no
         WHERE v.ok
    """


def duplicates_sql(spec: Spec) -> str:
    return (
        f"CREATE TEMP TABLE jz_dup ON COMMIT DROP AS SELECT f_{spec.natural_key} AS k, max(row_no) AS keep, "
        f"count(*) AS n FROM jz_v WHERE ok GROUP BY f_{spec.natural_key} HAVING count(*) > 1"
    )


def accepted_sql(spec: Spec) -> str:
    return ACCEPTED.format(key=spec.natural_key)


def name_mismatch_sql(spec: Spec, *, batch_id: int) -> str | None:
    if not spec.name_field:
        return None
    name = f"f_{spec.name_field}"
    return f"""
        INSERT INTO imports_namemismatch (batch_id, row_number, id_number, name_in_file, name_in_registry)
        SELECT {lit(batch_id)}, a.row_no, a.f_id_number, a.{name}, p.name
          FROM {accepted_sql(spec)} a JOIN households_person p ON p.id_number = a.f_id_number
         WHERE a.{name} <> '' AND a.{name} <> p.name
    """


@dataclass(frozen=True)
class MergeCounts:
    loaded: int
    corrected: int


def merge_sql(spec: Spec, *, batch_id: int) -> str:
    """One statement: new keys inserted, changed existing keys updated with their change recorded.

    The two paths work on disjoint sets of keys. New keys (the bulk of a first load) go through a
    plain `INSERT … SELECT` of an anti-join: no speculative insertion, no per-row conflict check
    and nothing read back. Keys already stored go through `UPDATE … FROM` only when their content
    differs; identical re-sent rows are not written, so they are neither loaded nor corrected:
    they are the duplicates. Every sub-statement sees the snapshot from before the statement, so
    the join with `{table}` in `changes` reads the values before the update. Loads of a category
    are serialised by the loader's advisory lock; the unique constraint still guards the key.
    Rows are stamped with the parameter `now` (the load's instant).
    """
    table, key = spec.table, spec.natural_key
    cols = [f.name for f in spec.stored_fields]
    insert_cols = ", ".join([*cols, "batch_id", "updated_at"])
    src_cols = ", ".join(f"a.f_{c} AS {c}" for c in cols)
    sets = ", ".join([*(f"{c} = s.{c}" for c in cols), f"batch_id = {lit(batch_id)}", "updated_at = %(now)s"])
    t_row = ", ".join(f"t.{c}" for c in cols)
    s_row = ", ".join(f"s.{c}" for c in cols)
    obj_old = ", ".join(f"{lit(c)}, o.{c}" for c in cols)
    obj_new = ", ".join(f"{lit(c)}, t.{c}" for c in cols)
    return f"""
        WITH src AS MATERIALIZED (SELECT {src_cols} FROM {accepted_sql(spec)} a),
        ins AS (
            INSERT INTO {table} ({insert_cols})
            SELECT s.*, {lit(batch_id)}, %(now)s FROM src s
             WHERE NOT EXISTS (SELECT 1 FROM {table} t WHERE t.{key} = s.{key})
            RETURNING 1
        ),
        up AS (
            UPDATE {table} t SET {sets} FROM src s
             WHERE t.{key} = s.{key} AND ({t_row}) IS DISTINCT FROM ({s_row})
            RETURNING t.{key}, jsonb_build_object({obj_new}) AS n
        ),
        changes AS (
            INSERT INTO imports_feedrecordchange (batch_id, category, key, before, after, changed_at)
            SELECT {lit(batch_id)}, {lit(spec.category)}, u.{key},
                   (SELECT jsonb_object_agg(k, b.value) FROM jsonb_each(x.b) b(k, value)
                     WHERE b.value IS DISTINCT FROM x.n -> b.k),
                   (SELECT jsonb_object_agg(k, n.value) FROM jsonb_each(x.n) n(k, value)
                     WHERE n.value IS DISTINCT FROM x.b -> n.k),
                   %(now)s
              FROM up u JOIN {table} o ON o.{key} = u.{key}
             CROSS JOIN LATERAL (SELECT jsonb_build_object({obj_old}) AS b, u.n) x
        )
        SELECT (SELECT count(*) FROM ins), (SELECT count(*) FROM up)
    """
