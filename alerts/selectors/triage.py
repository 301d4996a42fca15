"""Reads for one alert and one household's roll-up, always scoped to the requesting user."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db.models import QuerySet
from django.db.models.functions import Length
from django.http import Http404
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from alerts.models import OPEN_STATUSES, Alert, AlertEvent, HomeVisit, RuleCode
from alerts.rules.definitions import default_params
from households.idcard import mask_ids
from households.models import Household, Person, Region, RegionLevel, Role, User
from households.scoping import get_in_scope_or_404, region_in_scope, scope_queryset, user_prefix
from imports.models import MedicalSettlement
from imports.selectors import can_manage_imports
from monitoring.models import MonitoringRecordHistory

# feed table (evidence contract) → the model name in the admin
SOURCE_MODELS = {
    "medical_settlement": ("medicalsettlement", _("医保结算")),
    "diagnosis": ("diagnosis", _("诊断")),
    "disability_certificate": ("disabilitycertificate", _("残疾证")),
    "unemployment_registration": ("unemploymentregistration", _("失业登记")),
}


def alert_get(*, user, pk: int) -> Alert:
    """One alert of the user's scope, or 404 (out of scope looks exactly like missing)."""
    qs = Alert.objects.select_related(
        "person", "household", "region", "region__parent", "assignee", "rule_version"
    )
    return get_in_scope_or_404(qs, user, pk=pk)


@dataclass
class EvidenceSource:
    label: str
    record_url: str | None
    batch_url: str | None
    batch_id: int | None


@dataclass
class Evidence:
    summary: str
    values: dict
    sources: list[EvidenceSource]


def _reverse(name: str, *args) -> str | None:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def evidence_for(alert: Alert, user=None) -> Evidence:
    """The evidence contract rendered for people, resident IDs masked; tolerant of missing keys
    (older alerts).

    Links to source records and batches only for a `user` allowed to open them."""
    raw = alert.evidence if isinstance(alert.evidence, dict) else {}
    # A certificate number starts with the holder's resident ID: the run writes it into the texts,
    # and like every ID shown to people it is masked.
    summary = mask_ids(raw.get("summary") or raw.get("summary_zh") or "")
    values = raw.get("values") if isinstance(raw.get("values"), dict) else {}
    sources = []
    for item in raw.get("sources") or []:
        if not isinstance(item, dict):
            continue
        model, table_label = SOURCE_MODELS.get(item.get("table", ""), (None, ""))
        record_id = item.get("id")
        batch_id = item.get("batch_id")
        label = mask_ids(
            item.get("label")
            or " ".join(str(x) for x in (table_label, item.get("key", ""), item.get("date", "")) if x)
        )
        if user is None:
            sources.append(EvidenceSource(label=label, record_url=None, batch_url=None, batch_id=batch_id))
            continue
        sources.append(
            EvidenceSource(
                label=label,
                record_url=_record_url(user, model, record_id),
                batch_url=_batch_url(user, batch_id),
                batch_id=batch_id,
            )
        )
    return Evidence(summary=summary, values=values, sources=sources)


def _record_url(user, model: str | None, record_id) -> str | None:
    """The admin page of a feed record, for users who may view that table there."""
    if model and record_id is not None and user.has_perm(f"imports.view_{model}"):
        return _reverse(f"admin:imports_{model}_change", record_id)
    return None


def _batch_url(user, batch_id) -> str | None:
    """The batch page is the data admin's (403 for everyone else); staff who may view batches in
    the admin (supervisors) get the admin's read-only page instead; others no link."""
    if batch_id is None:
        return None
    if can_manage_imports(user):
        return _reverse("imports:batch_detail", batch_id)
    if user.is_staff and user.has_perm("imports.view_importbatch"):
        return _reverse("admin:imports_importbatch_change", batch_id)
    return None


@dataclass
class SettlementRow:
    """One settlement of a self-pay total as the alert page lists it (no ID number on it)."""

    settle_date: date
    settlement_id: str
    institution: str
    visit_type: str
    total_cost: Decimal
    self_paid: Decimal
    batch_id: int
    batch_file_name: str
    batch_loaded_at: datetime | None
    record_url: str | None
    batch_url: str | None


@dataclass
class SelfPaySettlements:
    """The settlements that make up a self-pay alert's total, as they are stored now."""

    rows: list[SettlementRow]
    self_paid_total: Decimal
    total_cost: Decimal
    stored_total: Decimal | None  # the total when the alert was raised
    window_days: int
    window_first: date
    window_last: date
    whole_window: bool  # every settlement of the window (the evidence listed only some)

    @property
    def total_changed(self) -> bool:
        return self.stored_total is not None and self.self_paid_total != self.stored_total


def _int_or_none(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def self_pay_settlements(*, user, alert: Alert) -> SelfPaySettlements | None:
    """Every settlement of a self-pay alert's total, in one indexed query (the person's ID and the
    date range: medsettle_person_date_cover), with its batch; None for other rules.

    The evidence keeps only the largest settlements (`SELF_PAY_SOURCES_SHOWN`); when it omits
    some, all settlements of the person in the rule's window ending on the raising day are read,
    otherwise those it lists. Scoped like the alert: outside the user's region is 404.
    """
    if not region_in_scope(user, alert.region_id):
        raise Http404
    if alert.rule != RuleCode.HIGH_MEDICAL_SELF_PAY:
        return None
    raw = alert.evidence if isinstance(alert.evidence, dict) else {}
    values = raw.get("values") if isinstance(raw.get("values"), dict) else {}
    listed = [
        item["id"]
        for item in raw.get("sources") or []
        if isinstance(item, dict)
        and item.get("table") == "medical_settlement"
        and _int_or_none(item.get("id"))
    ]
    count = _int_or_none(values.get("settlement_count"))
    whole_window = count is None or count > len(listed)
    params = alert.rule_version.params if isinstance(alert.rule_version.params, dict) else {}
    window_days = (
        _int_or_none(values.get("window_days"))
        or _int_or_none(params.get("window_days"))
        or default_params(alert.rule)["window_days"]
    )
    last = alert.raised_on
    first = last - timedelta(days=window_days - 1)
    qs = MedicalSettlement.objects.filter(id_number=alert.person.id_number)
    if whole_window:
        qs = qs.filter(settle_date__gte=first, settle_date__lte=last)
    else:
        qs = qs.filter(pk__in=listed)
    qs = (
        qs.select_related("batch")
        .only(
            *("id", "settle_date", "settlement_id", "institution", "visit_type", "total_cost", "self_paid"),
            *("batch__id", "batch__file_name", "batch__finished_at"),
        )
        .order_by("-settle_date", "-id")
    )
    rows = [
        SettlementRow(
            settle_date=s.settle_date,
            # Free text from a department: an ID number in it is masked like any other.
            settlement_id=mask_ids(s.settlement_id),
            institution=mask_ids(s.institution),
            visit_type=s.get_visit_type_display(),
            total_cost=s.total_cost,
            self_paid=s.self_paid,
            batch_id=s.batch_id,
            batch_file_name=mask_ids(s.batch.file_name),
            batch_loaded_at=s.batch.finished_at,
            record_url=_record_url(user, "medicalsettlement", s.pk),
            batch_url=_batch_url(user, s.batch_id),
        )
        for s in qs
    ]
    try:
        stored_total = Decimal(str(values["self_paid_total"]))
    except (KeyError, ArithmeticError, ValueError):
        stored_total = None
    return SelfPaySettlements(
        rows=rows,
        self_paid_total=sum((r.self_paid for r in rows), Decimal("0")),
        total_cost=sum((r.total_cost for r in rows), Decimal("0")),
        stored_total=stored_total,
        window_days=window_days,
        window_first=first,
        window_last=last,
        whole_window=whole_window,
    )


def history(alert: Alert) -> list[AlertEvent]:
    return list(alert.events.select_related("actor").order_by("at", "id"))


def household_members(household: Household) -> QuerySet[Person]:
    return household.members.select_related("monitoring").order_by("relation", "birth_date")


def household_alerts(*, user, household: Household) -> QuerySet[Alert]:
    return (
        scope_queryset(Alert.objects.filter(household=household), user)
        .select_related("person", "assignee")
        .order_by("-raised_on", "-id")
    )


def household_visits(*, user, household: Household) -> QuerySet[HomeVisit]:
    return (
        scope_queryset(HomeVisit.objects.filter(household=household), user, "alert__region__code")
        .select_related("alert", "recorded_by")
        .order_by("-visited_on", "-id")
    )


def household_monitoring_changes(*, household: Household) -> QuerySet[MonitoringRecordHistory]:
    """Every change of the household members' monitoring records, newest first."""
    return (
        MonitoringRecordHistory.objects.filter(record__household=household)
        .select_related("record__person")
        .order_by("-changed_at", "-id")
    )


def alert_detail(*, user, alert: Alert) -> dict:
    """Everything the detail page shows about an alert already fetched in scope."""
    household = alert.household
    other_alerts = household_alerts(user=user, household=household).exclude(pk=alert.pk)[:20]
    return {
        "alert": alert,
        "is_overdue": alert.is_overdue,
        "evidence": evidence_for(alert, user),
        "self_pay": self_pay_settlements(user=user, alert=alert),
        "events": history(alert),
        "members": household_members(household),
        "other_alerts": other_alerts,
        "visits": household_visits(user=user, household=household)[:20],
    }


# --- choices for the inbox filters and assignment forms ---


def region_choices(*, user, selected: str = "") -> list[Region]:
    """Regions a user may filter by: down two levels below their scope, plus the selected region's
    children (so villages are reachable from a county or city scope without listing thousands)."""
    prefix = user_prefix(user)
    if prefix is None:
        return []
    scope_len = len(prefix)
    # city prefix "1309" → counties (6) and towns (9); county → towns, villages; town → villages
    lengths = {4: (6, 9), 6: (9, 12), 9: (12,), 12: ()}.get(scope_len, (6, 9))
    qs = Region.objects.filter(code__startswith=prefix).annotate(n=Length("code"))
    regions = list(qs.filter(n__in=lengths).order_by("code"))
    if selected and len(selected) > 6 and selected.startswith(prefix):
        known = {r.code for r in regions}
        regions += [r for r in qs.filter(parent_id=selected).order_by("code") if r.code not in known]
        regions.sort(key=lambda r: r.code)
    return regions


def region_in_user_scope(*, user, code: str) -> bool:
    return (
        region_in_scope(user, code)
        and Region.objects.filter(code=code).exclude(level=RegionLevel.CITY).exists()
    )


def assignee_choices(*, user) -> QuerySet[User]:
    """Caseworkers a user may filter by: those whose scope lies inside the user's own scope."""
    prefix = user_prefix(user)
    if prefix is None:
        return User.objects.none()
    return (
        User.objects.filter(role=Role.CASEWORKER, is_active=True, scope__code__startswith=prefix)
        .select_related("scope")
        .order_by("scope__code", "username")
    )


def _common_prefix(codes: list[str]) -> str:
    """The longest code prefix all of `codes` share (that of the smallest and the largest)."""
    first, last = min(codes), max(codes)
    n = 0
    while n < min(len(first), len(last)) and first[n] == last[n]:
        n += 1
    return first[:n]


def assignable_users(*, region_codes: Iterable[str]) -> QuerySet[User]:
    """Active caseworkers whose scope covers every one of `region_codes` (they could see and
    handle alerts of each): scopes that are a prefix of them all, the city's included."""
    codes = list(region_codes)
    if not codes:
        return User.objects.none()
    common = _common_prefix(codes)
    scopes = {common[:n] for n in (6, 9, 12) if n <= len(common)}
    if len(common) >= 4:
        scopes.add(common[:4] + "00")  # the city (its scope prefix is the first four digits)
    return (
        User.objects.filter(is_active=True, role=Role.CASEWORKER, scope__code__in=scopes)
        .select_related("scope")
        .order_by("scope__code", "username")
    )


def bulk_assignee_choices(*, user, alert_ids: Iterable[int]) -> QuerySet[User]:
    """Caseworkers a bulk assignment of `alert_ids` may go to: inside the user's own scope, and
    able to see every ticked open alert of that scope (closed ones do not change)."""
    prefix = user_prefix(user)
    if prefix is None:
        return User.objects.none()
    regions = set(
        scope_queryset(Alert.objects.filter(pk__in=list(alert_ids), status__in=OPEN_STATUSES), user)
        .values_list("region_id", flat=True)
        .distinct()
    )
    return assignable_users(region_codes=regions).filter(scope__code__startswith=prefix)
