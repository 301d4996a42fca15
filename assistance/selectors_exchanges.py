"""Reads of the monthly lists to medical insurance, scoped to the user's region."""

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db.models import QuerySet

from assistance.models import ExchangeStatus, MedicalInsuranceList
from assistance.services.exchanges import list_regions
from assistance.services.grants import previous_month
from households.models import Region
from households.scoping import get_in_scope_or_404, region_in_scope, scope_queryset


def medical_lists(user) -> QuerySet[MedicalInsuranceList]:
    """The latest version of every month's list the user's region covers (newest month first);
    earlier versions are all superseded, so the latest is the one not superseded."""
    return (
        scope_queryset(MedicalInsuranceList.objects.all(), user)
        .exclude(status=ExchangeStatus.SUPERSEDED)
        .select_related("region", "produced_by", "sent_by")
        .order_by("-period", "region_id")
    )


def medical_list_get(*, user, pk: int) -> MedicalInsuranceList:
    """One version (any, superseded ones included); outside the user's region: 404."""
    return get_in_scope_or_404(
        MedicalInsuranceList.objects.select_related("region", "produced_by", "sent_by", "acknowledged_by"),
        user,
        pk=pk,
    )


def medical_list_versions(medical_list: MedicalInsuranceList) -> QuerySet[MedicalInsuranceList]:
    return (
        MedicalInsuranceList.objects.filter(period=medical_list.period, region_id=medical_list.region_id)
        .select_related("produced_by", "sent_by", "acknowledged_by")
        .order_by("-version")
    )


@dataclass(frozen=True)
class OverdueList:
    """A month's list not sent by the due day: `latest` is its latest version, None if never produced."""

    period: date
    region: Region
    latest: MedicalInsuranceList | None


def overdue_medical_lists(*, user, today: date) -> list[OverdueList]:
    """The previous month's lists (of the regions inside the user's scope) not sent once today is
    past MEDICAL_LIST_DUE_DAY: never produced, or their latest version not sent (a version produced
    after a sent one must be sent again). Empty up to the due day."""
    if today.day <= settings.MEDICAL_LIST_DUE_DAY:
        return []
    period = previous_month(today)
    regions = [r for r in list_regions() if region_in_scope(user, r.code)]
    latest = {
        m.region_id: m
        for m in MedicalInsuranceList.objects.filter(period=period, region__in=regions).exclude(
            status=ExchangeStatus.SUPERSEDED
        )
    }
    return [
        OverdueList(period=period, region=r, latest=latest.get(r.code))
        for r in regions
        if r.code not in latest or latest[r.code].status == ExchangeStatus.PRODUCED
    ]
