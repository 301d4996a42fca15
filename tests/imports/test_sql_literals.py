"""Values written into the loader's generated SQL are quoted by psycopg (`sql.Literal`)."""

import pytest
from django.db import connection

from imports.loading.validation import lit

pytestmark = pytest.mark.django_db

HOSTILE = [
    None,
    True,
    False,
    0,
    -5,
    20270301,
    "O'Brien",
    "''; DROP TABLE imports_importbatch; --",
    "C:\\temp\\",
    "50%",
    "%(now)s",
    "身份证号\u3000（必填）",
    "tab\tnewline\n",
    '"quoted"',
]


@pytest.mark.parametrize("value", HOSTILE, ids=repr)
def test_a_literal_reads_back_as_the_value_it_was_made_from(value):
    with connection.cursor() as django_cursor:
        cursor = django_cursor.cursor  # psycopg's own: the loader runs its statements without parameters
        cursor.execute(f"SELECT {lit(value)}")
        assert cursor.fetchone()[0] == value
