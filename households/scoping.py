"""Region scoping: the one place that decides which rows of personal data a user may see.

A user's scope is a region-code prefix (`130921` is all of 沧县, `130921101` one town). Every
queryset of personal data goes through `scope_queryset` with the path of its region code.
"""

from django.db.models import QuerySet
from django.http import Http404


def user_prefix(user) -> str | None:
    """The code prefix a user may see: "" for everything, None for nothing."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    return user.scope_prefix


def scope_queryset(queryset: QuerySet, user, region_path: str = "region__code") -> QuerySet:
    """Keep only rows whose region code (at `region_path`) lies inside the user's scope."""
    prefix = user_prefix(user)
    if prefix is None:
        return queryset.none()
    if prefix == "":
        return queryset
    return queryset.filter(**{f"{region_path}__startswith": prefix})


def region_in_scope(user, region_code: str | None) -> bool:
    prefix = user_prefix(user)
    if prefix is None or region_code is None:
        return False
    return region_code.startswith(prefix)


def get_in_scope_or_404(queryset: QuerySet, user, region_path: str = "region__code", **lookup):
    """Fetch one row inside the user's scope; out of scope looks exactly like missing (404)."""
    try:
        return scope_queryset(queryset, user, region_path).get(**lookup)
    except queryset.model.DoesNotExist as exc:
        raise Http404 from exc
