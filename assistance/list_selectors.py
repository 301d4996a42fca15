"""Reads for the application and referral lists: rows of the user's scope, filtered, newest first,
keyset-paginated (`households.pagination`), with counts that stop at `COUNT_CAP` + 1 rows.

Every query starts from `scope_queryset` on `region__code` (the application's own region column, a
prefix match the `application_region_id` index answers), so a filter can only narrow the user's
region. A head-name search is resolved to at most `MAX_NAME_MATCHES` households first, so a common
surname never turns the list into a scan of every application.
"""

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from assistance.models import (
    Application,
    ApplicationStatus,
    ApprovalStep,
    Channel,
    Referral,
    StepCode,
    StepLevel,
)
from households import clock
from households.models import Person, Relation
from households.pagination import capped_count, page_before
from households.scoping import get_in_scope_or_404, scope_queryset

PAGE_SIZE = 50
COUNT_CAP = 1000
MAX_NAME_MATCHES = 1000

STATUS_ALL = "all"
REFERRALS_OPEN = "open"
REFERRALS_ANSWERED = "answered"


@dataclass(frozen=True)
class ApplicationFilters:
    """What the user asked for; every field optional (status defaults to 办理中)."""

    program: int | None = None
    step: str = ""
    overdue: bool = False
    channel: str = ""
    status: str = ApplicationStatus.IN_PROGRESS
    staff_relative: bool = False
    head_name: str = ""
    level: str = ""  # LEVEL_TOWN or LEVEL_COUNTY: who decides the current step


# The level filter: a town-level current step, or one decided above the town (county steps, the
# committee's, and a 临时救助 confirmation whose amount exceeds the town's limit: `step_level`).
LEVEL_TOWN = "town"
LEVEL_COUNTY = "county"
_ABOVE_TOWN = Q(handling_level__in=[StepLevel.COUNTY, StepLevel.COMMITTEE]) | Q(
    current_step_code=StepCode.CONFIRM, computation__approval_level=StepLevel.COUNTY
)


def level_filter(level: str) -> Q | None:
    """The open applications whose current step is decided at `level` (None: any level)."""
    if level == LEVEL_COUNTY:
        return Q(status=ApplicationStatus.IN_PROGRESS) & _ABOVE_TOWN
    if level == LEVEL_TOWN:
        return Q(status=ApplicationStatus.IN_PROGRESS, handling_level=StepLevel.TOWN) & ~_ABOVE_TOWN
    return None


@dataclass
class ListPage:
    rows: list
    next_before: int | None
    count: str  # "12" or "1,000+"
    note: str = ""


def _households_headed_by(user, name: str) -> tuple[list[int], bool]:
    """Households of the user's scope whose head's name starts with `name` (at most
    MAX_NAME_MATCHES), and whether there were more."""
    heads = scope_queryset(
        Person.objects.filter(relation=Relation.HEAD, name__startswith=name), user, "household__region__code"
    )
    ids = list(heads.values_list("household_id", flat=True)[: MAX_NAME_MATCHES + 1])
    return ids[:MAX_NAME_MATCHES], len(ids) > MAX_NAME_MATCHES


def application_queryset(*, user, filters: ApplicationFilters) -> tuple[QuerySet[Application], str]:
    """The filtered applications of the user's scope (unordered) and a note for the search."""
    qs = scope_queryset(Application.objects.all(), user)
    if filters.status in ApplicationStatus.values:
        qs = qs.filter(status=filters.status)
    if filters.overdue:
        # only open applications have a running step; the partial index covers exactly these
        qs = qs.filter(status=ApplicationStatus.IN_PROGRESS, current_due_on__lt=clock.today())
    if filters.program:
        qs = qs.filter(program_id=filters.program)
    if filters.step:
        qs = qs.filter(current_step_code=filters.step)
    if filters.channel:
        qs = qs.filter(channel=filters.channel)
    if filters.staff_relative:
        qs = qs.filter(staff_relative=True)
    if (by_level := level_filter(filters.level)) is not None:
        qs = qs.filter(by_level)
    note = ""
    if filters.head_name:
        household_ids, too_many = _households_headed_by(user, filters.head_name)
        qs = qs.filter(household_id__in=household_ids)
        if too_many:
            note = _(
                "户主姓名以“%(value)s”开头的家庭超过%(n)s户，只显示其中部分家庭的申请；请输入更完整的姓名。"
            ) % {
                "value": filters.head_name,
                "n": f"{MAX_NAME_MATCHES:,}",
            }
    return qs, note


def application_page(*, user, filters: ApplicationFilters, before: str = "") -> ListPage:
    """One page of the list, newest first, with what each row shows already joined: the
    programme, the current step, the region, and the household head (name and masked ID)."""
    qs, note = application_queryset(user=user, filters=filters)
    rows, next_before = page_before(
        qs.select_related("program", "region", "current_step", "household").order_by("-id"),
        before,
        PAGE_SIZE,
    )
    heads = {
        p.household_id: p
        for p in Person.objects.filter(
            household_id__in={a.household_id for a in rows}, relation=Relation.HEAD
        )
    }
    today = clock.today()
    for application in rows:
        application.head = heads.get(application.household_id)
        application.overdue_days = application.days_overdue(today)
    return ListPage(rows=rows, next_before=next_before, count=capped_count(qs, COUNT_CAP), note=note)


def step_choices() -> list[tuple[str, str]]:
    """The step codes the programmes' templates use, with a name for each (first one wins)."""
    seen: dict[str, str] = {}
    for code, name in ApprovalStep.objects.order_by("program_id", "order").values_list("code", "name"):
        seen.setdefault(code, name)
    return list(seen.items())


def intake_channels() -> list[tuple[str, str]]:
    """The channels a person registers by hand (预警转办 comes from the alert pages only)."""
    return [(value, label) for value, label in Channel.choices if value != Channel.ALERT]


def referral_page(*, user, status: str = REFERRALS_OPEN, before: str = "") -> ListPage:
    """Referrals of the user's scope, newest first: the unanswered ones (the default tab), the
    answered ones, or all; each row knows whether its answer is overdue."""
    qs = scope_queryset(Referral.objects.all(), user)
    if status == REFERRALS_OPEN:
        qs = qs.filter(answered_on__isnull=True)
    elif status == REFERRALS_ANSWERED:
        qs = qs.filter(answered_on__isnull=False)
    rows, next_before = page_before(
        qs.select_related("household", "person", "region").order_by("-id"), before, PAGE_SIZE
    )
    today = clock.today()
    for referral in rows:
        referral.overdue_days = max((today - referral.due_on).days, 0) if referral.answered_on is None else 0
    return ListPage(rows=rows, next_before=next_before, count=capped_count(qs, COUNT_CAP))


def referral_get(*, user, pk: int) -> Referral:
    """One referral of the user's scope, or 404 (out of scope looks exactly like missing)."""
    return get_in_scope_or_404(Referral.objects.select_related("household", "person"), user, pk=pk)
