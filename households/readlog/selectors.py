"""Reads of the read log."""

from django.db.models import QuerySet

from households.models import Household
from households.readlog.models import ReadLogEntry


def household_reads(*, household: Household) -> QuerySet[ReadLogEntry]:
    """Every entry that read this household or one of its members, newest first (GIN index on
    `household_ids`). The caller has fetched `household` through the user's scope."""
    return (
        ReadLogEntry.objects.filter(household_ids__contains=[household.pk])
        .select_related("user")
        .order_by("-id")
    )
