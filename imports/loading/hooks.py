"""Merge hooks: how categories that change other apps' tables get their extra merge step.

The imports app may not import the apps above it (import-linter layers), so an app like
monitoring registers its hook here from its AppConfig.ready(), and a spec names the hook.
A hook is called inside the load's transaction, after the feed table was merged, as
`hook(cursor=…, batch=…, rows_sql=…, now=…)` where `rows_sql` is a SQL subquery returning the accepted
rows of the file (one per natural key, the later row of in-file duplicates) with one column per
spec field (typed) plus `row_no`, and `now` is the load's instant (rows written are stamped with it).
"""

from collections.abc import Callable

_HOOKS: dict[str, Callable] = {}


def register(name: str, hook: Callable) -> None:
    _HOOKS[name] = hook


def get(name: str) -> Callable:
    try:
        return _HOOKS[name]
    except KeyError:
        raise LookupError(f"no merge hook registered under {name!r} (is its app installed?)") from None
