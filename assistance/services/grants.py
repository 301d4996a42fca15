"""Grants: created when an application is approved (or paid first), with enrolment into monitoring."""

from datetime import date

from django.conf import settings
from django.db import transaction

from assistance.models import Application, Grant, GrantAmount, GrantMember, ProgramKind
from households import clock
from households.ages import age_on
from households.models import Person
from imports.models import CertificateStatus, DisabilityCertificate
from monitoring.enrolment import enrol_people

RECOGNITION_CATEGORIES = ("dibao_edge", "rigid_expense")


def first_of_month(day: date) -> date:
    return day.replace(day=1)


def previous_month(day: date) -> date:
    return date(day.year - (day.month == 1), (day.month - 2) % 12 + 1, 1)


def next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def covered_person_ids(application: Application) -> list[int]:
    """Who the grant covers: the applicant for a per-person programme; otherwise the household's
    members, the first `members_covered` of them when fewer are covered (the applicant, the head,
    then the others)."""
    if application.program.kind == ProgramKind.PER_PERSON:
        return [application.applicant_id]
    members = application.household.members.head_first().values_list("id", flat=True)
    ids = sorted(members, key=lambda pk: pk != application.applicant_id)  # the applicant, then the head
    if application.members_covered:
        ids = ids[: application.members_covered]
    return ids


def review_interval_for(*, program, person_ids: list[int], approved_on: date) -> int:
    """Months between reviews (DOMAIN.md): every REVIEW_MONTHS_ABLE_TO_WORK months when a covered
    member is of working age (REVIEW_WORKING_AGE, on the approval day) and holds no valid grade 1–2
    disability certificate; otherwise, and always for per-person 特困, REVIEW_MONTHS_STABLE."""
    if program.kind == ProgramKind.PER_PERSON:
        return settings.REVIEW_MONTHS_STABLE
    low, high = settings.REVIEW_WORKING_AGE
    people = Person.objects.filter(pk__in=person_ids).values_list("id_number", "birth_date")
    working = [number for number, born in people if low <= age_on(born, approved_on) <= high]
    severe = set(
        DisabilityCertificate.objects.filter(
            id_number__in=working, status=CertificateStatus.VALID, grade__in=(1, 2)
        ).values_list("id_number", flat=True)
    )
    if any(number not in severe for number in working):
        return settings.REVIEW_MONTHS_ABLE_TO_WORK
    return settings.REVIEW_MONTHS_STABLE


@transaction.atomic
def grant_create(*, application: Application, actor, today: date, reason: str) -> Grant | None:
    """The grant of an approved (or paid-first) application: monthly from the start month
    (GRANT_STARTS_NEXT_MONTH: the month after approval, else the approval's month), or one
    payment this month; its first amount row; and, for a programme with a monitoring category,
    enrolment of the people covered (record and history, same transaction).
    Recognition programmes (低保边缘, 刚性支出困难) grant no money: enrolment only, returns None."""
    program = application.program
    people = covered_person_ids(application)
    previous = {}
    if program.category:
        previous = enrol_people(
            person_ids=people, category=program.category, since=today, actor=actor, now=clock.now()
        )
    if program.category in RECOGNITION_CATEGORIES:
        return None
    one_off = program.kind == ProgramKind.ONE_OFF
    start = first_of_month(today) if one_off or not settings.GRANT_STARTS_NEXT_MONTH else next_month(today)
    grant = Grant.objects.create(
        application=application,
        program=program,
        household_id=application.household_id,
        person_id=application.applicant_id if program.kind == ProgramKind.PER_PERSON else None,
        region_id=application.region_id,
        one_off=one_off,
        amount=application.proposed_amount,
        people_covered=len(people),
        start_month=start,
        end_month=start if one_off else None,
        approved_by=actor,
        approved_on=today,
        review_interval_months=review_interval_for(program=program, person_ids=people, approved_on=today),
    )
    GrantAmount.objects.create(
        grant=grant,
        amount=grant.amount,
        from_month=start,
        computation=application.computation,
        reason=reason,
        changed_by=actor,
    )
    GrantMember.objects.bulk_create(
        GrantMember(grant=grant, person_id=pk, previous_category=previous.get(pk, "")) for pk in people
    )
    return grant
