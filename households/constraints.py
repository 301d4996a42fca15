"""Database constraints shared by every app's models, and the migration step that adds them safely.

Choice columns are written by SQL too (the loader, the roster projection, the nightly run, bulk
triage), which Django's form validation never sees: `choice_check` makes the database refuse any
value outside the choices. `refuse_rows_breaking` runs before such constraints are added: it names
every table whose existing rows would break one, and stops the migration rather than guess.
"""

from collections.abc import Iterable

from django.db import models
from django.db.models import Q


def choice_check(table: str, field: str, values: Iterable, *, blank: bool = False) -> models.CheckConstraint:
    """`field` holds one of `values` (or '' when `blank`); NULL passes, as in any CHECK."""
    allowed = [*values, *([""] if blank else [])]
    return models.CheckConstraint(condition=Q(**{f"{field}__in": allowed}), name=f"{table}_{field}_valid")


def refuse_rows_breaking(app_label: str, operations: list):
    """A RunPython function: fails, listing each table, constraint and count, when existing rows
    break a CheckConstraint that `operations` (AddConstraint) is about to add."""

    def check(apps, schema_editor):
        problems = []
        for op in operations:
            if not isinstance(op.constraint, models.CheckConstraint):
                continue
            model = apps.get_model(app_label, op.model_name)
            condition = op.constraint._get_check_sql(model, schema_editor)
            with schema_editor.connection.cursor() as cursor:
                cursor.execute(f"SELECT count(*) FROM {model._meta.db_table} WHERE NOT ({condition})")
                (bad,) = cursor.fetchone()
            if bad:
                problems.append(
                    f"{model._meta.db_table}: {bad} rows break {op.constraint.name} ({condition})"
                )
        if problems:
            raise RuntimeError(
                "现有数据不符合新增的数据库约束，迁移已停止；请先更正这些行再迁移。/ Existing rows break "
                "constraints this migration adds; correct them, then migrate again:\n  "
                + "\n  ".join(problems)
            )

    return check
