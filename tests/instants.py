"""Instants where date arithmetic breaks (Beijing time), shared by tests/conftest.py and .ci/run.

Just after midnight on the 1st, when the UTC date is still the last day of the previous month (and
February is short); early on a weekday of a month's first week; the last afternoon of a month (a
Sunday: the nightly run is full); the last minute of a year; a leap day.
"""

HOSTILE_INSTANTS = (
    "2027-03-01 00:30",
    "2026-12-07 07:10",
    "2027-02-28 15:59",
    "2026-12-31 23:59",
    "2028-02-29 12:00",
)

if __name__ == "__main__":  # .ci/run: the instant of this commit, so a failure is reproducible
    import subprocess

    commits = subprocess.run(["git", "rev-list", "--count", "HEAD"], capture_output=True, text=True)
    count = int(commits.stdout.strip() or 0) if commits.returncode == 0 else 0
    print(HOSTILE_INSTANTS[count % len(HOSTILE_INSTANTS)])
