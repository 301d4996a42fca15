"""What-if preview: how many alerts draft parameters would raise tonight, raising none."""

from datetime import date

from django.db import connection, transaction

from alerts.models import RuleCode
from alerts.rules import validate_params
from alerts.rules.sql import preview_sql, rule_params


def preview_counts(
    *, drafts: dict[str, dict], as_of: date, county_prefix: str = ""
) -> dict[str, dict[str, int]]:
    """{rule: {county: alerts it would raise}} for each rule of `drafts` (validated parameters).

    Guarantees: nothing is written — the same SQL as the run, ending in SELECT count(*) instead
    of INSERT, inside a READ ONLY transaction, so even a mistake could not raise an alert.
    `county_prefix` limits the counties counted (a supervisor's own region).
    """
    result: dict[str, dict[str, int]] = {}
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION READ ONLY")
        for rule, params in drafts.items():
            cleaned = validate_params(rule, params)
            cursor.execute(
                preview_sql(RuleCode(rule)),
                {
                    "as_of": as_of,
                    "county": f"{county_prefix}%",
                    "rule": rule,
                    **rule_params(rule, cleaned),
                },
            )
            result[rule] = dict(cursor.fetchall())
    return result
