"""Grants for tests of what happens after approval (rolls, reviews, exits, lists, follow-ups):
an approved application and its grant written directly, with the members enrolled the way
`grant_create` enrols them. Use `case_factories` when the approval itself is under test."""

from datetime import date
from decimal import Decimal

from assistance.models import (
    Application,
    ApplicationStatus,
    Grant,
    GrantAmount,
    GrantMember,
    Program,
    ProgramKind,
)
from households import clock
from households.models import Relation
from monitoring.enrolment import enrol_people
from tests.assistance.case_factories import family


def grant_for(
    actor,
    household=None,
    *,
    program_code: str = "rural_dibao",
    amount: str = "600.00",
    start_month: date,
    approved_on: date | None = None,
    person=None,
    enrol: bool = True,
) -> Grant:
    """An active grant of `program_code` for `household` (a new family in 旧州镇 by default) paying
    `amount` a month from `start_month` (one payment in that month for one-off programmes)."""
    household = household or family()
    program = Program.objects.get(code=program_code)
    head = household.members.get(relation=Relation.HEAD)
    applicant = person or head
    approved_on = approved_on or clock.today()
    application = Application.objects.create(
        program=program,
        household=household,
        applicant=applicant,
        region_id=household.region_id,
        channel="single_window",
        status=ApplicationStatus.APPROVED,
        accepted_on=approved_on,
        proposed_amount=Decimal(amount),
        decided_at=clock.now(),
        created_by=actor,
    )
    per_person = program.kind == ProgramKind.PER_PERSON
    one_off = program.kind == ProgramKind.ONE_OFF
    people = [applicant.pk] if per_person else list(household.members.values_list("pk", flat=True))
    previous = {}
    if enrol and program.category:
        previous = enrol_people(
            person_ids=people, category=program.category, since=approved_on, actor=actor, now=clock.now()
        )
    grant = Grant.objects.create(
        application=application,
        program=program,
        household=household,
        person=applicant if per_person else None,
        region_id=household.region_id,
        one_off=one_off,
        amount=Decimal(amount),
        people_covered=len(people),
        start_month=start_month,
        end_month=start_month if one_off else None,
        approved_by=actor,
        approved_on=approved_on,
    )
    GrantAmount.objects.create(
        grant=grant, amount=grant.amount, from_month=start_month, reason="批准", changed_by=actor
    )
    GrantMember.objects.bulk_create(
        GrantMember(grant=grant, person_id=pk, previous_category=previous.get(pk, "")) for pk in people
    )
    return grant
