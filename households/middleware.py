from collections.abc import Iterable, Iterator

from django.conf import settings
from django.utils import translation


def _in_language(content: Iterable[bytes], language: str) -> Iterator[bytes]:
    """Produce each chunk of a streamed body with `language` active.

    A streamed body is generated after the middleware returned, when the override below has
    already ended; each chunk is produced under the request's language again, and the thread goes
    back to its previous language between chunks.
    """
    chunks = iter(content)
    while True:
        with translation.override(language):
            chunk = next(chunks, None)
        if chunk is None:
            return
        yield chunk


class DefaultChineseLocaleMiddleware:
    """Chinese unless the user picked another language (cookie set by /i18n/setlang/).

    The browser's Accept-Language is ignored on purpose: intranet PCs often run English-locale
    browsers, and caseworkers must still get the Chinese interface.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        request.LANGUAGE_CODE = language
        # override, not activate: the thread goes back to its previous language afterwards, so
        # an English request cannot leak into whatever the thread runs next (tests, eager tasks)
        with translation.override(language):
            response = self.get_response(request)
        if response.streaming and not response.is_async:
            response.streaming_content = _in_language(response.streaming_content, language)
        response.headers.setdefault("Content-Language", language)
        return response
