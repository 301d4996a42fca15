"""Two paths the demo's year takes that the first flow test does not: an upheld objection, and a
refusal in a year whose holidays are not known yet."""

from datetime import timedelta

import pytest

from assistance import services
from assistance.models import ApplicationAction, ApplicationStatus, ObjectionStatus, StepStatus
from assistance.services.notices import notice_publish
from households import clock
from tests.assistance.case_factories import application_at, family, fresh
from tests.conftest import VILLAGE_A, beijing

pytestmark = pytest.mark.django_db


def test_an_upheld_objection_sends_the_application_back_to_investigation(pinned_clock, caseworker_a):
    pinned_clock.move_to(beijing("2026-06-08 09:00"))
    application = application_at("notice", family(), caseworker_a)
    notice = notice_publish(actor=caseworker_a, village_code=VILLAGE_A)
    pinned_clock.shift(timedelta(days=2))
    objection = services.objection_record(
        actor=caseworker_a,
        entry_id=notice.entries.get().pk,
        received_on=clock.today(),
        content="收入未如实申报",
    )
    services.objection_decide(actor=caseworker_a, objection_id=objection.pk, upheld=True, finding="属实")
    objection.refresh_from_db()
    assert objection.status == ObjectionStatus.UPHELD
    application = fresh(application)
    assert application.current_step_code == "home_visit" and application.current_step.round == 2
    assert application.steps.get(round=1, code="notice").status == StepStatus.RETURNED


def test_a_refusal_in_a_year_without_holidays_leaves_its_notice_due_date_pending(pinned_clock, caseworker_a):
    pinned_clock.move_to(beijing("2027-03-01 10:00"))
    application = application_at("home_visit", family(), caseworker_a)
    services.step_reject(
        actor=caseworker_a,
        application_id=application.pk,
        lock_version=application.lock_version,
        reason="收入超标",
    )
    application = fresh(application)
    assert application.status == ApplicationStatus.REJECTED
    event = application.events.get(action=ApplicationAction.REJECT)
    assert event.data["notice_due_on"] is None
