"""Helpers shared by every app's tests."""

import re

from django.db import IntegrityError, transaction


def page_text(response) -> str:
    """The visible text of a page, tags stripped and whitespace collapsed, for asserting what a person reads."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def violates(fn) -> bool:
    """Whether the database refuses what `fn` writes (an IntegrityError, rolled back)."""
    try:
        with transaction.atomic():
            fn()
    except IntegrityError:
        return True
    return False
