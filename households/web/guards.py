"""Refuse requests carrying control characters before any of it reaches the database."""

import logging
import re
from importlib import import_module

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext as _

from households.web.errors import error_page

logger = logging.getLogger(__name__)

# C0 and C1 control characters and DEL; tab, line feed and carriage return are ordinary text
# (pasted from a spreadsheet, typed in a text area).
CONTROL_CHARACTER = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
SHOWN_NAME = re.compile(r"^[\w.-]{1,40}$")


class ControlCharacterMiddleware:
    """Answer 400 (the site's error page) when the path, a query parameter, a posted field or the
    session cookie holds a control character.

    PostgreSQL cannot store or compare a NUL, so such a value reached a query as a 500; no value
    with control characters is meaningful input here, so none goes further than this.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        reason = self.refusal(request)
        if reason:
            logger.warning("Control character in a request to %r: answered 400", request.path)
            return error_page(request, 400, _("请求有误"), reason)
        return self.get_response(request)

    @staticmethod
    def refusal(request) -> str:
        """Why the request is refused, or "" when it carries no control character."""
        if CONTROL_CHARACTER.search(request.path_info):
            return _("网址中含有控制字符（例如 NUL），无法处理。请检查网址后重试。")
        if CONTROL_CHARACTER.search(request.COOKIES.get(settings.SESSION_COOKIE_NAME, "")):
            # the cookie's session cannot be looked up; an empty one makes SessionMiddleware
            # delete the cookie, and the error page shows a signed-out user
            request.session = import_module(settings.SESSION_ENGINE).SessionStore()
            request.user = AnonymousUser()
            return _("登录凭据（Cookie）中含有控制字符，已清除，请重新登录。")
        fields = [*request.GET.lists()]
        if request.method == "POST":  # (Django drops control characters from uploads' names)
            fields += [*request.POST.lists()]
        for name, values in fields:
            if any(CONTROL_CHARACTER.search(text) for text in (name, *values)):
                return field_message(name)
        return ""


def field_message(name: str) -> str:
    message = _(
        "您输入或选择的内容中含有控制字符（例如 NUL），无法处理。请删除后重试：从其他系统复制的文字可能带有这类看不见的字符。"
    )
    if SHOWN_NAME.match(name):
        message += _("（参数：%(name)s）") % {"name": name}
    return message
