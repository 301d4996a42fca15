"""Measuring helpers shared by the page benchmarks."""


class QueryCounter:
    """Counts SQL statements through `connection.execute_wrapper(counter)`. (Not Django's
    CaptureQueriesContext: every request starts by resetting Django's query log.)"""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)
