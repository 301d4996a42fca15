"""Concurrent load: signed-in clients for a fixed time against the inbox and the dashboard.

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/jiuzhu_workers   # demo data (./dev demo)
    .venv/bin/python benchmarks/load_bench.py --server new            # config/gunicorn.conf.py
    .venv/bin/python benchmarks/load_bench.py --server old-demo       # gunicorn --workers 2 (sync)
    .venv/bin/python benchmarks/load_bench.py --url http://127.0.0.1:8105   # a server already running

With --server the script starts gunicorn itself on a free loopback port against DATABASE_URL (the
static files must have been collected: `./dev demo` does it), runs the clients, and stops it. Half
of the clients are caseworkers on 预警处置 (/alerts/inbox/), half supervisors on 统计看板
(/alerts/dashboard/), each with a session of its own (signed in through the sign-in page, demo
password), each requesting its page again as soon as the last answer arrived. Prints requests,
errors, and p50/p95/p99/max per page; loopback only (it refuses any other host).
"""

import argparse
import http.cookiejar
import os
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "demo-2025"
PAGES = {
    "inbox": ("/alerts/inbox/", ["jingban_a", "jingban_b", "jingban_cun"]),
    "dashboard": ("/alerts/dashboard/", ["dudao", "dudao_cx"]),
}
SERVERS = {
    # ./dev demo before issue 13
    "old-demo": ["--workers", "2", "--timeout", "600"],
    # docker-compose before issue 13
    "old-compose": ["--workers", "4", "--timeout", "120"],
    "new": ["--config", "config/gunicorn.conf.py"],
}
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}


class NotFollowed(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a redirect (to the sign-in page) is an answer to count, not to follow


def signed_in(base: str, username: str) -> urllib.request.OpenerDirector:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/login/", timeout=30).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "username": username, "password": PASSWORD})
    request = urllib.request.Request(
        f"{base}/login/", data=data.encode(), headers={"Referer": f"{base}/login/"}
    )
    opener.open(request, timeout=30).read()
    if not any(cookie.name == "sessionid" for cookie in jar):
        sys.exit(f"sign-in as {username} failed (demo data loaded? password {PASSWORD}?)")
    session = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NotFollowed)
    return session


def fetch(opener, url: str) -> tuple[float, bool]:
    started = time.perf_counter()
    try:
        with opener.open(url, timeout=120) as response:
            response.read()
            ok = response.status == 200
    except (urllib.error.URLError, OSError):
        ok = False
    return (time.perf_counter() - started) * 1000, ok


def percentile(sorted_ms: list[float], q: float) -> float:
    """Nearest rank."""
    return sorted_ms[max(0, round(q * len(sorted_ms)) - 1)]


def run_clients(base: str, clients: int, seconds: float) -> dict[str, list[tuple[float, bool]]]:
    plan = []
    for i in range(clients):
        name = list(PAGES)[i % len(PAGES)]
        path, users = PAGES[name]
        plan.append((name, base + path, signed_in(base, users[(i // len(PAGES)) % len(users)])))
    for _, url, opener in plan:  # warm-up: templates, URL and connection caches of every worker
        fetch(opener, url)
    results: dict[str, list[tuple[float, bool]]] = defaultdict(list)
    lock = threading.Lock()
    start = threading.Barrier(clients + 1)

    def client(name: str, url: str, opener) -> None:
        mine = []
        start.wait()
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            mine.append(fetch(opener, url))
        with lock:
            results[name].extend(mine)

    threads = [threading.Thread(target=client, args=entry) for entry in plan]
    for thread in threads:
        thread.start()
    start.wait()
    for thread in threads:
        thread.join()
    return results


def report(results, seconds: float) -> None:
    print(
        f"{'page':<10} {'requests':>8} {'req/s':>6} {'errors':>6} {'p50':>7} {'p95':>7} {'p99':>7} {'max':>7}  (ms)"
    )
    for name, samples in results.items():
        ms = sorted(t for t, _ in samples)
        errors = sum(not ok for _, ok in samples)
        print(
            f"{name:<10} {len(ms):>8} {len(ms) / seconds:>6.1f} {errors:>6} {statistics.median(ms):>7.0f} "
            f"{percentile(ms, 0.95):>7.0f} {percentile(ms, 0.99):>7.0f} {ms[-1]:>7.0f}"
        )


def dataset() -> str:
    """Sizes of what the two pages read, from DATABASE_URL."""
    import psycopg

    url = os.environ.get("DATABASE_URL", "").replace("postgres://", "postgresql://", 1)
    if not url:
        return "(DATABASE_URL not set: dataset size unknown)"
    with psycopg.connect(url) as conn:
        alerts, open_alerts, households, persons = conn.execute(
            "SELECT (SELECT count(*) FROM alerts_alert), (SELECT count(*) FROM alerts_alert WHERE status <> 'closed'),"
            " (SELECT count(*) FROM households_household), (SELECT count(*) FROM households_person)"
        ).fetchone()
    return f"{households:,} households, {persons:,} persons, {alerts:,} alerts ({open_alerts:,} not closed)"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(preset: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    args = [sys.executable, "-m", "gunicorn", "config.wsgi", *SERVERS[preset], "--bind", f"127.0.0.1:{port}"]
    server = subprocess.Popen(
        [*args, "--access-logfile", "/dev/null"], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{base}/login/", timeout=5).read()
            return server, base
        except OSError:
            if server.poll() is not None:
                sys.exit(f"gunicorn did not start:\n{server.stderr.read().decode()[-2000:]}")
            time.sleep(0.3)
    server.terminate()
    sys.exit("gunicorn did not answer within 60 s")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--url", help="a server already running on loopback, e.g. http://127.0.0.1:8105")
    where.add_argument("--server", choices=SERVERS, help="start gunicorn with this setup")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30)
    args = parser.parse_args()
    server = None
    if args.server:
        server, base = start_server(args.server)
        print(f"server: gunicorn {' '.join(SERVERS[args.server])}  (--server {args.server})")
    else:
        base = args.url.rstrip("/")
        host = urllib.parse.urlsplit(base).hostname or ""
        if host not in LOOPBACK:
            sys.exit(f"loopback only: {host} is not this machine")
        print(f"server: {base}")
    try:
        print(f"data: {dataset()}")
        print(f"{args.clients} clients x {args.seconds:.0f} s; machine: {os.cpu_count()} cores")
        print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        results = run_clients(base, args.clients, args.seconds)
        print(f"load average after:  {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        report(results, args.seconds)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=60)


if __name__ == "__main__":
    main()
