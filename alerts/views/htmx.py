"""The one place that decides whether a request gets a whole page or just a fragment (NetBox's
`utilities/htmx.py`): htmx requests that target a fragment get the fragment, everything else
(first visits, reloads, history restores, boosted links) the full page."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def is_fragment_request(request: HttpRequest) -> bool:
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def render_page_or_fragment(
    request: HttpRequest, page_template: str, fragment_template: str, context: dict, status: int = 200
) -> HttpResponse:
    template = fragment_template if is_fragment_request(request) else page_template
    response = render(request, template, context, status=status)
    response["Vary"] = "HX-Request"
    return response
