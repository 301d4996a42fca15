"""View decorators shared by the apps (households is the bottom layer, so every app may use them)."""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django_htmx.http import HttpResponseClientRedirect


def login_required_htmx(view: Callable | None = None, *, page: Callable[..., str] | None = None):
    """`login_required` for views that htmx requests too (filters, paging, polling).

    With plain `login_required`, a session that expired while the page was open answers htmx's
    request with a redirect to the sign-in page, which htmx follows and swaps into the part of the
    page it asked for. Here an htmx request gets `HX-Redirect` instead: the whole page goes to sign
    in. After signing in the user comes back to `page(request, *args, **kwargs)` (for a fragment
    view: the page it belongs to), by default to the requested URL, which is then a whole page.
    """

    def decorator(view_func: Callable) -> Callable:
        @wraps(view_func)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if request.user.is_authenticated:
                return view_func(request, *args, **kwargs)
            back = page(request, *args, **kwargs) if page else request.get_full_path()
            login = redirect_to_login(back)
            return HttpResponseClientRedirect(login["Location"]) if request.htmx else login

        return wrapper

    return decorator(view) if view is not None else decorator


def permission_required(perm: str, message: str):
    """403 with `message` (shown on the error page) unless the user's role grants `perm`.

    Put it under `login_required`/`login_required_htmx`, which send anonymous users to sign in.
    """

    def decorator(view_func: Callable) -> Callable:
        @wraps(view_func)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not request.user.has_perm(perm):
                raise PermissionDenied(message)
            return view_func(request, *args, **kwargs)

        return wrapper

    return decorator
