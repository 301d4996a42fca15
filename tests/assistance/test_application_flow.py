"""A 低保 application from an alert closed as 纳入低保 to a grant, step by step (services)."""

from datetime import timedelta
from decimal import Decimal

import pytest

from alerts.models import Outcome
from alerts.services import triage
from assistance import services
from assistance.models import Application, ApplicationStatus, Channel, Grant
from assistance.services.notices import notice_publish
from households import clock
from monitoring.models import MonitoringRecord
from tests.alerts.triage_factories import alert_in, visit_for
from tests.assistance.case_factories import fresh, pass_step, set_dibao_amount, visit
from tests.conftest import VILLAGE_A, beijing

pytestmark = pytest.mark.django_db


@pytest.fixture
def workday(pinned_clock):
    # A Monday of a year chinese-calendar knows (working-day due dates need the year's holidays).
    pinned_clock.move_to(beijing("2026-06-08 09:00"))
    return pinned_clock


def close_as_dibao(alert, actor):
    triage.alert_start_verification(actor=actor, alert_id=alert.pk, lock_version=alert.lock_version)
    alert.refresh_from_db()
    visit_for(alert, actor)
    alert.refresh_from_db()
    return triage.alert_close(
        actor=actor,
        alert_id=alert.pk,
        lock_version=alert.lock_version,
        outcome=Outcome.ENROL_DIBAO,
        note="符合低保",
    )


def test_an_alert_closed_as_dibao_goes_through_every_step_to_a_grant(
    workday, caseworker_a, county_supervisor, city_supervisor
):
    alert = alert_in(VILLAGE_A, assignee=caseworker_a, status="assigned")
    MonitoringRecord.objects.filter(person=alert.person).update(category="relapse_watch")
    close_as_dibao(alert, caseworker_a)
    application = Application.objects.get(alert_links__alert=alert)
    assert application.channel == Channel.ALERT
    assert application.current_step_code == "accept"
    assert application.program.category == "dibao"
    pass_step(caseworker_a, application)
    visit(caseworker_a, application)
    pass_step(caseworker_a, application)
    assert fresh(application).current_step_code == "info_check"
    pass_step(caseworker_a, application)
    members = alert.household.members.count()
    set_dibao_amount(caseworker_a, application, income="300", members=members)
    pass_step(county_supervisor, application, "经调查符合条件")
    assert fresh(application).current_step_code == "notice"
    notice_publish(actor=caseworker_a, village_code=VILLAGE_A)
    workday.shift(timedelta(days=8))
    pass_step(caseworker_a, application)
    with pytest.raises(services.AssistanceError, match="须由县级"):
        pass_step(caseworker_a, application, "同意")
    with pytest.raises(services.AssistanceError, match="不能再作审核确认"):
        pass_step(county_supervisor, application, "同意")
    pass_step(city_supervisor, application, "同意纳入")
    application = fresh(application)
    assert application.status == ApplicationStatus.APPROVED
    grant = Grant.objects.get(application=application)
    assert grant.people_covered == members
    assert grant.amount == application.proposed_amount > Decimal(0)
    assert grant.start_month == clock.today().replace(day=1).replace(month=clock.today().month + 1)
    record = MonitoringRecord.objects.get(person=alert.person)
    assert record.category == "dibao" and record.history.filter(changed_by=city_supervisor).exists()
    assert grant.members.get(person=alert.person).previous_category == "relapse_watch"
