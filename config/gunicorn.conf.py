"""gunicorn for this app, sized for the host: used by the Dockerfile, docker-compose and `./dev demo`.

Threaded workers (gthread): a page waits mostly on PostgreSQL, so while one request waits or one
slow request (an export) runs, the worker's other threads serve the rest; with sync workers every
request queued behind the slowest (benchmarks/README.md "Concurrent load"). Processes follow the
CPU count, since Python runs one thread at a time per process. Each thread holds its own database
connection when it serves a request: workers × threads is the most the web asks of PostgreSQL.

Overrides: GUNICORN_WORKERS, GUNICORN_THREADS, GUNICORN_TIMEOUT, GUNICORN_BIND (or any option
through GUNICORN_CMD_ARGS, or on the command line).
"""

import os


def _number(name: str, default: int) -> int:
    """The variable's value; unset or empty (docker-compose passes `${X:-}` through) → default."""
    return int(os.environ.get(name) or default)


bind = os.environ.get("GUNICORN_BIND") or "0.0.0.0:8000"
workers = _number("GUNICORN_WORKERS", (os.cpu_count() or 1) + 1)
worker_class = "gthread"
threads = _number("GUNICORN_THREADS", 8)
timeout = _number("GUNICORN_TIMEOUT", 120)
graceful_timeout = 30
keepalive = 5
# A worker is replaced after this many requests (plus jitter), so memory a request left behind
# cannot accumulate.
max_requests = 2000
max_requests_jitter = 200
# The heartbeat file in memory: on a container's overlay file system its writes can block workers.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
accesslog = "-"
# No control socket (gunicornc): its default path is one per user's home, so two servers on a host
# would share it, and the image's user has no home.
control_socket_disable = True
