"""The small world the role × URL matrix runs in: one persona per role, and every kind of object a
URL can point at, once inside the regional personas' region ("in": a village of 旧州镇, 沧县) and,
where the object has a region, once outside it ("out": a village of 河间市).
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings

from alerts.models import AlertEvent, AlertStatus, MonitoringRun, Responsibility, RuleProposal, RuleVersion
from alerts.services.rules import current_rule_versions, ensure_default_rule_versions
from assistance.models import ApprovalStep, Program, Standard
from households import clock
from households.models import CalendarDay, CalendarDayKind, Role, User
from households.readlog.models import ReadLogEntry
from imports.models import (
    Diagnosis,
    DisabilityCertificate,
    FeedCategory,
    FeedRecordChange,
    MedicalSettlement,
    NameMismatch,
    RosterEntry,
    UnemploymentRegistration,
)
from tests.alerts.triage_factories import alert_in, visit_for
from tests.conftest import OTHER_COUNTY_VILLAGE, TOWN_A, VILLAGE_A
from tests.factories import UserFactory, make_id_number, region
from tests.imports.factories import BatchFactory, RejectedRowFactory

# Role letters used by the expectation tables.
ROLES = {
    "S": "system_admin",
    "D": "data_admin",
    "C": "city_supervisor",
    "K": "county_supervisor",
    "T": "town_caseworker",
    "V": "village_caseworker",
    "A": "anonymous",
}
OUT_TOWN = OTHER_COUNTY_VILLAGE[:9]


@dataclass
class Side:
    """The objects of one side ("in" or "out") of the regional line."""

    village: str
    household: object = None
    person: object = None
    new_alert: object = None  # unassigned: to claim
    assigned_alert: object = None  # assigned to the side's town caseworker: to assign, verify
    verifying_alert: object = None  # to record a visit, to close
    closed_alert: object = None  # to reopen
    event: object = None
    visit: object = None
    responsibility: object = None
    user: object = None  # an account whose scope is on this side
    proposal: object = None
    application: object = None  # 农村低保 at 申请受理 (town steps, amount, withdraw)
    application_confirm: object = None  # at 审核确认 (a county decision), 初审 by the town caseworker
    referral: object = None  # a single-window request referred elsewhere, not yet answered
    notice: object = None  # the village's notice, with one entry
    entry: object = None
    objection: object = None  # pending
    # issue 16: payment rolls
    paid_grant: object = None  # paid in both rolls; its recipient has `account`
    account: object = None
    locked_roll: object = None  # last month's roll of the side's county, locked
    draft_roll: object = None  # this month's, a draft
    # (end of payment rolls)
    # issue 16: bank return
    return_roll: object = None  # locked, one line the bank failed
    return_batch: object = None  # the bank's return file for it (an import batch)
    payment_return: object = None  # the feed record of that file's row
    # (end of bank return)
    # issue 16: reviews and exits
    grant: object = None  # an active 农村低保 grant of the village
    review: object = None  # its open scheduled review, due today
    # (end of reviews and exits)
    # issue 16: monthly list
    medical_list: object = None  # the city's list of last month (no region below the city)
    # (end of monthly list)
    # issue 16: follow-ups and my work
    followup: object = None  # open, of the side's visit, assigned to the side's town caseworker
    # (end of follow-ups and my work)


@dataclass
class World:
    personas: dict[str, User | None]
    sides: dict[str, Side] = field(default_factory=dict)
    batch: object = None
    rejected_row: object = None
    records: dict = field(default_factory=dict)  # model → one record
    rule_version: object = None
    run: object = None
    department: object = None


def make_personas() -> dict[str, User | None]:
    def user(username, role, code):
        return UserFactory(username=username, role=role, scope=region(code))

    return {
        "S": user("m_system_admin", Role.SYSTEM_ADMIN, "130900"),
        "D": user("m_data_admin", Role.DATA_ADMIN, "130900"),
        "C": user("m_city_supervisor", Role.SUPERVISOR, "130900"),
        "K": user("m_county_supervisor", Role.SUPERVISOR, "130921"),
        "T": user("m_town_caseworker", Role.CASEWORKER, TOWN_A),
        "V": user("m_village_caseworker", Role.CASEWORKER, VILLAGE_A),
        "A": None,
    }


def _side(village: str, caseworker: User, supervisor: User) -> Side:
    side = Side(village=village)
    today = clock.today()
    raised = today - timedelta(days=3)
    common = {"raised_on": raised, "deadline": raised + timedelta(days=15)}
    side.new_alert = alert_in(village, name="未分派者", **common)
    side.household, side.person = side.new_alert.household, side.new_alert.person
    side.assigned_alert = alert_in(village, status=AlertStatus.ASSIGNED, assignee=caseworker, **common)
    side.verifying_alert = alert_in(village, status=AlertStatus.VERIFYING, assignee=caseworker, **common)
    side.closed_alert = alert_in(
        village,
        status=AlertStatus.CLOSED,
        assignee=caseworker,
        outcome="data_error",
        close_note="数据有误",
        closed_at=clock.now(),
        **common,
    )
    side.event = AlertEvent.objects.create(
        alert=side.assigned_alert, actor=supervisor, action="assign", from_status="new", to_status="assigned"
    )
    side.visit = visit_for(side.verifying_alert, caseworker, visited_on=today)
    side.responsibility = Responsibility.objects.create(region=region(village), caseworker=caseworker)
    side.user = caseworker
    side.proposal = RuleProposal.objects.create(
        rule="high_medical_self_pay",
        params={"threshold_yuan": "8000.00", "window_days": 365, "cooldown_days": 365, "deadline_days": 15},
        note="阈值宜低",
        region=region(village[:6]),
        based_on=current_rule_versions()["high_medical_self_pay"],
        proposed_by=supervisor,
    )
    _assistance(side, caseworker)
    # issue 16: payment rolls
    from tests.config.url_world_rolls import payment_rolls

    payment_rolls(side, supervisor)
    # (end of payment rolls)
    # issue 16: bank return
    from tests.assistance.roll_factories import bank_return_world

    # the household of the side's 临时救助 application: no new people in the world
    side.return_roll, side.return_batch, side.payment_return = bank_return_world(
        side.application_confirm.household, caseworker, supervisor
    )
    # (end of bank return)
    # issue 16: reviews and exits
    _reviews(side, caseworker)
    # (end of reviews and exits)
    # issue 16: monthly list
    # The city's list of last month (city-wide: the same list on both sides; producing it again
    # for the second side gives the first one back).
    from assistance.services.exchanges import medical_list_produce
    from assistance.services.grants import previous_month

    side.medical_list = medical_list_produce(
        period=previous_month(today), region_code=settings.CITY_REGION_CODE
    )[0]
    # (end of monthly list)
    # issue 16: follow-ups and my work
    from assistance.models import FollowUp

    side.followup = FollowUp.objects.create(
        household=side.household,
        person=side.person,
        region=region(village),
        source="visit",
        visit=side.visit,
        due_on=today + timedelta(days=7),
        assigned_to=caseworker,
    )
    # (end of follow-ups and my work)
    return side


def _reviews(side: Side, caseworker: User) -> None:
    """An active grant of the side's village and its open review (issue 16: reviews and exits)."""
    from assistance.models import Review
    from tests.assistance.grant_factories import grant_for

    # The household of the side's application: no new people (the ID-leak crawl plants rows per
    # person in order, and the matrix's world stays the same size).
    household = side.application.household
    side.grant = grant_for(caseworker, household, start_month=clock.today().replace(day=1))
    side.review = Review.objects.create(
        grant=side.grant,
        household=side.grant.household,
        region_id=side.grant.household.region_id,
        reason="scheduled",
        due_on=clock.today(),
        assigned_to=caseworker,
    )


def _assistance(side: Side, caseworker: User) -> None:
    """Applications, a referral, a notice with an objection, in the side's village."""
    from assistance import services
    from assistance.models import ApplicationStep, Notice, NoticeEntry, Objection
    from tests.assistance.case_factories import application_at, family

    household = family(side.village)
    side.application = application_at("accept", household, caseworker)
    side.application_confirm = application_at("confirm", family(side.village), caseworker, "temp_expenditure")
    noticed = application_at("notice", family(side.village), caseworker)
    side.notice = Notice.objects.create(
        village=region(side.village),
        starts_on=clock.today(),
        ends_on=clock.today() + timedelta(days=6),
        published_by=caseworker,
    )
    side.entry = NoticeEntry.objects.create(
        notice=side.notice,
        application=noticed,
        head_display="王某",
        people_covered=3,
        proposed_amount=Decimal("500.00"),
        program_name=noticed.program.name,
    )
    side.objection = Objection.objects.create(
        entry=side.entry, received_on=clock.today(), content="家中有车", recorded_by=caseworker
    )
    side.referral = services.referral_create(
        actor=caseworker,
        household=household,
        person=household.members.first(),
        channel="single_window",
        request="申请残疾人两项补贴",
        department="县残联",
        due_on=clock.today() + timedelta(days=10),
    )
    assert ApplicationStep.objects.filter(application=side.application_confirm, code="confirm", status="open")


def make_world() -> World:
    # The rules' real version 1 (a transactional test earlier in the run may have emptied the
    # seeded ones; an alert factory would then make a version without parameters to preview).
    ensure_default_rule_versions()
    world = World(personas=make_personas())
    out_caseworker = UserFactory(username="m_out_caseworker", role=Role.CASEWORKER, scope=region(OUT_TOWN))
    out_supervisor = UserFactory(username="m_out_supervisor", role=Role.SUPERVISOR, scope=region("130984"))
    world.sides["in"] = _side(VILLAGE_A, world.personas["T"], world.personas["K"])
    world.sides["out"] = _side(OTHER_COUNTY_VILLAGE, out_caseworker, out_supervisor)
    world.batch = BatchFactory(category=FeedCategory.MEDICAL_SETTLEMENT, loaded=1, rejected=1, corrected=1)
    world.department = world.batch.department
    world.rejected_row = RejectedRowFactory(batch=world.batch)
    id_number = make_id_number()
    today = clock.today()
    for model, category, extra in (
        (
            MedicalSettlement,
            FeedCategory.MEDICAL_SETTLEMENT,
            {"settlement_id": "JS9", "settle_date": today, "total_cost": Decimal(9), "self_paid": Decimal(3)},
        ),
        (
            Diagnosis,
            FeedCategory.DIAGNOSIS,
            {"record_id": "BA9", "diagnosed_on": today, "diagnosis_code": "C34"},
        ),
        (
            DisabilityCertificate,
            FeedCategory.DISABILITY_CERTIFICATE,
            {"certificate_no": f"{id_number}42", "disability_type": 4, "grade": 2, "issued_on": today},
        ),
        (
            UnemploymentRegistration,
            FeedCategory.UNEMPLOYMENT_REGISTRATION,
            {"registration_no": "SY9", "registered_on": today},
        ),
        (
            RosterEntry,
            FeedCategory.ROSTER,
            {
                "household_id_number": id_number,
                "relation": "head",
                "region_code": VILLAGE_A,
                "area_type": "rural",
                "category": "dibao",
                "since": today,
            },
        ),
    ):
        batch = world.batch if model is MedicalSettlement else BatchFactory(category=category, loaded=1)
        world.records[model] = model.objects.create(id_number=id_number, name="赵六", batch=batch, **extra)
    world.records[NameMismatch] = NameMismatch.objects.create(
        batch=world.batch, row_number=3, id_number=id_number, name_in_file="赵六", name_in_registry="赵陆"
    )
    world.records[FeedRecordChange] = FeedRecordChange.objects.create(
        batch=world.batch,
        category=FeedCategory.MEDICAL_SETTLEMENT,
        key="JS9",
        before={"a": 1},
        after={"a": 2},
    )
    signin = {
        "username": "m_town_caseworker",
        "ip_address": "10.0.0.8",
        "user_agent": "Chrome",
        "path_info": "/login/",
    }
    world.records[AccessAttempt] = AccessAttempt.objects.create(
        **signin, http_accept="*/*", get_data="", post_data="", failures_since_start=2
    )
    world.records[AccessFailureLog] = AccessFailureLog.objects.create(**signin, http_accept="*/*")
    world.records[AccessLog] = AccessLog.objects.create(**signin, http_accept="*/*")
    world.records[ReadLogEntry] = ReadLogEntry.objects.create(
        at=clock.now(), actor="m_town_caseworker", channel="web", actions=["household_view"]
    )
    world.records[CalendarDay] = CalendarDay.objects.create(
        date=date(2030, 1, 1), kind=CalendarDayKind.HOLIDAY, name="元旦", created_by=world.personas["C"]
    )
    world.rule_version = RuleVersion.objects.get(rule="high_medical_self_pay", version=1)
    world.run = MonitoringRun.objects.create(as_of=today, status="succeeded", counts={})
    # assistance reference data (seeded; no region: the same rows inside and outside)
    world.records[Program] = Program.objects.get(code="urban_dibao")
    world.records[ApprovalStep] = ApprovalStep.objects.get(program__code="urban_dibao", order=1)
    world.records[Standard] = Standard.objects.filter(
        program__code="urban_dibao", region_code=settings.CITY_REGION_CODE
    ).earliest("effective_from")
    return world
