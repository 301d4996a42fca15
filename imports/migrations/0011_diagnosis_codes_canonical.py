"""Stored diagnosis codes in the canonical form the loader now writes (imports.icd: `c349` → `C34.9`).

The merge compares stored and incoming values, so a code stored in another writing would turn a
re-sent file into corrections. One set-based UPDATE per table, touching only rows whose code is a
code and changes; text that is not a code is left as it is. The SQL is written out here (not built
from imports.icd) so the migration keeps doing what it did when the loader changes again;
tests/imports/test_icd_codes.py checks it against imports.icd.normalize_icd10.
"""

from django.db import migrations

# Full-width forms → ASCII, ideographic and no-break spaces → space (as the loader folds them).
FULL_WIDTH = "".join(chr(c) for c in range(0xFF01, 0xFF5F)) + "\u3000\u00a0"
HALF_WIDTH = "".join(chr(c) for c in range(0x21, 0x7F)) + "  "
CODE = r"[A-Z][0-9][0-9A-Z](\.?[0-9A-Z]+|\.)?"
PATTERN = rf"^{CODE}(\*|\+({CODE}\*?)?)?$"
WHITESPACE = " \t\r\n"


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def canonical_sql(column: str) -> str:
    """SQL: the canonical code of `column`, NULL when it is not a code."""
    folded = (
        f"upper(translate(replace(translate({column}, {_quote(FULL_WIDTH)}, {_quote(HALF_WIDTH)}), "
        f"'†', '+'), {_quote(WHITESPACE)}, ''))"
    )
    return (
        f"(SELECT CASE WHEN f ~ {_quote(PATTERN)} THEN regexp_replace(replace(f, '.', ''), "
        rf"'(^|\+)([A-Z][0-9][0-9A-Z])([0-9A-Z])', '\1\2.\3', 'g') END FROM (SELECT {folded} AS f) x)"
    )


def update_sql(table: str) -> str:
    return f"""
        UPDATE {table} t SET diagnosis_code = n.code
          FROM (SELECT id, {canonical_sql("diagnosis_code")} AS code FROM {table} WHERE diagnosis_code <> '') n
         WHERE t.id = n.id AND n.code IS NOT NULL AND n.code <> t.diagnosis_code AND length(n.code) <= 20
    """


STATEMENTS = [update_sql("imports_medicalsettlement"), update_sql("imports_diagnosis")]


class Migration(migrations.Migration):
    dependencies = [
        ("imports", "0010_choice_and_amount_checks"),
    ]

    operations = [migrations.RunSQL(STATEMENTS, reverse_sql=migrations.RunSQL.noop, elidable=True)]
