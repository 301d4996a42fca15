"""A year of activity for the demo, lived through in order with the clock set to each moment.

Everything goes through the real services (imports, the monitoring run, triage, assistance), so the
demo shows what the system itself produces, and every timestamp is the moment it happened
(households.clock simulated): the departments' monthly files are imported when they arrive, the
monitoring run runs at 02:00, caseworkers handle their alerts during working hours in the days
after, and applications go through their approval steps (assistance.demo_cases). Whatever would
happen after the real now has not happened yet: the year ends where the clock stands.
"""

import heapq
import itertools
import random
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from django.core.management import call_command
from django.db.models import Count, Sum
from django.utils import timezone

from alerts.models import Alert, AlertStatus, Outcome, RuleVersion
from alerts.services import triage
from alerts.services.run import run_begin, run_county, run_finish
from assistance.demo_cases import Casework
from assistance.demo_feeds import DemoFile, write_demo_feeds
from households import clock
from households.models import User
from imports import services as imports
from imports.models import FeedCategory, ImportBatch

# How caseworkers closed the alerts of the past year (outcome, weight).
OUTCOME_WEIGHTS = [
    (Outcome.ENROL_DIBAO, 14),
    (Outcome.ENROL_TEKUN, 3),
    (Outcome.TEMPORARY_ASSISTANCE, 18),
    (Outcome.ENROL_EDGE_MONITORING, 8),
    (Outcome.REFER_MEDICAL, 16),
    (Outcome.REFER_DISABILITY, 6),
    (Outcome.REFER_EMPLOYMENT, 7),
    (Outcome.ALREADY_COVERED, 15),
    (Outcome.NOT_ELIGIBLE, 10),
    (Outcome.DATA_ERROR, 3),
]
FINDINGS = [
    "户主住院治疗，家中仅老人照看孩子，医疗费用负担重。",
    "家庭主要劳动力失业，暂无稳定收入，靠亲友接济。",
    "家中有重度残疾人需长期照护，收入来源单一。",
    "经入户了解，家庭收入稳定，生活基本有保障。",
]
DATA_ADMIN = "shuju"
RUN_HOUR = 2
# The data admin starts a file's load a few minutes after it arrives.
LOAD_AFTER = timedelta(minutes=4)
# Each county of a night's run takes a few seconds; the run then assigns its alerts.
COUNTY_SECONDS = timedelta(seconds=3)


@dataclass(frozen=True)
class DemoYear:
    """The simulated year: it opens (accounts, roster) at 08:00 on `first_day` and ends at `until`,
    the real now."""

    first_day: date
    until: datetime

    @classmethod
    def ending_now(cls) -> "DemoYear":
        until = clock.now()
        return cls(first_day=clock.today() - timedelta(days=365), until=until)

    @property
    def opening(self) -> datetime:
        return clock.at(self.first_day, 8)


def import_demo_file(*, category: str, path: Path, stdout) -> None:
    """Load one department file as the demo's data admin (shuju) would, printing the batch summary."""
    call_command("import_feed", category, str(path), user=DATA_ADMIN, stdout=stdout)


def working_moment(day: date, hour: int, minutes: int) -> datetime:
    """`minutes` after hour:00 on `day`, or on the Monday after when `day` is a weekend day."""
    while day.isoweekday() > 5:
        day += timedelta(days=1)
    return clock.at(day, hour) + timedelta(minutes=minutes)


@dataclass(order=True)
class _Event:
    at: datetime
    seq: int
    kind: str = field(compare=False)
    payload: object = field(compare=False)


@dataclass
class _Tally:
    imported: int = 0
    runs: int = 0
    raised: int = 0
    closed: int = 0


class _Year:
    """The simulation: a queue of what happens when, worked through in time order."""

    def __init__(self, year: DemoYear, seed: int, stdout):
        self.year, self.stdout = year, stdout
        self.rng = random.Random(seed)
        self.queue: list[_Event] = []
        self.seq = itertools.count()
        self.tally: dict[date, _Tally] = {}
        self.admin = User.objects.get(username=DATA_ADMIN)
        self.casework = Casework(
            schedule=self.at, seed=seed, first_day=year.first_day, last_day=timezone.localdate(year.until)
        )

    def at(self, moment: datetime, kind: str, payload=None) -> None:
        heapq.heappush(self.queue, _Event(moment, next(self.seq), kind, payload))

    def month(self) -> _Tally:
        return self.tally.setdefault(clock.today().replace(day=1), _Tally())

    def live(self) -> None:
        with clock.simulated(self.year.opening) as simulation:
            self.simulation = simulation
            while self.queue and self.queue[0].at <= self.year.until:
                event = heapq.heappop(self.queue)
                simulation.move_to(event.at)
                getattr(self, f"_{event.kind}")(event.payload)
        for month, t in sorted(self.tally.items()):
            self.stdout.write(
                f"  {month:%Y-%m}：导入文件 {t.imported} 个，监测运行 {t.runs} 次，"
                f"新增预警 {t.raised} 条，办结 {t.closed} 条"
            )

    # --- what happens ---

    def _file(self, demo_file: DemoFile) -> None:
        with demo_file.path.open("rb") as fileobj:
            batch = imports.batch_submit(
                category=demo_file.category,
                fileobj=fileobj,
                file_name=demo_file.path.name,
                user=self.admin,
                start=False,
            ).batch
        self.at(clock.now() + LOAD_AFTER, "load", batch.pk)

    def _load(self, batch_id: int) -> None:
        imports.batch_load(batch_id=batch_id)
        self.month().imported += 1

    def _run(self, day: date) -> None:
        run = run_begin(as_of=day)
        for county in run.counts["county_list"]:
            self.simulation.advance(COUNTY_SECONDS)
            run_county(run_id=run.id, county=county)
        self.simulation.advance(COUNTY_SECONDS)
        run = run_finish(run_id=run.id)
        new = Alert.objects.filter(run=run, status=AlertStatus.ASSIGNED).order_by("id")
        self.month().runs += 1
        self.month().raised += Alert.objects.filter(run=run).count()
        for alert_id in new.values_list("id", flat=True):
            self._plan(alert_id)

    def _plan(self, alert_id: int) -> None:
        """When the assignee will start verifying, visit and close: mostly within days, now and then
        weeks later (those alerts run overdue); every alert gets done in the end."""
        rng = self.rng

        def days(quick: int, late: tuple[int, int], p_late: float) -> timedelta:
            return timedelta(days=rng.randint(*late) if rng.random() < p_late else rng.randint(0, quick))

        start = working_moment(clock.today() + days(4, (12, 30), 0.2), 8, rng.randint(30, 180))
        visit = working_moment(start.date() + days(5, (7, 20), 0.1), 14, rng.randint(0, 90))
        close = working_moment(visit.date() + days(6, (7, 20), 0.1), 16, rng.randint(0, 90))
        for moment, step in ((start, "start"), (visit, "visit"), (close, "close")):
            self.at(moment, step, alert_id)

    def _alert(self, alert_id: int) -> Alert:
        return Alert.objects.select_related("assignee").get(pk=alert_id)

    def _start(self, alert_id: int) -> None:
        alert = self._alert(alert_id)
        triage.alert_start_verification(
            actor=alert.assignee, alert_id=alert.pk, lock_version=alert.lock_version
        )

    def _visit(self, alert_id: int) -> None:
        alert = self._alert(alert_id)
        actor = alert.assignee
        triage.alert_record_visit(
            actor=actor,
            alert_id=alert.pk,
            lock_version=alert.lock_version,
            visited_on=clock.today(),
            visitors=f"{actor.first_name or actor.username}、村网格员",
            findings=self.rng.choice(FINDINGS),
            household_situation="家庭成员身体状况、收入与支出情况已逐项核实并记录。",
        )

    def _close(self, alert_id: int) -> None:
        alert = self._alert(alert_id)
        outcomes, weights = zip(*OUTCOME_WEIGHTS, strict=True)
        triage.alert_close(
            actor=alert.assignee,
            alert_id=alert.pk,
            lock_version=alert.lock_version,
            outcome=self.rng.choices(outcomes, weights=weights)[0],
            note="已入户核查并按规定办理。",
        )
        self.month().closed += 1
        self.casework.alert_closed(alert_id)

    # The applications' casework (assistance.demo_cases).

    def _care_standards(self, _payload) -> None:
        self.casework.care_standards()

    def _story(self, story) -> None:
        self.casework.begin(story)

    def _case(self, plan) -> None:
        self.casework.advance(plan)

    def _referral_answered(self, payload) -> None:
        self.casework.referral_answered(payload)


def run_nights(year: DemoYear, arrivals: list[datetime]) -> list[date]:
    """The nights the demo runs the monitoring: the night after each file arrived, and every night
    of the year's last fortnight. (Production runs every night; the nights in between would find
    nothing new and only make the demo slower to build.)"""
    nights = {timezone.localdate(moment) + timedelta(days=1) for moment in arrivals}
    last = timezone.localdate(year.until)
    nights.update(last - timedelta(days=back) for back in range(14))
    return sorted(n for n in nights if clock.at(n, RUN_HOUR) <= year.until)


def build_demo_history(*, year: DemoYear, stdout, seed: int = 2025) -> None:
    """Live through the demo's year: monthly department files, nightly runs, caseworkers' work."""
    if ImportBatch.objects.exclude(category=FeedCategory.ROSTER).exists():
        stdout.write("已有导入批次，跳过演示业务数据生成。")
        return
    stdout.write(
        "生成演示业务数据（按时间顺序模拟一年：部门文件按月到达、每晚 02:00 监测运行、经办人办理）："
    )
    # The default rule versions were in force before the demo's year begins (the migration that
    # seeded them ran just now).
    RuleVersion.objects.filter(created_by=None, created_at__gt=year.opening).update(created_at=year.opening)
    simulation = _Year(year, seed, stdout)
    with tempfile.TemporaryDirectory() as folder:
        files = write_demo_feeds(Path(folder), first_day=year.first_day, until=year.until, seed=seed)
        for demo_file in files:
            simulation.at(demo_file.arrives, "file", demo_file)
        for night in run_nights(year, [f.arrives for f in files]):
            simulation.at(clock.at(night, RUN_HOUR), "run", night)
        simulation.casework.start(year.opening)
        simulation.live()
    for category, label in FeedCategory.choices:
        files = ImportBatch.objects.filter(category=category).exclude(category=FeedCategory.ROSTER)
        totals = files.aggregate(n=Count("id"), rows=Sum("data_rows"), rejected=Sum("rejected"))
        if totals["n"]:
            stdout.write(
                f"  {label}：{totals['n']} 个文件，数据行 {totals['rows']}，拒绝 {totals['rejected']}"
            )
    counts = Counter(Alert.objects.values_list("status", flat=True))
    stdout.write("  预警合计 " + "，".join(f"{AlertStatus(s).label} {n}" for s, n in sorted(counts.items())))
    for line in simulation.casework.summary():
        stdout.write(line)
