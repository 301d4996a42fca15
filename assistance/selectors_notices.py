"""Reads behind the 公示 pages: villages with applications waiting for a notice, published notices,
one notice with its lines and objections, and the standing list of a village's 低保 households.
Every read takes the user and keeps to their region."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet

from assistance.models import (
    Application,
    ApplicationStatus,
    Grant,
    GrantStatus,
    Notice,
    NoticeEntry,
    Objection,
    ObjectionStatus,
    StepCode,
)
from households import clock
from households.models import Person, Region, RegionLevel, Relation
from households.pagination import page_before
from households.scoping import get_in_scope_or_404, scope_queryset

PAGE_SIZE = 30


def not_yet_noticed(qs: QuerySet) -> QuerySet:
    """Applications of `qs` that no notice lists since their current step opened. A line whose
    objection was upheld does not count: that application was sent back and is noticed again, even
    when it comes back to 公示 on the day the old notice started."""
    listed = NoticeEntry.objects.filter(
        application=OuterRef("pk"), notice__starts_on__gte=OuterRef("current_step__opened_on")
    ).exclude(objections__status=ObjectionStatus.UPHELD)
    return qs.filter(~Exists(listed))


def waiting_at_notice(user) -> QuerySet:
    """Applications in the user's region at the 公示 step that no notice lists yet."""
    qs = scope_queryset(Application.objects.all(), user, "region__code").filter(
        status=ApplicationStatus.IN_PROGRESS, current_step_code=StepCode.NOTICE
    )
    return not_yet_noticed(qs)


@dataclass
class WaitingVillage:
    code: str
    name: str
    town: str
    count: int
    can_publish: bool = False  # set by the page: the user may publish for it


def villages_waiting(user) -> list[WaitingVillage]:
    """Each village of the user's region with applications waiting for a notice, and how many."""
    rows = (
        waiting_at_notice(user)
        .values("region_id", "region__name", "region__parent__name")
        .annotate(n=Count("id"))
        .order_by("region_id")
    )
    return [
        WaitingVillage(r["region_id"], r["region__name"], r["region__parent__name"] or "", r["n"])
        for r in rows
    ]


def notices_in_scope(user) -> QuerySet:
    return scope_queryset(Notice.objects.all(), user, "village__code")


def notice_page(user, before: str = "") -> tuple[list[Notice], int | None]:
    """Published notices of the user's region, newest first (keyset by id), each with its number of
    lines and of objections still pending."""
    qs = (
        notices_in_scope(user)
        .select_related("village", "village__parent")
        .annotate(
            entry_count=Count("entries", distinct=True),
            pending_objections=Count(
                "entries__objections",
                filter=Q(entries__objections__status=ObjectionStatus.PENDING),
                distinct=True,
            ),
        )
        .order_by("-id")
    )
    return page_before(qs, before, PAGE_SIZE)


def notice_get(user, pk: int) -> Notice:
    """One notice of the user's region (another region's is a 404), its lines with their
    applications and objections."""
    objections = Objection.objects.select_related("recorded_by", "decided_by").order_by("received_on", "id")
    entries = NoticeEntry.objects.select_related(
        "application", "application__current_step", "application__program"
    ).prefetch_related(Prefetch("objections", queryset=objections))
    return get_in_scope_or_404(
        Notice.objects.select_related("village", "village__parent", "published_by").prefetch_related(
            Prefetch("entries", queryset=entries.order_by("id"))
        ),
        user,
        region_path="village__code",
        pk=pk,
    )


def period_state(notice: Notice, today: date | None = None) -> str:
    """ "upcoming", "running" (公示中) or "ended" (已期满) on `today`."""
    today = today or clock.today()
    if notice.starts_on > today:
        return "upcoming"
    return "running" if notice.ends_on >= today else "ended"


def village_get(user, code: str) -> Region:
    """A village (or community) in the user's region; anything else is a 404."""
    return get_in_scope_or_404(
        Region.objects.select_related("parent"),
        user,
        region_path="code",
        code=code,
        level=RegionLevel.VILLAGE,
    )


def standing_villages(user) -> list[dict]:
    """Villages of the user's region with active 低保 grants, and how many (for choosing one)."""
    return list(
        _active_dibao(user)
        .values("region_id", "region__name", "region__parent__name")
        .annotate(n=Count("id"))
        .order_by("region_id")
    )


def _active_dibao(user) -> QuerySet:
    return scope_queryset(Grant.objects.all(), user, "region__code").filter(
        status=GrantStatus.ACTIVE, program__category="dibao"
    )


def standing_list(user, village: Region) -> list[Grant]:
    """The village's households receiving 低保 now, each with `head` (the household head, else the
    applicant): the grant's people covered, monthly amount and first month."""
    heads = Person.objects.filter(relation=Relation.HEAD).order_by("id")
    grants = list(
        _active_dibao(user)
        .filter(region=village)
        .select_related("program", "household", "application__applicant")
        .prefetch_related(Prefetch("household__members", queryset=heads, to_attr="heads"))
        .order_by("start_month", "id")
    )
    for grant in grants:
        grant.head = grant.household.heads[0] if grant.household.heads else grant.application.applicant
    return grants
