"""信息核对: the check lists what the department feeds hold about each member of the household,
once per record, within the look-back window; the step passes only when every finding is settled."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.http import Http404
from django.utils import translation

from assistance import selectors, services
from assistance.models import ApplicationAction, ApplicationEvent, Finding, FindingSource, FindingStatus
from households.models import Relation
from imports.models import CertificateStatus, UnemploymentStatus
from tests.alerts.feed_factories import (
    DiagnosisFactory,
    DisabilityCertificateFactory,
    MedicalSettlementFactory,
    UnemploymentRegistrationFactory,
)
from tests.assistance.case_factories import application_at, family, fresh, pass_step, visit
from tests.conftest import beijing

pytestmark = pytest.mark.django_db

# The check opens on the workday below: with the default 365-day look-back, the window is
# 2025-06-08 < record date ≤ 2026-06-08.
OPENS = date(2026, 6, 8)


@pytest.fixture
def workday(pinned_clock):
    pinned_clock.move_to(beijing("2026-06-08 09:00"))
    return pinned_clock


@pytest.fixture
def household(regions):
    return family(members=3)


def head_of(household):
    return household.members.get(relation=Relation.HEAD)


def child_of(household):
    return household.members.exclude(relation=Relation.HEAD).order_by("id").first()


def open_check(actor, household):
    """An application whose 信息核对 step opens through the service (the home visit passes)."""
    application = application_at("home_visit", household, actor)
    visit(actor, application)
    pass_step(actor, application)
    application = fresh(application)
    assert application.current_step_code == "info_check"
    return application


def finding(application, source):
    return Finding.objects.get(application=application, source=source)


def test_each_source_yields_a_finding_with_its_summary_amount_and_batch(workday, caseworker_a, household):
    head, child = head_of(household), child_of(household)
    settlement = MedicalSettlementFactory(
        id_number=head.id_number,
        settle_date=date(2026, 3, 2),
        institution="沧县医院",
        visit_type="inpatient",
        total_cost=Decimal("12300"),
        self_paid=Decimal("4560"),
    )
    diagnosis = DiagnosisFactory(id_number=child.id_number, institution="沧州市人民医院")
    certificate = DisabilityCertificateFactory(id_number=child.id_number, issued_on=date(2019, 5, 10))
    registration = UnemploymentRegistrationFactory(id_number=head.id_number, registered_on=date(2025, 11, 3))

    application = open_check(caseworker_a, household)

    assert application.findings.count() == 4
    f = finding(application, FindingSource.SETTLEMENT)
    assert (f.person, f.source_record_id, f.batch) == (head, settlement.pk, settlement.batch)
    assert f.summary == "2026-03-02 沧县医院住院结算：总费用 12,300.00 元，个人负担 4,560.00 元"
    assert f.amount == Decimal("4560.00") and f.occurred_on == date(2026, 3, 2)
    assert f.status == FindingStatus.PENDING
    f = finding(application, FindingSource.DIAGNOSIS)
    assert (f.person, f.source_record_id, f.batch) == (child, diagnosis.pk, diagnosis.batch)
    assert f.summary == "2026-03-02 沧州市人民医院诊断：C34.901 肺恶性肿瘤" and f.amount is None
    f = finding(application, FindingSource.DISABILITY)
    assert (f.person, f.source_record_id, f.batch) == (child, certificate.pk, certificate.batch)
    # Old, but valid: listed. The certificate number (it holds the resident ID) is not shown.
    assert f.summary == "2019-05-10 核发残疾人证：肢体残疾二级（有效）"
    assert f.occurred_on == date(2019, 5, 10)
    f = finding(application, FindingSource.UNEMPLOYMENT)
    assert (f.person, f.source_record_id, f.batch) == (head, registration.pk, registration.batch)
    assert f.summary == "2025-11-03 失业登记：登记失业"

    event = ApplicationEvent.objects.get(application=application, action=ApplicationAction.COLLECT_FINDINGS)
    assert event.actor == caseworker_a and event.step.code == "info_check"
    assert event.data["added"] == {"settlement": 1, "diagnosis": 1, "disability": 1, "unemployment": 1}
    assert event.data["since"] == "2025-06-08" and event.data["until"] == "2026-06-08"
    # The pass is recorded before the collection it triggered.
    last_two = list(application.events.order_by("-id").values_list("action", flat=True)[:2])
    assert last_two == [ApplicationAction.COLLECT_FINDINGS, ApplicationAction.PASS_STEP]


def test_non_members_and_records_outside_the_window_are_not_listed(workday, caseworker_a, household):
    head = head_of(household)
    stranger = family(members=1, head="李四")
    MedicalSettlementFactory(id_number=head_of(stranger).id_number, settle_date=date(2026, 3, 2))
    # The window excludes its first day (365 days before the check opens) and the future.
    MedicalSettlementFactory(id_number=head.id_number, settle_date=OPENS - timedelta(days=365))
    MedicalSettlementFactory(id_number=head.id_number, settle_date=OPENS + timedelta(days=1))
    inside = DiagnosisFactory(id_number=head.id_number, diagnosed_on=OPENS - timedelta(days=364))
    DiagnosisFactory(id_number=head.id_number, diagnosed_on=date(2024, 1, 1))
    # A cancelled certificate only counts when recent; a closed registration when it began or ended
    # within the window; an open one however old.
    DisabilityCertificateFactory(
        id_number=head.id_number, issued_on=date(2018, 1, 1), status=CertificateStatus.CANCELLED
    )
    old_open = UnemploymentRegistrationFactory(id_number=head.id_number, registered_on=date(2020, 4, 1))
    UnemploymentRegistrationFactory(
        id_number=head.id_number,
        registered_on=date(2023, 1, 1),
        status=UnemploymentStatus.EMPLOYED,
        ended_on=date(2023, 6, 1),
    )
    recently_ended = UnemploymentRegistrationFactory(
        id_number=head.id_number,
        registered_on=date(2024, 9, 1),
        status=UnemploymentStatus.EMPLOYED,
        ended_on=date(2025, 9, 1),
    )

    application = open_check(caseworker_a, household)

    listed = set(application.findings.values_list("source", "source_record_id"))
    assert listed == {
        (FindingSource.DIAGNOSIS, inside.pk),
        (FindingSource.UNEMPLOYMENT, old_open.pk),
        (FindingSource.UNEMPLOYMENT, recently_ended.pk),
    }
    assert (
        finding_for(application, recently_ended).summary == "2024-09-01 失业登记：已就业（2025-09-01 结束）"
    )


def finding_for(application, record):
    return application.findings.get(source_record_id=record.pk, source=FindingSource.UNEMPLOYMENT)


def test_collecting_again_adds_only_new_records_and_keeps_confirmations(workday, caseworker_a, household):
    head = head_of(household)
    MedicalSettlementFactory(id_number=head.id_number)
    application = open_check(caseworker_a, household)
    first = application.findings.get()
    services.finding_confirm(actor=caseworker_a, finding_id=first.pk, status=FindingStatus.CONFIRMED)

    assert services.findings_collect(application=fresh(application), actor=caseworker_a) == 0
    assert services.findings_refresh(actor=caseworker_a, application_id=application.pk) == 0
    assert application.findings.count() == 1

    # A feed loaded after the check opened: the refresh lists it, the confirmed one stays confirmed.
    DiagnosisFactory(id_number=head.id_number, diagnosed_on=date(2026, 6, 1))
    assert services.findings_refresh(actor=caseworker_a, application_id=application.pk) == 1
    assert application.findings.count() == 2
    first.refresh_from_db()
    assert first.status == FindingStatus.CONFIRMED
    refresh = application.events.filter(action=ApplicationAction.COLLECT_FINDINGS).latest("id")
    assert refresh.data["refresh"] is True and refresh.data["added"]["diagnosis"] == 1
    assert refresh.data["total"] == 1


def test_the_check_cannot_pass_while_a_finding_is_pending(workday, caseworker_a, household):
    head = head_of(household)
    MedicalSettlementFactory(id_number=head.id_number)
    DiagnosisFactory(id_number=head.id_number)
    application = open_check(caseworker_a, household)
    settlement = finding(application, FindingSource.SETTLEMENT)
    diagnosis = finding(application, FindingSource.DIAGNOSIS)

    with pytest.raises(services.AssistanceError, match="2 条核对结果待确认"):
        pass_step(caseworker_a, application)
    services.finding_confirm(actor=caseworker_a, finding_id=settlement.pk, status=FindingStatus.CONFIRMED)
    with pytest.raises(services.AssistanceError, match="1 条核对结果待确认"):
        pass_step(caseworker_a, application)
    with pytest.raises(services.AssistanceError, match="须填写说明"):
        services.finding_confirm(actor=caseworker_a, finding_id=diagnosis.pk, status=FindingStatus.EXPLAINED)
    services.finding_confirm(
        actor=caseworker_a,
        finding_id=diagnosis.pk,
        status=FindingStatus.EXPLAINED,
        explanation="已治愈，诊断为既往病史",
    )

    pass_step(caseworker_a, application)

    assert fresh(application).current_step_code == "first_review"
    diagnosis.refresh_from_db()
    assert diagnosis.confirmed_by == caseworker_a and diagnosis.explanation == "已治愈，诊断为既往病史"


def test_a_check_with_nothing_found_passes_and_says_so(workday, caseworker_a, household):
    application = open_check(caseworker_a, household)
    event = application.events.get(action=ApplicationAction.COLLECT_FINDINGS)
    assert event.data["total"] == 0 and "未发现" in event.note
    pass_step(caseworker_a, application)
    assert fresh(application).current_step_code == "first_review"


def test_refresh_only_while_the_check_is_open_and_in_region(workday, caseworker_a, caseworker_b, household):
    application = application_at("home_visit", household, caseworker_a)
    with pytest.raises(services.AssistanceError, match="信息核对"):
        services.findings_refresh(actor=caseworker_a, application_id=application.pk)
    application = application_at("info_check", family(members=1, head="张三"), caseworker_a)
    with pytest.raises(Http404):
        services.findings_refresh(actor=caseworker_b, application_id=application.pk)


def test_summaries_are_stored_in_chinese_whatever_the_language_of_the_page(workday, caseworker_a, household):
    MedicalSettlementFactory(
        id_number=head_of(household).id_number, institution="沧县医院", visit_type="outpatient"
    )
    application = application_at("info_check", household, caseworker_a)
    with translation.override("en"):
        services.findings_refresh(actor=caseworker_a, application_id=application.pk)
    assert "沧县医院门诊结算" in application.findings.get().summary


def test_findings_by_member_lists_every_member_head_first(workday, caseworker_a, household):
    head, child = head_of(household), child_of(household)
    MedicalSettlementFactory(id_number=child.id_number)
    DiagnosisFactory(id_number=child.id_number)
    application = application_at("info_check", household, caseworker_a)
    services.findings_refresh(actor=caseworker_a, application_id=application.pk)

    groups = selectors.findings_by_member(application)

    assert groups[0][0] == head
    by_person = dict(groups)
    assert set(by_person) == set(household.members.all())
    assert by_person[head] == []
    assert [f.source for f in by_person[child]] == [FindingSource.DIAGNOSIS, FindingSource.SETTLEMENT]


def test_every_finding_source_has_one_registered_sql_block():
    from assistance.services.findings import SOURCES

    assert sorted(s.code for s in SOURCES) == sorted(FindingSource.values)
