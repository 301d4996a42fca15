"""Set-based normalisation and validation: SQL generated from a spec, run over the staging table.

The staging table `jz_stg` holds the file's cells as text (`c0` … `cN`), the Excel row number
(`row_no`) and a row-level error found while reading (`pre_err`). `validated_table_sql` builds
`jz_v`: one row per data row with, for each field, its typed value `f_<field>` and the reason code
`e_<field>` when the cell is wrong; `r_<check>` for the spec's row checks; and `ok`.

The work is done in layers (subqueries kept apart with OFFSET 0 so PostgreSQL computes each
intermediate once per row): L1 normalises the text, L2/L3 prepare per-type parts (regex matches,
ID candidates and check characters), L4 types and checks each cell, L5 fills derived values and
L6 runs the row checks. Every expression is plain SQL (no function calls per row beyond built-ins),
which is what lets a million rows be checked in seconds.
"""

import re
from dataclasses import dataclass
from datetime import date

from imports.loading.headers import HeaderMap
from imports.specs.base import Field, FieldType, Spec

FULL_WIDTH = "".join(chr(c) for c in range(0xFF01, 0xFF5F)) + "\u3000\u00a0\uffe5"
HALF_WIDTH = "".join(chr(c) for c in range(0x21, 0x7F)) + "  ¥"
WHITESPACE = " \t\r\n\u3000\u00a0"
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
DATE_RE = (
    r"^(\d{4})(?:[-/.年](\d{1,2})[-/.月](\d{1,2})日?|(\d{2})(\d{2}))"
    r"(?:[ T]+\d{1,2}(?::\d{1,2}){1,2}(?:\.\d+)?)?$"
)


def lit(value) -> str:
    """A SQL literal (standard_conforming_strings is on: only quotes need doubling)."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


def sql_type(f: Field) -> str:
    if f.type == FieldType.DATE:
        return "date"
    if f.type == FieldType.MONEY:
        return "numeric(14,2)"
    if f.type == FieldType.ENUM and f.choices and isinstance(f.choices[0].code, int):
        return "integer"
    return "text"


def typed_default(f: Field) -> str:
    default = None if f.default == "" and sql_type(f) != "text" else f.default
    return f"{lit(default)}::{sql_type(f)}"


def _fw(expr: str) -> str:
    return f"translate({expr}, {lit(FULL_WIDTH)}, {lit(HALF_WIDTH)})"


def _days_in_month(y: str, m: str) -> str:
    return (
        f"(CASE {m} WHEN 2 THEN CASE WHEN ({y} % 4 = 0 AND {y} % 100 <> 0) OR {y} % 400 = 0 "
        f"THEN 29 ELSE 28 END WHEN 4 THEN 30 WHEN 6 THEN 30 WHEN 9 THEN 30 WHEN 11 THEN 30 ELSE 31 END)"
    )


def _date_checks(y: str, m: str, d: str, today_int: int, *, prefix: str) -> list[tuple[str, str]]:
    """(condition, reason) pairs in order; no expression here can raise for any integers."""
    return [
        (f"{m} NOT BETWEEN 1 AND 12 OR {d} NOT BETWEEN 1 AND {_days_in_month(y, m)}", f"{prefix}_invalid"),
        (f"{y} < 1900", f"{prefix}_too_early"),
        (f"{y} * 10000 + {m} * 100 + {d} > {today_int}", f"{prefix}_future"),
    ]


@dataclass
class Layers:
    l1: list[str]
    l2: list[str]
    l3: list[str]
    l4: list[str]


def _field_sql(f: Field, raw: str, today_int: int, city_prefix: str, layers: Layers) -> None:
    n, e, v = f"n_{f.name}", f"e_{f.name}", f"f_{f.name}"
    req = lit("required") if f.required else "NULL"
    empty = f"({n} IS NULL OR {n} = '')"
    default = typed_default(f)
    t = f.type

    if t == FieldType.ID18:
        strip = lit(WHITESPACE + "'\"`")
        layers.l1.append(f"upper(replace(replace(btrim({_fw(raw)}, {strip}), ' ', ''), E'\\t', '')) AS {n}")
        up, cand, ck = f"up_{f.name}", f"cand_{f.name}", f"ck_{f.name}"
        layers.l2.append(f"({n} ~ '^\\d{{15}}$') AS {up}")
        layers.l2.append(
            f"CASE WHEN {n} ~ '^\\d{{15}}$' THEN left({n}, 6) || '19' || substr({n}, 7) ELSE {n} END AS {cand}"
        )
        total = " + ".join(
            f"(ascii(substr({cand}, {i + 1}, 1)) - 48) * {w}" for i, w in enumerate(ID_WEIGHTS)
        )
        layers.l3.append(f"substr('10X98765432', (({total}) % 11 + 11) % 11 + 1, 1) AS {ck}")
        y, m, d = (f"substr({cand}, 7, 4)::int", f"substr({cand}, 11, 2)::int", f"substr({cand}, 13, 2)::int")
        birth_bad = " OR ".join(f"({cond})" for cond, _ in _date_checks(y, m, d, today_int, prefix="x"))
        layers.l4.append(
            f"CASE WHEN {empty} THEN {req} "
            f"WHEN {n} ~ '^\\d(\\.\\d+)?E\\+?\\d+$' OR {n} ~ '^\\d+\\.\\d*$' THEN 'id_spreadsheet_damaged' "
            f"WHEN NOT ({up} OR {cand} ~ '^\\d{{17}}[0-9X]$') THEN 'id_format' "
            f"WHEN {birth_bad} THEN 'id_birth_date' "
            f"WHEN NOT {up} AND right({cand}, 1) <> {ck} THEN "
            f"CASE WHEN {cand} LIKE '%000' THEN 'id_spreadsheet_damaged' ELSE 'id_check_digit' END END AS {e}"
        )
        layers.l4.append(
            f"CASE WHEN {empty} THEN {default} WHEN {up} THEN {cand} || {ck} ELSE {cand} END AS {v}"
        )
        return

    if t == FieldType.DATE:
        layers.l1.append(f"btrim({_fw(raw)}, {lit(WHITESPACE)}) AS {n}")
        dm = f"dm_{f.name}"
        layers.l2.append(f"regexp_match({n}, {lit(DATE_RE)}) AS {dm}")
        y, m, d = f"y_{f.name}", f"m_{f.name}", f"d_{f.name}"
        layers.l3.append(f"({dm})[1]::int AS {y}")
        layers.l3.append(f"coalesce(({dm})[2], ({dm})[4])::int AS {m}")
        layers.l3.append(f"coalesce(({dm})[3], ({dm})[5])::int AS {d}")
        checks = " ".join(
            f"WHEN {cond} THEN '{code}'" for cond, code in _date_checks(y, m, d, today_int, prefix="date")
        )
        layers.l4.append(
            f"CASE WHEN {empty} THEN {req} WHEN {y} IS NULL THEN 'date_format' {checks} END AS {e}"
        )
        bad = " OR ".join(f"({cond})" for cond, _ in _date_checks(y, m, d, today_int, prefix="date"))
        layers.l4.append(
            f"CASE WHEN {empty} OR {y} IS NULL OR {bad} THEN {default} ELSE make_date({y}, {m}, {d}) END AS {v}"
        )
        return

    if t == FieldType.MONEY:
        cleaned = f"btrim({_fw(raw)}, {lit(WHITESPACE)})"
        for ch in (",", "，", " ", "¥"):
            cleaned = f"replace({cleaned}, {lit(ch)}, '')"
        layers.l1.append(f"regexp_replace({cleaned}, '元$', '') AS {n}")
        ok_re = r"^\d{1,12}(\.\d{0,2})?$"
        layers.l4.append(
            f"CASE WHEN {empty} THEN {req} WHEN {n} ~ '^-\\d*\\.?\\d+$' THEN 'money_negative' "
            f"WHEN {n} !~ {lit(ok_re)} THEN 'money_format' END AS {e}"
        )
        layers.l4.append(
            f"CASE WHEN {empty} OR {n} !~ {lit(ok_re)} THEN {default} ELSE {n}::numeric(14,2) END AS {v}"
        )
        return

    if t == FieldType.ENUM:
        layers.l1.append(f"lower(replace(btrim({_fw(raw)}, {lit(WHITESPACE)}), ' ', '')) AS {n}")
        mapped = f"map_{f.name}"
        whens = []
        for c in f.choices:
            labels = {lbl.lower() for lbl in (*c.labels, str(c.code))}
            whens.append(
                f"WHEN {n} IN ({', '.join(lit(x) for x in sorted(labels))}) THEN {lit(c.code)}::{sql_type(f)}"
            )
        layers.l2.append(f"CASE {' '.join(whens)} END AS {mapped}")
        layers.l4.append(f"CASE WHEN {empty} THEN {req} WHEN {mapped} IS NULL THEN 'enum' END AS {e}")
        layers.l4.append(f"CASE WHEN {empty} THEN {default} ELSE {mapped} END AS {v}")
        return

    # Text-like types.
    if t == FieldType.TEXT:
        layers.l1.append(f"btrim({raw}, {lit(WHITESPACE)}) AS {n}")
    elif t == FieldType.CODE:
        layers.l1.append(f"btrim({_fw(raw)}, {lit(WHITESPACE)}) AS {n}")
    else:  # REGION, ICD10, CERTIFICATE_NO: no inner spaces, upper case
        layers.l1.append(f"upper(replace(btrim({_fw(raw)}, {lit(WHITESPACE)}), ' ', '')) AS {n}")
    checks = []
    if t == FieldType.REGION:
        checks.append((f"{n} !~ '^\\d{{6}}(\\d{{3}}){{0,2}}$'", "region_format"))
        checks.append((f"left({n}, 4) <> {lit(city_prefix)}", "region_outside_city"))
    elif t == FieldType.ICD10:
        checks.append(
            (f"{n} !~ '^[A-Z][0-9][0-9A-Z](\\.[0-9A-Z+*]{{0,12}})?$' OR length({n}) > 20", "icd_format")
        )
    elif t == FieldType.CERTIFICATE_NO:
        checks.append((f"{n} !~ '^\\d{{17}}[0-9X][1-7][1-4][0-9A-Z]{{0,2}}$'", "certificate_format"))
    if f.max_length:
        checks.append((f"length({n}) > {f.max_length}", "text_too_long"))
    whens = " ".join(f"WHEN {cond} THEN '{code}'" for cond, code in checks)
    layers.l4.append(f"CASE WHEN {empty} THEN {req} {whens} END AS {e}")
    layers.l4.append(f"CASE WHEN {empty} THEN {default} ELSE {n} END AS {v}")


_REF = re.compile(r"\{(\w+)\}")


def render_refs(template: str, prefix: str = "f_") -> str:
    return _REF.sub(lambda m: prefix + m.group(1), template)


def raw_column(hmap: HeaderMap, field_name: str) -> str:
    index = hmap.columns.get(field_name)
    return "NULL::text" if index is None else f"c{index}"


def validated_table_sql(spec: Spec, hmap: HeaderMap, *, today: date, city_prefix: str) -> str:
    """`CREATE TEMP TABLE jz_v AS …` for this spec and file layout."""
    today_int = today.year * 10000 + today.month * 100 + today.day
    layers = Layers([], [], [], [])
    for f in spec.fields:
        _field_sql(f, raw_column(hmap, f.name), today_int, city_prefix, layers)

    ncols = len(hmap.headers)
    cells = [f"c{i}" for i in range(ncols)]
    concat = " || ".join(f"concat({', '.join(cells[i : i + 90])})" for i in range(0, ncols, 90)) or "''"
    not_empty = f"(pre_err IS NOT NULL OR btrim({concat}, {lit(WHITESPACE)}) <> '')"

    def layer(select: list[str], inner: str) -> str:
        cols = ", ".join(["l.*", *select]) if select else "l.*"
        return f"(SELECT {cols} FROM {inner} l OFFSET 0)"

    l1 = f"(SELECT row_no, pre_err, {', '.join(layers.l1)} FROM jz_stg WHERE {not_empty} OFFSET 0)"
    l2 = layer(layers.l2, l1)
    l3 = layer(layers.l3, l2)
    l4 = layer(layers.l4, l3)

    # L5: derived values (e.g. self_paid from the other amounts) where the cell was empty/absent.
    l5_select = []
    for name, template in spec.derived.items():
        l5_select.append(
            f"CASE WHEN e_{name} IS NULL AND f_{name} IS NULL THEN ({render_refs(template)})::{sql_type(spec.field(name))} "
            f"ELSE f_{name} END AS d_{name}"
        )
    l5 = layer(l5_select, l4)

    def final_ref(name: str) -> str:
        return f"d_{name}" if name in spec.derived else f"f_{name}"

    # L6: row checks, only where every field they name is valid.
    l6_select = []
    for check in spec.row_checks:
        guard = " AND ".join(f"e_{name} IS NULL" for name in check.fields)
        expr = _REF.sub(lambda m: final_ref(m.group(1)), check.sql)
        l6_select.append(
            f"(CASE WHEN {guard} THEN coalesce(({expr}), false) ELSE false END) AS r_{check.code}"
        )
    l6 = layer(l6_select, l5)

    outputs = ["row_no", "pre_err"]
    for f in spec.fields:
        outputs.append(f"{final_ref(f.name)} AS f_{f.name}")
        outputs.append(f"e_{f.name}")
    outputs += [f"r_{c.code}" for c in spec.row_checks]
    ok_terms = ["pre_err IS NULL"] + [f"e_{f.name} IS NULL" for f in spec.fields]
    ok_terms += [f"NOT r_{c.code}" for c in spec.row_checks]
    outputs.append(f"({' AND '.join(ok_terms)}) AS ok")
    return f"CREATE TEMP TABLE jz_v ON COMMIT DROP AS SELECT {', '.join(outputs)} FROM {l6} v"
