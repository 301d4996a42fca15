"""Set-based normalisation and validation: SQL generated from a spec, run over the staging table.

The staging table `jz_stg` holds the file's cells as text (`c0` … `cN`), the Excel row number
(`row_no`) and a row-level error found while reading (`pre_err`). `validated_table_sql` builds
`jz_v`: one row per data row with, for each field, its typed value `f_<field>` and the reason code
`e_<field>` when the cell is wrong; `r_<check>` for the spec's row checks; and `ok`.

The work is done in layers (subqueries kept apart with OFFSET 0 so PostgreSQL computes each
intermediate once per row): stage 0 normalises the text, the middle stages prepare per-type parts
(ID candidates, check characters, date parts), the last stage types and checks each cell; then
derived values are filled and the row checks run. Every expression is plain SQL built-ins, and
chosen for speed: PostgreSQL's regex engine is slow with bounded repeats (`{17}`) and capture
groups, and translate() is slow on long multibyte sets, so shapes are checked with lengths,
`[0-9]+`-style patterns and get_byte() arithmetic, and full-width folding only runs on cells that
are not plain ASCII.
"""

import re
from datetime import date

from psycopg import sql

from imports import icd
from imports.loading.headers import HeaderMap
from imports.specs.base import Field, FieldType, Spec

FULL_WIDTH = "".join(chr(c) for c in range(0xFF01, 0xFF5F)) + "\u3000\u00a0\uffe5"
HALF_WIDTH = "".join(chr(c) for c in range(0x21, 0x7F)) + "  ¥"
# translate() scans its multibyte `from` string for every character of the value: the sets used on
# ID/date/money cells hold only what such a cell can sensibly carry.
DIGITS_FW, DIGITS_HW = "０１２３４５６７８９\u3000\u00a0", "0123456789  "
ID_FW, ID_HW = DIGITS_FW + "Ｘｘ．Ｅｅ＋", DIGITS_HW + "Xx.Ee+"
DATE_FW, DATE_HW = DIGITS_FW + "－／．：", DIGITS_HW + "-/.:"
MONEY_FW, MONEY_HW = DIGITS_FW + "．，－￥", DIGITS_HW + ".,-¥"
WHITESPACE = " \t\r\n\u3000\u00a0"
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
STAGES = 6  # per-field layers; the last one holds the typed value f_* and the reason e_*
FINAL = STAGES - 1


def lit(value) -> str:
    """A value as a SQL literal, quoted by psycopg (`sql.Literal`), never by hand: the generated
    statements are plain text (no parameters), and the driver knows every escaping rule."""
    return sql.Literal(value).as_string()


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


def _ascii_or(expr: str, ascii_expr: str, other_expr: str) -> str:
    """Cheap path for ASCII-only cells (characters = bytes), the costly one only for the rest."""
    return f"(CASE WHEN octet_length({expr}) = length({expr}) THEN {ascii_expr} ELSE {other_expr} END)"


def _tr(expr: str, fw: str = FULL_WIDTH, hw: str = HALF_WIDTH) -> str:
    return f"translate({expr}, {lit(fw)}, {lit(hw)})"


def _days_in_month(y: str, m: str) -> str:
    return (
        f"(CASE {m} WHEN 2 THEN CASE WHEN ({y} % 4 = 0 AND {y} % 100 <> 0) OR {y} % 400 = 0 "
        f"THEN 29 ELSE 28 END WHEN 4 THEN 30 WHEN 6 THEN 30 WHEN 9 THEN 30 WHEN 11 THEN 30 ELSE 31 END)"
    )


def _date_checks(y: str, m: str, d: str, today_int: int) -> list[tuple[str, str]]:
    """(condition, reason) pairs in order; no expression here can raise for any integers."""
    return [
        (f"{m} NOT BETWEEN 1 AND 12 OR {d} NOT BETWEEN 1 AND {_days_in_month(y, m)}", "date_invalid"),
        (f"{y} < 1900", "date_too_early"),
        (f"{y} * 10000 + {m} * 100 + {d} > {lit(today_int)}", "date_future"),
    ]


def _field_sql(f: Field, raw: str, today_int: int, city_prefix: str, st: list[list[str]]) -> None:
    """Append the field's expressions to the stages `st` (st[0] reads jz_stg, st[FINAL] types)."""
    name = f.name
    n, e, v = f"n_{name}", f"e_{name}", f"f_{name}"
    req = lit("required") if f.required else "NULL"
    empty = f"({n} IS NULL OR {n} = '')"
    default = typed_default(f)
    t = f.type

    if t == FieldType.ID18:
        strip = lit(WHITESPACE + "'\"`")
        clean = "upper(replace(replace(btrim({x}, " + strip + "), ' ', ''), E'\\t', ''))"
        st[0].append(f"{_ascii_or(raw, clean.format(x=raw), clean.format(x=_tr(raw, ID_FW, ID_HW)))} AS {n}")
        fmt, cand, b, ck = f"fmt_{name}", f"cand_{name}", f"b_{name}", f"ck_{name}"
        st[1].append(
            f"CASE WHEN length({n}) = 18 AND {n} ~ '^[0-9]+X?$' THEN 18 "
            f"WHEN length({n}) = 15 AND {n} ~ '^[0-9]+$' THEN 15 ELSE 0 END AS {fmt}"
        )
        st[2].append(
            f"CASE WHEN {fmt} = 15 THEN left({n}, 6) || '19' || substr({n}, 7) ELSE {n} END AS {cand}"
        )
        st[2].append(
            f"CASE WHEN {fmt} > 0 THEN convert_to(CASE WHEN {fmt} = 15 THEN left({n}, 6) || '19' || substr({n}, 7) ELSE {n} END, 'UTF8') END AS {b}"
        )
        digit = [f"(get_byte({b}, {i}) - 48)" for i in range(17)]
        total = " + ".join(f"{digit[i]} * {w}" for i, w in enumerate(ID_WEIGHTS))
        y = f"({digit[6]} * 1000 + {digit[7]} * 100 + {digit[8]} * 10 + {digit[9]})"
        m = f"({digit[10]} * 10 + {digit[11]})"
        d = f"({digit[12]} * 10 + {digit[13]})"
        st[3].append(f"CASE WHEN {fmt} > 0 THEN substr('10X98765432', ({total}) % 11 + 1, 1) END AS {ck}")
        st[3].append(f"CASE WHEN {fmt} > 0 THEN {y} END AS y_{name}")
        st[3].append(f"CASE WHEN {fmt} > 0 THEN {m} END AS m_{name}")
        st[3].append(f"CASE WHEN {fmt} > 0 THEN {d} END AS d_{name}")
        birth_bad = " OR ".join(
            f"({cond})" for cond, _ in _date_checks(f"y_{name}", f"m_{name}", f"d_{name}", today_int)
        )
        st[FINAL].append(
            f"CASE WHEN {empty} THEN {req} "
            f"WHEN {fmt} = 0 THEN CASE WHEN {n} ~ '^[0-9]([.][0-9]+)?E[+]?[0-9]+$' OR {n} ~ '^[0-9]+[.][0-9]*$' "
            f"THEN 'id_spreadsheet_damaged' ELSE 'id_format' END "
            f"WHEN {birth_bad} THEN 'id_birth_date' "
            f"WHEN {fmt} = 18 AND right({cand}, 1) <> {ck} THEN "
            f"CASE WHEN {cand} LIKE '%000' THEN 'id_spreadsheet_damaged' ELSE 'id_check_digit' END END AS {e}"
        )
        st[FINAL].append(
            f"CASE WHEN {empty} THEN {default} WHEN {fmt} = 15 THEN {cand} || {ck} ELSE {cand} END AS {v}"
        )
        return

    if t == FieldType.DATE:
        other = f"replace(replace(replace(btrim({_tr(raw, DATE_FW, DATE_HW)}, {lit(WHITESPACE)}), '年', '-'), '月', '-'), '日', '')"
        st[0].append(f"replace({_ascii_or(raw, f'btrim({raw})', other)}, 'T', ' ') AS {n}")
        dp, tp = f"dp_{name}", f"tp_{name}"
        st[1].append(f"replace(replace(split_part({n}, ' ', 1), '/', '-'), '.', '-') AS {dp}")
        st[1].append(f"btrim(substr({n}, length(split_part({n}, ' ', 1)) + 1)) AS {tp}")
        shape = f"shape_{name}"
        part = [f"split_part({dp}, '-', {i})" for i in (1, 2, 3)]
        st[2].append(
            f"CASE WHEN NOT ({tp} = '' OR {tp} ~ '^[0-9]+:[0-9]+(:[0-9]+([.][0-9]+)?)?$') THEN 0 "
            f"WHEN {dp} ~ '^[0-9]+-[0-9]+-[0-9]+$' AND length({part[0]}) = 4 AND length({part[1]}) <= 2 "
            f"AND length({part[2]}) <= 2 THEN 1 "
            f"WHEN length({dp}) = 8 AND {dp} ~ '^[0-9]+$' THEN 2 ELSE 0 END AS {shape}"
        )
        y, m, d = f"y_{name}", f"m_{name}", f"d_{name}"
        st[3].append(f"CASE {shape} WHEN 1 THEN {part[0]}::int WHEN 2 THEN left({dp}, 4)::int END AS {y}")
        st[3].append(
            f"CASE {shape} WHEN 1 THEN {part[1]}::int WHEN 2 THEN substr({dp}, 5, 2)::int END AS {m}"
        )
        st[3].append(f"CASE {shape} WHEN 1 THEN {part[2]}::int WHEN 2 THEN right({dp}, 2)::int END AS {d}")
        checks = _date_checks(y, m, d, today_int)
        whens = " ".join(f"WHEN {cond} THEN '{code}'" for cond, code in checks)
        st[FINAL].append(
            f"CASE WHEN {empty} THEN {req} WHEN {y} IS NULL THEN 'date_format' {whens} END AS {e}"
        )
        bad = " OR ".join(f"({cond})" for cond, _ in checks)
        st[FINAL].append(
            f"CASE WHEN {empty} OR {y} IS NULL OR {bad} THEN {default} ELSE make_date({y}, {m}, {d}) END AS {v}"
        )
        return

    if t == FieldType.MONEY:
        # A plain "1234.56" passes one pattern and a length test; only other cells are cleaned
        # (thousands separators, ¥/元, full-width digits) and tested again.
        good_re = lit(r"^[0-9]+([.][0-9]?[0-9]?)?$")
        n0, ok0 = f"n0_{name}", f"ok0_{name}"
        st[0].append(f"btrim({raw}) AS {n0}")
        st[1].append(f"({n0} ~ {good_re}) AS {ok0}")
        other = f"btrim({_ascii_or(n0, n0, _tr(n0, MONEY_FW, MONEY_HW))}, {lit(WHITESPACE)})"
        for ch in (",", "，", " ", "¥", "元"):
            other = f"replace({other}, {lit(ch)}, '')"
        st[2].append(f"CASE WHEN {ok0} THEN {n0} ELSE {other} END AS {n}")
        good = f"good_{name}"
        st[3].append(
            f"(({ok0} OR {n} ~ {good_re}) AND (length({n}) <= 12 OR strpos({n}, '.') BETWEEN 2 AND 13)) AS {good}"
        )
        st[FINAL].append(
            f"CASE WHEN {good} THEN NULL WHEN {empty} THEN {req} "
            f"WHEN left({n}, 1) = '-' AND substr({n}, 2) ~ '^[0-9]*[.]?[0-9]+$' THEN 'money_negative' "
            f"ELSE 'money_format' END AS {e}"
        )
        # Exact decimals; the column's numeric(14,2) applies on insert.
        st[FINAL].append(f"CASE WHEN {good} THEN {n}::numeric ELSE {default} END AS {v}")
        return

    if t == FieldType.ENUM:
        st[0].append(f"lower(btrim({raw}, {lit(WHITESPACE)})) AS {n}")

        def mapping(x: str) -> str:
            whens = []
            for c in f.choices:
                labels = sorted({lbl.lower() for lbl in (*c.labels, str(c.code))})
                whens.append(
                    f"WHEN {x} IN ({', '.join(lit(lbl) for lbl in labels)}) THEN {lit(c.code)}::{sql_type(f)}"
                )
            return f"CASE {' '.join(whens)} END"

        mapped = f"map_{name}"
        st[1].append(f"{mapping(n)} AS {mapped}")
        # Full-width letters or inner spaces: a second, costlier try only where the first failed.
        folded = "lower(replace(" + _tr(n) + ", ' ', ''))"
        st[2].append(
            f"CASE WHEN {mapped} IS NOT NULL OR {empty} THEN {mapped} "
            f"ELSE {mapping(folded)} END AS map2_{name}"
        )
        st[FINAL].append(f"CASE WHEN {empty} THEN {req} WHEN map2_{name} IS NULL THEN 'enum' END AS {e}")
        st[FINAL].append(f"CASE WHEN {empty} THEN {default} ELSE map2_{name} END AS {v}")
        return

    if t == FieldType.ICD10:
        # Checked and made canonical once per distinct cell text (a dictionary field): folded to
        # ASCII, every space removed, upper-cased; then the dots are put where they belong.
        folded = _ascii_or(raw, raw, f"replace({_tr(raw)}, '†', '+')")
        st[0].append(f"upper(translate({folded}, {lit(icd.WHITESPACE)}, '')) AS {n}")
        code = f"icd_{name}"
        st[1].append(
            f"CASE WHEN {n} ~ {lit(icd.ICD10_PATTERN)} THEN regexp_replace(replace({n}, '.', ''), "
            f"{lit(icd.DOT_PATTERN)}, {lit(icd.DOT_REPLACEMENT)}, 'g') END AS {code}"
        )
        too_long = f"WHEN length({code}) > {f.max_length} THEN 'text_too_long' " if f.max_length else ""
        st[FINAL].append(
            f"CASE WHEN {empty} THEN {req} WHEN {code} IS NULL THEN 'icd_format' {too_long}END AS {e}"
        )
        st[FINAL].append(f"CASE WHEN {empty} THEN {default} ELSE {code} END AS {v}")
        return

    # Text-like types.
    ws = lit(WHITESPACE)
    if t == FieldType.TEXT or t == FieldType.CODE:
        st[0].append(f"btrim({raw}, {ws}) AS {n}")
    else:  # REGION, CERTIFICATE_NO: no inner spaces, upper case
        st[0].append(
            f"upper(replace({_ascii_or(raw, f'btrim({raw}, {ws})', f'btrim({_tr(raw)}, {ws})')}, ' ', '')) AS {n}"
        )
    checks = []
    if t == FieldType.REGION:
        checks.append((f"NOT ({n} ~ '^[0-9]+$' AND length({n}) IN (6, 9, 12))", "region_format"))
        checks.append((f"left({n}, 4) <> {lit(city_prefix)}", "region_outside_city"))
    elif t == FieldType.CERTIFICATE_NO:
        checks.append(
            (
                f"NOT (length({n}) BETWEEN 20 AND 22 AND left({n}, 18) ~ '^[0-9]+X?$' "
                f"AND substr({n}, 19, 1) IN ('1', '2', '3', '4', '5', '6', '7') "
                f"AND substr({n}, 20, 1) IN ('1', '2', '3', '4') AND substr({n}, 21) ~ '^[0-9A-Z]*$')",
                "certificate_format",
            )
        )
    if f.max_length:
        checks.append((f"length({n}) > {f.max_length}", "text_too_long"))
    whens = " ".join(f"WHEN {cond} THEN '{code}'" for cond, code in checks)
    st[FINAL].append(f"CASE WHEN {empty} THEN {req} {whens} END AS {e}")
    st[FINAL].append(f"CASE WHEN {empty} THEN {default} ELSE {n} END AS {v}")


_REF = re.compile(r"\{(\w+)\}")


def render_refs(template: str, prefix: str = "f_") -> str:
    return _REF.sub(lambda m: prefix + m.group(1), template)


def raw_column(hmap: HeaderMap, field_name: str) -> str:
    index = hmap.columns.get(field_name)
    return "NULL::text" if index is None else f"c{index}"


def _chain(first: str, st: list[list[str]]) -> str:
    query = first
    for stage in st[1:]:
        if stage:
            query = f"(SELECT {', '.join(['l.*', *stage])} FROM {query} l OFFSET 0)"
    return query


def uses_dictionary(spec: Spec, f: Field) -> bool:
    """Fields with few distinct values (dates, codes, a person's ID on many rows) are checked once
    per distinct value and joined back: a hash join costs less than re-checking every row."""
    if f.type in (FieldType.DATE, FieldType.ENUM, FieldType.ICD10):
        return True
    return f.type == FieldType.ID18 and f.name != spec.natural_key


def validated_table_sql(spec: Spec, hmap: HeaderMap, *, today: date, city_prefix: str) -> list[str]:
    """Statements building `jz_v` (and its per-field dictionaries `jz_d<n>`) for this file layout."""
    today_int = today.year * 10000 + today.month * 100 + today.day
    statements: list[str] = []
    st: list[list[str]] = [[] for _ in range(STAGES)]
    joins: list[str] = []
    for f in spec.fields:
        raw = raw_column(hmap, f.name)
        if raw.startswith("NULL") or not uses_dictionary(spec, f):
            _field_sql(f, raw, today_int, city_prefix, st)
            continue
        d = f"jz_d{len(joins)}"
        dst: list[list[str]] = [[] for _ in range(STAGES)]
        _field_sql(f, "raw", today_int, city_prefix, dst)
        first = f"(SELECT raw, {', '.join(dst[0])} FROM (SELECT DISTINCT coalesce({raw}, '') AS raw FROM jz_stg) s OFFSET 0)"
        statements.append(
            f"CREATE TEMP TABLE {d} ON COMMIT DROP AS SELECT raw, e_{f.name}, f_{f.name} FROM {_chain(first, dst)} x"
        )
        statements.append(f"ANALYZE {d}")
        joins.append(f"JOIN {d} ON {d}.raw = coalesce(s.{raw}, '')")
        st[0].append(f"{d}.e_{f.name} AS e_{f.name}")
        st[0].append(f"{d}.f_{f.name} AS f_{f.name}")

    # A row is empty when every cell is NULL: COPY reads an unquoted empty cell as NULL, and the
    # Python paths skip blank rows. (A row of quoted empty strings or spaces is a data row, rejected
    # for its required cells.) num_nonnulls is one cheap call; concatenating and trimming every
    # row's text costs more than validating a field.
    ncols = len(hmap.headers)
    cells = [f"s.c{i}" for i in range(ncols)]
    nonnull = " + ".join(f"num_nonnulls({', '.join(cells[i : i + 90])})" for i in range(0, ncols, 90)) or "0"
    not_empty = f"(s.pre_err IS NOT NULL OR {nonnull} > 0)"

    def final_ref(name: str) -> str:
        return f"d_{name}" if name in spec.derived else f"f_{name}"

    # Derived values (e.g. self_paid from the other amounts) where the cell was empty or absent.
    derived = [
        f"CASE WHEN e_{name} IS NULL AND f_{name} IS NULL THEN ({render_refs(template)})::{sql_type(spec.field(name))} "
        f"ELSE f_{name} END AS d_{name}"
        for name, template in spec.derived.items()
    ]
    # Row checks, only where every field they name is valid.
    checks = []
    for check in spec.row_checks:
        guard = " AND ".join(f"e_{name} IS NULL" for name in check.fields)
        expr = _REF.sub(lambda m: final_ref(m.group(1)), check.sql)
        checks.append(f"(CASE WHEN {guard} THEN coalesce(({expr}), false) ELSE false END) AS r_{check.code}")

    outputs = ["row_no", "pre_err"]
    for f in spec.fields:
        outputs.append(f"{final_ref(f.name)} AS f_{f.name}")
        outputs.append(f"e_{f.name}")
    outputs += [f"r_{c.code}" for c in spec.row_checks]
    ok_terms = ["pre_err IS NULL"] + [f"e_{f.name} IS NULL" for f in spec.fields]
    ok_terms += [f"NOT r_{c.code}" for c in spec.row_checks]
    outputs.append(f"({' AND '.join(ok_terms)}) AS ok")

    base = ["s.row_no AS row_no", "s.pre_err AS pre_err", *st[0]]
    query = _pruned_chain(
        base, f"jz_stg s {' '.join(joins)} WHERE {not_empty}", [*st[1:], derived, checks], outputs
    )
    statements.append(f"CREATE TEMP TABLE jz_v ON COMMIT DROP AS {query}")
    return statements


_ALIAS = re.compile(r"\s+AS\s+(\w+)$")
_WORD = re.compile(r"\b[a-z][a-z0-9_]*\b")


def _pruned_chain(base: list[str], source: str, layers: list[list[str]], outputs: list[str]) -> str:
    """Nest the layers, each passing on only the columns later layers or the outputs still use.

    Every layer is a subquery scan that copies the columns it passes on: carrying all of them
    through eight layers costs more per row than most checks.
    """
    layers = [layer for layer in layers if layer]
    aliases = {_ALIAS.search(e).group(1) for e in base} | {
        _ALIAS.search(e).group(1) for lay in layers for e in lay
    }

    def refs(exprs: list[str]) -> set[str]:
        return {w for e in exprs for w in _WORD.findall(_ALIAS.sub("", e))} & aliases

    needed = refs(outputs)
    passes = []
    for layer in reversed(layers):
        produced = {_ALIAS.search(e).group(1) for e in layer}
        passes.append(sorted(needed - produced))
        needed = (needed - produced) | refs(layer)
    passes.reverse()
    query = f"(SELECT {', '.join(base)} FROM {source} OFFSET 0)"
    for layer, passed in zip(layers, passes, strict=True):
        query = f"(SELECT {', '.join([*(f'l.{c}' for c in passed), *layer])} FROM {query} l OFFSET 0)"
    return f"SELECT {', '.join(outputs)} FROM {query} v"
