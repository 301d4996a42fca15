"""Grants created on approval (services): who is covered, the start month, the first amount row with
its computation, and enrolment into monitoring in the same transaction."""

from datetime import date
from decimal import Decimal

import pytest

from assistance.models import Application, ApplicationStatus, Grant, GrantAmount
from households.models import Relation
from monitoring.models import MonitoringRecord, MonitoringRecordHistory
from tests.assistance.case_factories import (
    application_at,
    family,
    fresh,
    move_to,
    pass_step,
    set_case_amount,
    set_dibao_amount,
)
from tests.conftest import beijing
from tests.factories import MonitoringRecordFactory

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def workday(pinned_clock):
    pinned_clock.move_to(beijing("2026-06-08 09:00"))  # a Monday chinese-calendar knows
    return pinned_clock


def approved_dibao(caseworker, supervisor, household, *, income="294", members=None):
    """A 农村低保 application with its amount computed at 初审, taken to 审核确认 and confirmed by
    `supervisor`."""
    application = application_at("first_review", household, caseworker)
    set_dibao_amount(caseworker, application, income=income, members=members or household.members.count())
    move_to(application, "confirm", caseworker)
    pass_step(supervisor, application, "同意纳入")
    return fresh(application)


def test_a_dibao_grant_covers_the_members_covered_from_next_month(workday, caseworker_a, county_supervisor):
    household = family(members=4)
    application = approved_dibao(caseworker_a, county_supervisor, household, income="294", members=3)
    assert application.status == ApplicationStatus.APPROVED
    grant = Grant.objects.get(application=application)
    assert grant.amount == D("900.00")  # (594 − 294) × 3
    assert grant.people_covered == 3 and grant.members.count() == 3
    head = household.members.get(relation=Relation.HEAD)
    assert grant.members.filter(person=head).exists()  # the applicant is always covered
    assert grant.person is None and not grant.one_off
    assert grant.start_month == date(2026, 7, 1) and grant.end_month is None
    assert grant.approved_by == county_supervisor and grant.approved_on == date(2026, 6, 8)


def test_the_first_amount_row_keeps_the_computation(workday, caseworker_a, county_supervisor):
    application = approved_dibao(caseworker_a, county_supervisor, family(members=3), income="294")
    row = GrantAmount.objects.get(grant__application=application)
    assert row.amount == D("900.00") and row.from_month == date(2026, 7, 1)
    assert row.computation == application.computation
    assert row.computation["standard_ids"] == [application.standard_id]
    assert "594" in row.computation["formula"]
    assert row.changed_by == county_supervisor and row.reason == "审核确认通过"


def test_approval_on_31_december_starts_the_grant_on_1_january(pinned_clock, caseworker_a, county_supervisor):
    pinned_clock.move_to(beijing("2026-12-31 16:00"))
    application = approved_dibao(caseworker_a, county_supervisor, family())
    grant = Grant.objects.get(application=application)
    assert grant.start_month == date(2027, 1, 1)
    assert grant.amounts.get().from_month == date(2027, 1, 1)


def test_without_next_month_start_the_grant_starts_in_the_approval_month(
    workday, settings, caseworker_a, county_supervisor
):
    settings.GRANT_STARTS_NEXT_MONTH = False
    application = approved_dibao(caseworker_a, county_supervisor, family())
    assert Grant.objects.get(application=application).start_month == date(2026, 6, 1)


def test_a_tekun_grant_is_the_applicant_s_alone(workday, caseworker_a, county_supervisor):
    household = family(members=3)
    head = household.members.get(relation=Relation.HEAD)
    application = application_at("confirm", household, caseworker_a, "tekun_dispersed")
    pass_step(county_supervisor, application, "同意")
    grant = Grant.objects.get(application=application)
    assert grant.person == head and grant.people_covered == 1
    assert list(grant.members.values_list("person", flat=True)) == [head.pk]
    assert MonitoringRecord.objects.get(person=head).category == "tekun"
    assert not MonitoringRecord.objects.filter(household=household).exclude(person=head).exists()


def test_a_one_off_grant_is_paid_in_the_same_month(workday, caseworker_a):
    application = application_at("confirm", family(), caseworker_a, "temp_expenditure")
    set_case_amount(caseworker_a, application, "600")
    pass_step(caseworker_a, application, "同意")
    assert not Grant.objects.exists()  # paid at 发放, not at confirmation
    pass_step(caseworker_a, application, "已发放")
    grant = Grant.objects.get(application=application)
    assert grant.one_off and grant.amount == D("600.00")
    assert grant.start_month == grant.end_month == date(2026, 6, 1)
    assert not MonitoringRecord.objects.filter(household=application.household).exists()


def test_enrolment_writes_each_covered_person_s_record_and_history_naming_the_approver(
    workday, caseworker_a, county_supervisor
):
    household = family(members=3)
    application = approved_dibao(caseworker_a, county_supervisor, household, members=2)
    covered = set(Grant.objects.get(application=application).members.values_list("person", flat=True))
    records = MonitoringRecord.objects.filter(household=household)
    assert set(records.values_list("person", flat=True)) == covered
    for record in records:
        assert record.category == "dibao" and record.since == date(2026, 6, 8) and record.status == "active"
        history = record.history.get()
        assert history.changed_by == county_supervisor
        assert history.before is None and history.after["category"] == "dibao"


def test_previous_category_records_a_relapse_watch_conversion(workday, caseworker_a, county_supervisor):
    household = family(members=2)
    head = household.members.get(relation=Relation.HEAD)
    MonitoringRecordFactory(person=head, category="relapse_watch", since=date(2025, 3, 1))
    application = approved_dibao(caseworker_a, county_supervisor, household)
    grant = Grant.objects.get(application=application)
    assert grant.members.get(person=head).previous_category == "relapse_watch"
    assert grant.members.exclude(person=head).get().previous_category == ""
    record = MonitoringRecord.objects.get(person=head)
    assert record.category == "dibao" and record.since == date(2026, 6, 8)
    history = record.history.get(changed_by=county_supervisor)
    assert history.before["category"] == "relapse_watch" and history.after["category"] == "dibao"


def test_someone_already_in_dibao_keeps_their_since(workday, caseworker_a, county_supervisor):
    household = family(members=1)
    head = household.members.get(relation=Relation.HEAD)
    MonitoringRecordFactory(person=head, category="dibao", since=date(2024, 1, 1))
    approved_dibao(caseworker_a, county_supervisor, household)
    assert MonitoringRecord.objects.get(person=head).since == date(2024, 1, 1)


def test_if_the_grant_fails_no_monitoring_change_remains(
    workday, monkeypatch, caseworker_a, county_supervisor
):
    household = family(members=2)
    head = household.members.get(relation=Relation.HEAD)
    MonitoringRecordFactory(person=head, category="relapse_watch", since=date(2025, 3, 1))
    application = application_at("first_review", household, caseworker_a)
    set_dibao_amount(caseworker_a, application, members=2)
    move_to(application, "confirm", caseworker_a)

    def broken(*args, **kwargs):
        raise RuntimeError("grant members could not be written")

    monkeypatch.setattr("assistance.services.grants.GrantMember.objects.bulk_create", broken)
    with pytest.raises(RuntimeError):
        pass_step(county_supervisor, application, "同意")
    assert not Grant.objects.exists()
    assert MonitoringRecord.objects.get(person=head).category == "relapse_watch"
    assert not MonitoringRecord.objects.filter(household=household).exclude(person=head).exists()
    assert not MonitoringRecordHistory.objects.filter(changed_by=county_supervisor).exists()
    application = fresh(application)
    assert application.status == ApplicationStatus.IN_PROGRESS and application.current_step_code == "confirm"


@pytest.mark.parametrize("program", ["dibao_edge", "rigid_expense"])
def test_recognition_programmes_enrol_without_a_grant(workday, caseworker_a, county_supervisor, program):
    household = family(members=2)
    application = application_at("confirm", household, caseworker_a, program)
    pass_step(county_supervisor, application, "认定")
    assert fresh(application).status == ApplicationStatus.APPROVED
    assert not Grant.objects.exists()
    records = MonitoringRecord.objects.filter(household=household)
    assert records.count() == 2 and set(records.values_list("category", flat=True)) == {program}
    assert all(r.history.filter(changed_by=county_supervisor).exists() for r in records)


def test_when_fewer_are_covered_the_applicant_and_the_head_come_first(
    workday, caseworker_a, county_supervisor
):
    # a child applies for a household of four; the investigation covers two people
    household = family(members=4)
    child = household.members.filter(relation=Relation.CHILD).order_by("-id").first()
    application = application_at("first_review", household, caseworker_a)
    Application.objects.filter(pk=application.pk).update(applicant=child)
    set_dibao_amount(caseworker_a, application, income="294", members=2)
    move_to(application, "confirm", caseworker_a)
    pass_step(county_supervisor, application, "同意纳入")
    covered = set(Grant.objects.get(application=application).members.values_list("person_id", flat=True))
    assert covered == {child.pk, household.members.get(relation=Relation.HEAD).pk}


def test_month_steps_cross_the_year_and_february():
    from assistance.services.grants import first_of_month, next_month, previous_month

    assert previous_month(date(2027, 1, 15)) == date(2026, 12, 1)  # a roll's "last month" in January
    assert previous_month(date(2028, 3, 1)) == date(2028, 2, 1)
    assert next_month(date(2026, 12, 31)) == date(2027, 1, 1)
    assert first_of_month(date(2028, 2, 29)) == date(2028, 2, 1)
