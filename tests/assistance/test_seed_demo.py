"""The demo a new user starts with: built through the real imports, run, triage and assistance
services, and causally sound whatever the hour it is built at."""

from datetime import timedelta
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection, models
from django.db.models import F, Min
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from alerts.models import (
    Alert,
    AlertEvent,
    AlertStatus,
    DashboardRefresh,
    HomeVisit,
    MonitoringRun,
    RunStatus,
)
from assistance.models import (
    AlertApplication,
    Application,
    ApplicationEvent,
    ApplicationStatus,
    ApplicationStep,
    ApplicationVisit,
    Channel,
    Grant,
    Notice,
    NoticeEntry,
    Objection,
    ObjectionStatus,
    PaymentLine,
    PaymentReturnResult,
    PaymentRoll,
    Referral,
    RollStatus,
    StepStatus,
)
from assistance.seeds import DIBAO_STEPS
from households import clock
from households.models import Household, Person, RegionLevel, User
from imports.models import BatchStatus, FeedCategory, ImportBatch
from monitoring.models import MonitoringRecord, MonitoringRecordHistory
from tests.conftest import beijing

# Dates that may lie ahead: a deadline or due date, a planned follow-up visit, when a session expires,
# the end of a notice period still running, the month a grant approved this month starts paying.
FUTURE_DATES = {
    "deadline",
    "follow_up_on",
    "expire_date",
    "due_on",
    "current_due_on",
    "ends_on",
    "start_month",
    "end_month",
    "from_month",
    "gradual_exit_until",  # a 渐退期 runs into the coming months
}


def rows(sql: str, params=None) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def assert_nothing_in_the_future() -> None:
    now, today = clock.now(), clock.today()
    for model in apps.get_models():
        for f in model._meta.concrete_fields:
            if f.name in FUTURE_DATES:
                continue
            if isinstance(f, models.DateTimeField):
                later = model.objects.filter(**{f"{f.name}__gt": now})
            elif isinstance(f, models.DateField):
                later = model.objects.filter(**{f"{f.name}__gt": today})
            else:
                continue
            assert not later.exists(), f"{model.__name__}.{f.name} after {now}"


def assert_every_alert_lives_in_order() -> None:
    tz = timezone.get_current_timezone_name()
    # First event: the raising, when the alert was created, on the day it was raised; not yet due.
    firsts = rows(
        """
        SELECT a.id, e.action, e.at = a.created_at, (a.created_at AT TIME ZONE %s)::date = a.raised_on,
               a.deadline > a.raised_on
          FROM alerts_alert a
          JOIN LATERAL (SELECT * FROM alerts_alertevent e WHERE e.alert_id = a.id
                        ORDER BY e.at, e.id LIMIT 1) e ON true
        """,
        [tz],
    )
    assert len(firsts) == Alert.objects.count()
    assert {r[1:] for r in firsts} == {("raised", True, True, True)}
    # Each later event strictly after the one before (auto-assignment after the raising, …).
    unordered = rows(
        """
        SELECT alert_id FROM (
            SELECT alert_id, at <= lag(at) OVER (PARTITION BY alert_id ORDER BY id) AS not_after
              FROM alerts_alertevent) x
         WHERE not_after
        """
    )
    assert not unordered
    assert not AlertEvent.objects.filter(action="auto_assign", at__lte=F("alert__created_at")).exists()
    # Verified, visited and closed in that order, each no earlier than the step before.
    assert not Alert.objects.filter(verified_at__lt=F("created_at")).exists()
    assert not Alert.objects.filter(closed_at__lt=F("verified_at")).exists()
    assert not HomeVisit.objects.filter(visited_on__lt=F("alert__raised_on")).exists()
    assert not HomeVisit.objects.filter(created_at__lt=F("alert__verified_at")).exists()
    for visit in HomeVisit.objects.all():
        assert visit.visited_on <= timezone.localdate(visit.created_at)
    # Whoever acted had an account by then.
    assert not AlertEvent.objects.filter(at__lt=F("actor__date_joined")).exists()


def assert_runs_read_only_what_had_arrived() -> None:
    assert not ImportBatch.objects.filter(started_at__lt=F("created_at")).exists()
    assert not ImportBatch.objects.filter(finished_at__lt=F("started_at")).exists()
    assert not MonitoringRun.objects.filter(finished_at__lt=F("started_at")).exists()
    # Every record an alert rests on came in a batch loaded before the alert was raised.
    late = rows(
        """
        SELECT a.id FROM alerts_alert a
         CROSS JOIN LATERAL jsonb_array_elements(a.evidence -> 'sources') s
          JOIN imports_importbatch b ON b.id = (s ->> 'batch_id')::bigint
         WHERE b.finished_at > a.created_at
        """
    )
    assert not late
    assert not Alert.objects.filter(rule_version__created_at__gt=F("created_at")).exists()
    # A file only holds what had happened by the day it arrived (the loader refuses later dates).
    tz = timezone.get_current_timezone_name()
    for table, day in (
        ("imports_medicalsettlement", "settle_date"),
        ("imports_diagnosis", "diagnosed_on"),
        ("imports_unemploymentregistration", "registered_on"),
        ("imports_disabilitycertificate", "issued_on"),
    ):
        assert not rows(
            f"SELECT 1 FROM {table} f JOIN imports_importbatch b ON b.id = f.batch_id "
            f"WHERE f.{day} > (b.created_at AT TIME ZONE %s)::date",
            [tz],
        ), table
    # The registry came with the roster, before any department file.
    roster = ImportBatch.objects.get(category=FeedCategory.ROSTER)
    first_file = ImportBatch.objects.exclude(category=FeedCategory.ROSTER).aggregate(at=Min("created_at"))[
        "at"
    ]
    assert roster.finished_at < first_file
    assert not MonitoringRecord.objects.filter(created_at__gt=roster.finished_at).exists()


def assert_every_application_lives_in_order() -> None:
    # The history of each application in order, opened by its registration when it was created,
    # each action by someone who had an account by then.
    unordered = rows(
        """
        SELECT application_id FROM (
            SELECT application_id, at < lag(at) OVER (PARTITION BY application_id ORDER BY id) AS before
              FROM assistance_applicationevent) x
         WHERE before
        """
    )
    assert not unordered
    firsts = rows(
        """
        SELECT DISTINCT ON (e.application_id) e.action, e.at = a.created_at
          FROM assistance_applicationevent e JOIN assistance_application a ON a.id = e.application_id
         ORDER BY e.application_id, e.at, e.id
        """
    )
    assert len(firsts) == Application.objects.count()
    assert set(firsts) <= {("create", True), ("from_alert", True)}
    assert not ApplicationEvent.objects.filter(at__lt=F("actor__date_joined")).exists()
    tz = timezone.get_current_timezone_name()
    # Steps open no earlier than acceptance, are decided no earlier than they opened, and a round's
    # steps are decided in their order.
    assert not ApplicationStep.objects.filter(opened_on__lt=F("application__accepted_on")).exists()
    assert not rows(
        """
        SELECT 1 FROM assistance_applicationstep s
         WHERE s.decided_at IS NOT NULL AND (s.decided_at AT TIME ZONE %s)::date < s.opened_on
        """,
        [tz],
    )
    assert not rows(
        """
        SELECT 1 FROM assistance_applicationstep s JOIN assistance_applicationstep t
               ON t.application_id = s.application_id AND t.round = s.round AND t.order > s.order
         WHERE t.decided_at < s.decided_at
        """
    )
    # An application from an alert came after the alert closed; visits, objections and answers
    # fall between the dates they belong to.
    assert not AlertApplication.objects.filter(alert__closed_at__gt=F("created_at")).exists()
    assert not ApplicationVisit.objects.filter(visit__visited_on__lt=F("application__accepted_on")).exists()
    assert not Objection.objects.filter(received_on__lt=F("entry__notice__starts_on")).exists()
    assert not Objection.objects.filter(decided_at__lt=F("created_at")).exists()
    assert not Referral.objects.filter(answered_on__lt=F("referred_on")).exists()
    assert not Grant.objects.filter(approved_on__lt=F("application__accepted_on")).exists()


def assert_the_casework_of_the_year() -> None:
    """Applications of every channel, at every step, approved, refused, withdrawn and objected to."""
    applications = Application.objects.all()
    assert set(applications.values_list("channel", flat=True)) == set(Channel.values)
    # Still in progress at every step of the 低保 procedure (the year ends with work on the desk).
    open_dibao = applications.filter(status=ApplicationStatus.IN_PROGRESS, program__category="dibao")
    assert set(open_dibao.values_list("current_step_code", flat=True)) >= {code for code, *_ in DIBAO_STEPS}
    # Approved 低保: a grant of the computed amount for the people covered, who are monitored, and
    # the final confirmation given by someone other than whoever gave 初审 (maker–checker).
    approved = applications.filter(status=ApplicationStatus.APPROVED, program__category="dibao")
    assert approved.count() >= 3
    for application in approved.select_related("grant"):
        grant = application.grant
        # approved at the computed amount (a review may have adjusted it since: a later amount row)
        assert grant.amounts.earliest("from_month", "id").amount == application.proposed_amount
        assert grant.amount == grant.amounts.latest("from_month", "id").amount
        assert grant.members.count() == grant.people_covered > 0
        assert MonitoringRecord.objects.filter(person__in=grant.members.values("person_id")).count() == (
            grant.people_covered
        )
        steps = {s.code: s for s in application.steps.filter(status=StepStatus.PASSED)}
        assert steps["first_review"].decided_by_id != steps["confirm"].decided_by_id
        assert steps["confirm"].decided_by.scope.level in (RegionLevel.COUNTY, RegionLevel.CITY)
    enrolled_by = [u.pk for u in User.objects.filter(username__in=("dudao_cx", "dudao"))]
    assert MonitoringRecordHistory.objects.filter(
        changed_by__in=enrolled_by, after__category="dibao"
    ).exists()
    # Refused with a written reason at the step that refused; one withdrawn.
    rejected = applications.filter(status=ApplicationStatus.REJECTED)
    assert rejected.exists() and not rejected.filter(decision_reason="").exists()
    assert ApplicationStep.objects.filter(status=StepStatus.REJECTED).count() == rejected.count()
    assert applications.filter(status=ApplicationStatus.WITHDRAWN).exists()
    # An upheld objection sent its application back to investigation and onto a new notice; another
    # was dismissed.
    upheld = Objection.objects.get(status=ObjectionStatus.UPHELD)
    application = upheld.entry.application
    assert application.steps.filter(round=2, code="home_visit", status=StepStatus.PASSED).exists()
    assert NoticeEntry.objects.filter(application=application).count() == 2
    assert application.status == ApplicationStatus.APPROVED
    assert Objection.objects.filter(status=ObjectionStatus.DISMISSED).exists()
    assert Notice.objects.exists()
    # 临时救助急难型: paid first, its papers completed after the payment.
    paid_first = applications.get(program__code="temp_emergency", status=ApplicationStatus.APPROVED)
    assert paid_first.paid_first and paid_first.grant.one_off
    steps = {s.code: s for s in paid_first.steps.all()}
    assert steps["help_first"].decided_at < steps["accept"].decided_at < steps["confirm"].decided_at
    assert paid_first.grant.created_at < steps["accept"].decided_at
    assert applications.filter(
        program__code="temp_emergency", status=ApplicationStatus.IN_PROGRESS, paid_first=True
    ).exists()
    # The hardship fund paid the committee's amount; the 近亲属 case had the county's own visit.
    fund = applications.get(program__code="hardship_fund")
    assert fund.status == ApplicationStatus.APPROVED and fund.grant.amount == fund.proposed_amount
    relative = applications.get(staff_relative=True)
    assert relative.status == ApplicationStatus.APPROVED
    assert relative.visit_links.filter(staff_first__scope__level=RegionLevel.COUNTY).exists()
    # Referrals: one answered, one past its due date without an answer.
    assert Referral.objects.filter(answered_on__isnull=False).exists()
    assert Referral.objects.filter(answered_on__isnull=True, due_on__lt=clock.today()).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "built_at", ["2027-03-01 00:30", "2026-12-07 07:10", "2027-02-28 15:59", "2028-02-29 12:00"]
)
def test_seed_demo_builds_a_causally_sound_working_year_and_is_idempotent(cangzhou, pinned_clock, built_at):
    pinned_clock.move_to(beijing(built_at))
    out = StringIO()
    call_command("seed_demo", households=200, stdout=out)

    assert Household.objects.count() == 200
    assert Person.objects.count() == MonitoringRecord.objects.count() > 200
    batches = ImportBatch.objects.all()
    assert {b.category for b in batches} == set(FeedCategory.values)
    assert all(b.status == BatchStatus.SUCCEEDED for b in batches)
    # A file a month from each department (the last months' files may not have arrived yet), each
    # with a damaged row, and the counts add up for each.
    assert batches.filter(category=FeedCategory.MEDICAL_SETTLEMENT).count() in (11, 12)
    assert not batches.exclude(
        data_rows=F("loaded") + F("corrected") + F("duplicate") + F("rejected")
    ).exists()
    assert not batches.exclude(category=FeedCategory.PAYMENT_RETURN).filter(rejected=0).exists()
    # The bank answered every locked roll before the next month's was computed, and its accounting
    # adds up: every row paid, failed, returned or unmatched (with its reason).
    locked = PaymentRoll.objects.filter(status=RollStatus.LOCKED)
    assert locked.exists() and PaymentRoll.objects.filter(status=RollStatus.DRAFT).exists()
    results = PaymentReturnResult.objects.select_related("batch")
    # (a small demo county may have a month with nothing to pay: an empty roll, no bank file)
    assert {r.roll_id for r in results} == set(locked.filter(line_count__gt=0).values_list("pk", flat=True))
    for r in results:
        applied = r.paid_count + r.failed_count + r.returned_count + r.unmatched_count
        assert r.batch.data_rows == r.batch.rejected + r.batch.duplicate + applied
    # every failed or returned line is paid again in the next month's roll (this month's draft included)
    assert not PaymentLine.objects.filter(
        status__in=["failed", "returned"], reissued_in__isnull=True
    ).exists()
    assert not PaymentLine.objects.filter(roll__status=RollStatus.LOCKED, account_no="").exists()
    assert batches.filter(corrected__gt=0).exists()  # registrations re-sent once they ended
    assert MonitoringRun.objects.filter(status=RunStatus.SUCCEEDED).count() >= 12
    assert Alert.objects.exists()
    # Caseworkers worked through the year: alerts of the last weeks are being handled, most older
    # than a month are closed, and everything from before the last quarter, long ago.
    month_ago = clock.now() - timedelta(days=30)
    older = Alert.objects.filter(created_at__lt=month_ago)
    assert older.filter(status=AlertStatus.CLOSED).count() > 0.75 * older.count()
    assert older.filter(closed_at__lt=month_ago).exists()
    quarter_ago = clock.now() - timedelta(days=100)
    assert not Alert.objects.filter(created_at__lt=quarter_ago).exclude(status=AlertStatus.CLOSED).exists()
    assert DashboardRefresh.objects.exists()
    assert_nothing_in_the_future()
    assert_every_alert_lives_in_order()
    assert_runs_read_only_what_had_arrived()
    assert_every_application_lives_in_order()
    assert_the_casework_of_the_year()
    # Some applications are past their due date when the year ends, where the year's holidays are
    # known (due dates in a year chinese-calendar does not know yet are pending: NULL).
    stalled = Application.objects.filter(
        status=ApplicationStatus.IN_PROGRESS, accepted_on__lt=clock.today() - timedelta(days=60)
    )
    assert stalled.exists()
    if stalled.filter(due_on__isnull=False).exists():
        assert stalled.filter(current_due_on__lt=clock.today()).exists()

    assert User.objects.get(username="jingban_a").check_password("demo-2025")
    # A town's caseworker finds the open alerts of the town in the inbox.
    caseworker = Alert.objects.exclude(status=AlertStatus.CLOSED).earliest("deadline").assignee
    assert caseworker.check_password("demo-2025")
    client = Client()
    client.force_login(caseworker)
    inbox = client.get(reverse("alerts:inbox")).context["page"].alerts
    assert inbox and all(a.status != AlertStatus.CLOSED for a in inbox)
    assert all(a.region.code.startswith(caseworker.scope_id) for a in inbox)
    assert "医保结算明细" in out.getvalue()

    counted = (Alert, Person, Application, ApplicationEvent, Grant, Notice, Referral)
    before = [model.objects.count() for model in counted]
    call_command("seed_demo", households=200, stdout=StringIO())
    assert [model.objects.count() for model in counted] == before
