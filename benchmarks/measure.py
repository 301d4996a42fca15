"""Measuring helpers shared by the benchmarks (import after `django.setup()`)."""

import statistics
import time

from django.db import connection
from django.test import Client


class QueryCounter:
    """Counts SQL statements through `connection.execute_wrapper(counter)`. (Not Django's
    CaptureQueriesContext: every request starts by resetting Django's query log.)"""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


class SqlTimer:
    """Wall time spent inside SQL statements (PostgreSQL runs in its own processes)."""

    def __init__(self) -> None:
        self.ms = 0.0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.ms += (time.perf_counter() - started) * 1000


def scalar(sql: str, params=None):
    """The first column of the statement's first row."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def time_requests(client: Client, url: str, repeat: int) -> tuple[list[float], list[float], list[float]]:
    """Per request, in ms: wall time, SQL time, and CPU time of this (Django) process."""
    for _ in range(3):  # warm-up: connection, template and URL caches
        assert client.get(url).status_code == 200
    wall, sql, cpu = [], [], []
    for _ in range(repeat):
        timer = SqlTimer()
        with connection.execute_wrapper(timer):
            cpu_started = time.process_time()
            started = time.perf_counter()
            response = client.get(url)
            wall.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - cpu_started) * 1000)
        sql.append(timer.ms)
        assert response.status_code == 200
    return wall, sql, cpu


def p50_p95_max(times: list[float]) -> tuple[float, float, float]:
    """Median, 95th percentile (nearest rank) and maximum."""
    times = sorted(times)
    return statistics.median(times), times[max(0, round(0.95 * len(times)) - 1)], times[-1]
