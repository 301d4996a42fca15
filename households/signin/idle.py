"""Signing out a session that has been idle too long (settings.SESSION_IDLE_TIMEOUT)."""

from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect

from households import clock

LAST_ACTIVITY = "last_activity"  # session key: POSIX seconds of the user's last own request
# The session is written at most this often (seconds); a sign-out may come this much early.
RECORD_EVERY = 60


def not_user_activity(view: Callable) -> Callable:
    """Mark a view whose requests the page makes by itself (htmx polling): they do not keep the
    session alive, so a page left open is still signed out after the idle timeout."""
    view.not_user_activity = True
    return view


class IdleSessionMiddleware:
    """Sign out after SESSION_IDLE_TIMEOUT without a request of the user's own.

    The user is sent to sign in with a message and, once signed in, back to the page they were on
    (for an htmx request, the page that made it, through HX-Redirect).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        if not request.user.is_authenticated:
            return None
        now = clock.now().timestamp()
        last = request.session.get(LAST_ACTIVITY)
        if last is not None and now - last > settings.SESSION_IDLE_TIMEOUT.total_seconds():
            return self.sign_out(request)
        if not getattr(view_func, "not_user_activity", False) and (
            last is None or now - last >= RECORD_EVERY
        ):
            request.session[LAST_ACTIVITY] = now
        return None

    def sign_out(self, request: HttpRequest) -> HttpResponse:
        back = page_to_return_to(request)
        logout(request)
        minutes = int(settings.SESSION_IDLE_TIMEOUT.total_seconds() // 60)
        messages.info(
            request,
            _("您已超过 %(minutes)d 分钟没有操作，为保护数据已自动退出，请重新登录。") % {"minutes": minutes},
        )
        login = redirect_to_login(back)
        return HttpResponseClientRedirect(login["Location"]) if request.htmx else login


def page_to_return_to(request: HttpRequest) -> str:
    """The page the user was looking at: the requested one, or for htmx and form posts the page
    that made the request (a fragment or a POST URL is not a page to come back to)."""
    if request.path == resolve_url(settings.LOGIN_URL):
        return "/"  # (signing in again, then back to the sign-in page, would go nowhere)
    if request.method == "GET" and not request.htmx:
        return request.get_full_path()
    source = request.headers.get("HX-Current-URL") or request.headers.get("Referer") or ""
    if url_has_allowed_host_and_scheme(source, {request.get_host()}, request.is_secure()):
        parts = urlsplit(source)
        return parts.path + (f"?{parts.query}" if parts.query else "")
    return "/"
