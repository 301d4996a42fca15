"""When a locked-out username may sign in again, and the sign-in page that says so."""

from datetime import datetime

from axes.helpers import get_client_username, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.db.models import QuerySet, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _

from households import clock


def locked_until(username: str | None, *, limit: int | None = None) -> datetime | None:
    """The instant the lockout of `username` ends, or None when it is not locked out.

    django-axes counts the failures of the attempts whose last failure lies within the cool-off
    period (one row per address and browser). Rows drop out oldest first, so the lockout lasts
    until the newest rows alone no longer reach the limit.
    """
    if not username:
        return None
    limit = settings.AXES_FAILURE_LIMIT if limit is None else limit
    cooloff = settings.AXES_COOLOFF_TIME
    attempts = (
        AccessAttempt.objects.filter(username=username, attempt_time__gte=clock.now() - cooloff)
        .order_by("-attempt_time")
        .values_list("attempt_time", "failures_since_start")
    )
    failures = 0
    for attempt_time, count in attempts:
        failures += count
        if failures >= limit:
            return attempt_time + cooloff
    return None


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: dict | None
) -> HttpResponse:
    """The sign-in page again (AXES_LOCKOUT_CALLABLE), with how long the account stays locked."""
    username = get_client_username(request, credentials) or ""
    limit = get_failure_limit(request, credentials)
    until = locked_until(username, limit=limit)
    context = {
        "form": AuthenticationForm(request, initial={"username": username}),
        "next": request.POST.get("next", request.GET.get("next", "")),
        "lockout": lockout_context(until, limit),
    }
    return render(request, "registration/login.html", context, status=429)


def lockout_context(until: datetime | None, limit: int) -> dict:
    now = clock.now()
    until = until or now + settings.AXES_COOLOFF_TIME
    local = timezone.localtime(until)
    same_day = local.date() == timezone.localdate(now)
    return {
        "until": local,
        "until_text": dateformat.format(local, "H:i" if same_day else _("n月j日 H:i")),
        "minutes": max(1, -(-int((until - now).total_seconds()) // 60)),  # rounded up
        "limit": limit,
        "contact": settings.SIGNIN_HELP_CONTACT,
    }


def locked_usernames() -> QuerySet:
    """Usernames locked out now: the failures of their attempts within the cool-off period reach
    the limit (the test django-axes applies at sign-in)."""
    return (
        AccessAttempt.objects.filter(attempt_time__gte=clock.now() - settings.AXES_COOLOFF_TIME)
        .values("username")
        .annotate(failures=Sum("failures_since_start"))
        .filter(failures__gte=settings.AXES_FAILURE_LIMIT)
        .values("username")
    )
