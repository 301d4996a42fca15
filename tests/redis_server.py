"""The Redis the Celery integration tests run against.

REDIS_TEST_URL when set (CI points it at the machine's service); otherwise a private
`redis-server` started for the test session on a free port, keeping nothing on disk; otherwise the
usual local one (127.0.0.1:6379, database 15) when it answers. `./dev test` installs Debian's
redis-server when none of these exists and it may.
"""

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager

import redis

LOCAL_DEFAULT = "redis://127.0.0.1:6379/15"
HOW_TO_GET_ONE = (
    "the Celery integration tests need a Redis: install redis-server (Debian: apt-get install "
    "redis-server; `./dev test` does it when run as root) or set REDIS_TEST_URL"
)


def answers(url: str) -> bool:
    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=2).ping())
    except redis.RedisError:
        return False


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _real_clock_env() -> dict[str, str]:
    """This environment without libfaketime (`./dev test --at`): redis-server's allocator
    (jemalloc) cannot start under it, and the broker's clock matters to no test: like the
    machine's Redis that CI uses, it keeps the real time."""
    return {
        name: value
        for name, value in os.environ.items()
        if name != "LD_PRELOAD" and not name.startswith(("FAKETIME", "DONT_FAKE"))
    }


@contextmanager
def test_redis() -> Iterator[str]:
    """Yield the URL of a Redis for this session; raise RuntimeError (saying how to get one) if none."""
    url = os.environ.get("REDIS_TEST_URL")
    if url:
        if not answers(url):
            raise RuntimeError(f"REDIS_TEST_URL={url} does not answer")
        yield url
        return
    binary = shutil.which("redis-server")
    if binary:
        port = _free_port()
        with tempfile.TemporaryDirectory(prefix="jz-redis-") as workdir:
            server = subprocess.Popen(
                [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                 "--dir", workdir],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=_real_clock_env(),
            )  # fmt: skip
            try:
                url = f"redis://127.0.0.1:{port}/0"
                deadline = time.monotonic() + 10
                while not answers(url):
                    if server.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError(f"redis-server did not start on port {port}")
                    time.sleep(0.05)
                yield url
            finally:
                server.terminate()
                server.wait(timeout=10)
        return
    if answers(LOCAL_DEFAULT):
        yield LOCAL_DEFAULT
        return
    raise RuntimeError(HOW_TO_GET_ONE)
