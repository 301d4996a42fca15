"""Helpers shared by every app's tests."""

import re


def page_text(response) -> str:
    """The visible text of a page, tags stripped and whitespace collapsed, for asserting what a person reads."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
