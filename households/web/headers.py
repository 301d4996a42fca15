"""Response headers every page of the app carries, and the name of a download."""

from urllib.parse import quote


class NoStoreMiddleware:
    """`Cache-Control: no-store` on every response of the app (pages, fragments, downloads).

    Nearly every page and download holds personal data, and a shared office PC or a proxy must
    not keep a copy. Static files never reach this middleware (whitenoise answers them above it)
    and keep their long cache lifetimes.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "no-store" not in response.get("Cache-Control", ""):
            response["Cache-Control"] = "no-store"
        return response


def attachment_disposition(filename: str, *, ascii_filename: str) -> str:
    """`Content-Disposition` of a download: an ASCII name for any client, and the real (Chinese)
    name as RFC 5987 `filename*`, which browsers prefer."""
    fallback = "".join(c for c in ascii_filename if c.isascii() and c.isprintable() and c not in '"\\')
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"
