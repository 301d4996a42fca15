from django.conf import settings
from django.utils import translation


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
        response.headers.setdefault("Content-Language", language)
        return response
