"""Reads for the "my work" home page: per role, the few counts of what waits on the user, each
linking to the list filtered to show exactly those items.

Every count starts from the user's scope (`scope_queryset`) and runs on an indexed filter (the
columns of a partial index of open rows), and stops at the cap of the list it links to, so the
home page of a city-wide supervisor never counts a whole table.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from urllib.parse import urlencode

from django.db.models import QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from alerts.models import OPEN_STATUSES, Alert
from alerts.selectors import inbox
from alerts.selectors.dashboard import feed_health
from assistance import list_selectors
from assistance.models import (
    Application,
    ApplicationStatus,
    FollowUp,
    FollowUpStatus,
    PaymentLine,
    PaymentRoll,
    Review,
    ReviewStatus,
    RollStatus,
)
from assistance.selectors_exchanges import overdue_medical_lists
from assistance.services.common import is_county_user
from households import clock
from households.models import Role
from households.pagination import capped_label
from households.scoping import scope_queryset, user_prefix
from imports.models import BatchStatus, ImportBatch

CAP = 1000  # the lists' own count caps (alert inbox, application list)
RECENT_BATCH_DAYS = 7
# Batches worth a data admin's look: loaded nothing, or not finished yet.
BATCH_PROBLEMS = [
    (BatchStatus.FAILED, _("近7天导入失败的批次")),
    (BatchStatus.REJECTED, _("近7天被拒绝的文件")),
    (BatchStatus.RUNNING, _("正在导入的批次")),
    (BatchStatus.PENDING, _("排队等待导入的批次")),
]


@dataclass
class Figure:
    """One count and the list that shows its items; `url` is empty when that page is not installed."""

    key: str
    label: str
    count: int
    url: str = ""
    urgent: bool = False  # shown in red when not zero (overdue, failed)
    cap: int = CAP

    @property
    def shown(self) -> str:
        return capped_label(self.count, self.cap)


@dataclass
class Section:
    title: str
    figures: list[Figure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _url(name: str, **query) -> str:
    """The list's URL with its filters; "" when the page belongs to a part not installed yet."""
    try:
        url = reverse(name)
    except NoReverseMatch:
        return ""
    return f"{url}?{urlencode(query)}" if query else url


def _count(qs: QuerySet, cap: int = CAP) -> int:
    """At most cap + 1: the list shows "1,000+" past its cap, and so does this page."""
    return qs.order_by().values("id")[: cap + 1].count()


def _alerts(user, today: date, *, mine: bool) -> list[Figure]:
    qs = scope_queryset(Alert.objects.filter(status__in=OPEN_STATUSES), user)
    who = {"assignee": "mine"} if mine else {}
    if mine:
        qs = qs.filter(assignee=user)
    figures = [
        Figure(
            "alerts_overdue",
            _("逾期未办结的预警"),
            _count(qs.filter(deadline__lt=today)),
            _url("alerts:inbox", **who, overdue="on"),
            urgent=True,
        )
    ]
    if mine:
        soon = qs.filter(deadline__gte=today, deadline__lte=today + timedelta(days=inbox.DUE_SOON_DAYS))
        figures.append(
            Figure(
                "alerts_due_soon",
                _("3天内到期的预警"),
                _count(soon),
                _url("alerts:inbox", **who, due_soon="on"),
            )
        )
    return figures


def _followups(user, today: date) -> list[Figure]:
    qs = scope_queryset(FollowUp.objects.filter(status=FollowUpStatus.OPEN, assigned_to=user), user)
    return [
        Figure("followups_open", _("待回访"), _count(qs), _url("assistance:followup_list", mine=1)),
        Figure(
            "followups_overdue",
            _("逾期未回访"),
            _count(qs.filter(due_on__lt=today)),
            _url("assistance:followup_list", mine=1, overdue=1),
            urgent=True,
        ),
    ]


def _reviews(user) -> Figure:
    qs = scope_queryset(Review.objects.filter(status=ReviewStatus.OPEN, assigned_to=user), user)
    return Figure("reviews_open", _("待复核"), _count(qs), _url("assistance:review_list", mine=1))


def _applications(user, level: str, label) -> list[Figure]:
    qs = scope_queryset(Application.objects.filter(status=ApplicationStatus.IN_PROGRESS), user)
    qs = qs.filter(list_selectors.level_filter(level))
    return [
        Figure(f"applications_{level}", label, _count(qs), _url("assistance:application_list", level=level)),
    ]


def _overdue_applications(user, today: date) -> Figure:
    qs = scope_queryset(
        Application.objects.filter(status=ApplicationStatus.IN_PROGRESS, current_due_on__lt=today), user
    )
    return Figure(
        "applications_overdue",
        _("逾期未办结的申请步骤"),
        _count(qs),
        _url("assistance:application_list", overdue="on"),
        urgent=True,
    )


def caseworker_sections(user, today: date) -> list[Section]:
    """A caseworker: their alerts overdue and due soon, their follow-ups and reviews, and the
    applications of their area whose current step is the town's to do."""
    town = list_selectors.LEVEL_TOWN
    return [
        Section(_("预警"), _alerts(user, today, mine=True)),
        Section(_("回访与复核"), [*_followups(user, today), _reviews(user)]),
        Section(_("救助申请"), _applications(user, town, _("待乡镇（街道）办理的申请步骤"))),
    ]


def supervisor_sections(user, today: date) -> list[Section]:
    """A supervisor: the steps waiting on their decision (county-level steps for a county or city
    supervisor), what is overdue under them, their counties' draft rolls and unpaid lines."""
    if is_county_user(user):
        waiting = _applications(user, list_selectors.LEVEL_COUNTY, _("待县级审核确认的申请"))
    else:
        waiting = _applications(user, list_selectors.LEVEL_TOWN, _("待乡镇（街道）办理的申请步骤"))
    rolls = scope_queryset(PaymentRoll.objects.filter(status=RollStatus.DRAFT), user, "county__code")
    failures = scope_queryset(
        PaymentLine.objects.awaiting_payment_again(),
        user,
    )
    return [
        Section(_("待我审批"), waiting),
        Section(_("辖区逾期事项"), [*_alerts(user, today, mine=False), _overdue_applications(user, today)]),
        Section(
            _("资金发放"),
            [
                Figure("rolls_draft", _("待审核锁定的花名册"), _count(rolls), _url("assistance:roll_list")),
                Figure(
                    "payment_failures",
                    _("发放失败未补发的明细"),
                    _count(failures),
                    _url("assistance:payment_failures"),
                    urgent=True,
                ),
            ],
        ),
    ]


def _recent_batches(today: date) -> list[Figure]:
    since = clock.at(today - timedelta(days=RECENT_BATCH_DAYS))
    recent = ImportBatch.objects.filter(created_at__gte=since)
    return [
        Figure(
            f"batches_{status}",
            label,
            _count(recent.filter(status=status)),
            _url("imports:batch_list", status=status),
            urgent=status in (BatchStatus.FAILED, BatchStatus.REJECTED),
        )
        for status, label in BATCH_PROBLEMS
    ]


def data_admin_sections(user, today: date) -> list[Section]:
    """A data admin: recent uploads that failed, were refused or still run; feeds with no file
    loaded this month (the dashboard's feed health); monthly lists to medical insurance overdue."""
    month_start = today.replace(day=1)
    missing = [
        row for row in feed_health(user=user, today=today) if not row.last_date or row.last_date < month_start
    ]
    overdue = overdue_medical_lists(user=user, today=today)
    feeds = Section(_("数据报送"), _recent_batches(today))
    feeds.figures.append(
        Figure(
            "feeds_missing",
            _("本月尚无数据的类别"),
            len(missing),
            f"{_url('alerts:dashboard')}#table-feeds" if _url("alerts:dashboard") else "",
        )
    )
    feeds.notes = [str(row.label) for row in missing]
    exchanges = Section(
        _("数据交换"),
        [
            Figure(
                "medical_lists_overdue",
                _("逾期未报送的医保名单"),
                len(overdue),
                _url("assistance:medical_list_list"),
                urgent=True,
            )
        ],
    )
    exchanges.notes = [
        _("%(region)s %(month)s 的名单") % {"region": region.name, "month": f"{period:%Y-%m}"}
        for region, period in ((o.region, o.period) for o in overdue)
    ]
    return [feeds, exchanges]


def my_work(*, user, today: date | None = None) -> list[Section]:
    """The sections of the user's home page; none for a system admin (their menu is their work)
    or a user without a scope (who sees nothing)."""
    today = today or clock.today()
    if user_prefix(user) is None:
        return []
    if user.role == Role.CASEWORKER:
        return caseworker_sections(user, today)
    if user.role == Role.SUPERVISOR:
        return supervisor_sections(user, today)
    if user.role == Role.DATA_ADMIN:
        return data_admin_sections(user, today)
    return []
