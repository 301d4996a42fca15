"""A household that moves takes its open applications, unanswered referrals and active grants along;
what was decided stays where it was decided."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.http import Http404

from assistance import services
from assistance.models import Application, ApplicationStatus, Grant, Referral
from households import clock, moves
from tests.assistance.case_factories import application_at, family, fresh
from tests.conftest import VILLAGE_A, VILLAGE_B

pytestmark = pytest.mark.django_db


def test_open_cases_follow_the_household_and_decided_ones_stay(caseworker_a, caseworker_b, data_admin):
    home = family(VILLAGE_A)
    open_app = application_at("home_visit", home, caseworker_a)
    decided = application_at("accept", home, caseworker_a, "temp_expenditure")
    Application.objects.filter(pk=decided.pk).update(
        status=ApplicationStatus.REJECTED, decided_at=clock.now(), current_step=None, current_step_code=""
    )
    grant = Grant.objects.create(
        application=decided,
        program=decided.program,
        household=home,
        region_id=VILLAGE_A,
        amount=Decimal("500.00"),
        people_covered=3,
        start_month=clock.today().replace(day=1),
        approved_by=caseworker_a,
        approved_on=clock.today(),
    )
    referral = services.referral_create(
        actor=caseworker_a,
        household=home,
        person=home.members.first(),
        channel="single_window",
        request="申请残疾人两项补贴",
        department="县残联",
        due_on=clock.today() + timedelta(days=10),
    )

    moves.household_move(actor=data_admin, household_id=home.pk, region_code=VILLAGE_B, reason="易地搬迁")

    moved = fresh(open_app)
    assert moved.region_id == VILLAGE_B
    event = moved.events.get(action="move")
    assert (event.actor, event.data) == (data_admin, {"from_region": VILLAGE_A, "region": VILLAGE_B})
    assert "易地搬迁" in event.note
    assert fresh(decided).region_id == VILLAGE_A
    assert Grant.objects.get(pk=grant.pk).region_id == VILLAGE_B
    assert Referral.objects.get(pk=referral.pk).region_id == VILLAGE_B
    # the old town's caseworker no longer reaches the moved application; the new town's does
    with pytest.raises(Http404):
        services.step_pass(actor=caseworker_a, application_id=moved.pk, lock_version=moved.lock_version)
    with pytest.raises(services.AssistanceError, match="入户调查"):
        services.step_pass(actor=caseworker_b, application_id=moved.pk, lock_version=moved.lock_version)
