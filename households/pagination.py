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
