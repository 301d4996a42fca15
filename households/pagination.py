"""Keyset pagination by descending id ("?before=<id>"): no OFFSET, so a page costs the same at
any depth of a large list."""

from django.db.models import QuerySet


def page_before(qs: QuerySet, before: str, size: int) -> tuple[list, int | None]:
    """The `size` rows of `qs` (ordered by -id) with an id below `before` (ignored unless digits),
    and the id to ask for the next page with (None on the last page)."""
    if before.isdigit():
        qs = qs.filter(id__lt=int(before))
    rows = list(qs[: size + 1])
    return rows[:size], (rows[size - 1].id if len(rows) > size else None)


def capped_label(n: int, cap: int) -> str:
    """A count as a list shows it: "12", or "1,000+" past `cap` (it was counted up to cap + 1)."""
    return f"{cap:,}+" if n > cap else f"{n:,}"


def capped_count(qs: QuerySet, cap: int) -> str:
    """How many rows `qs` has, counting at most cap + 1 of them (never a whole big table)."""
    return capped_label(qs.order_by().values("id")[: cap + 1].count(), cap)
