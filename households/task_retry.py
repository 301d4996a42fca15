"""How the app's Celery tasks retry when the database fails them.

A dropped or refused connection, a failover, a deadlock or a serialization failure ends a task
with an OperationalError or InterfaceError; the task is tried again later, with exponential
backoff (5 s, 10 s, 20 s … at most 5 minutes, jittered so that the county tasks of one night do not
come back all at once), at most 5 times. Every task of the app is idempotent and uses it: loading a batch and the
nightly run's steps (writes guarded by constraints and advisory locks), the recovery sweep and the
retention jobs (they delete what is past a date).
"""

import psycopg
from django.db import InterfaceError, OperationalError

RETRY_BACKOFF_MAX = 5 * 60

RETRY_ON_DATABASE_ERRORS = {
    # psycopg's own as well: the loader and the run write through raw psycopg cursors, whose errors
    # Django does not wrap.
    "autoretry_for": (OperationalError, InterfaceError, psycopg.OperationalError, psycopg.InterfaceError),
    "retry_backoff": 5,
    "retry_backoff_max": RETRY_BACKOFF_MAX,
    "retry_jitter": True,
    "max_retries": 5,
}
