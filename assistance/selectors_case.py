"""Reads of one application's page: the application in the user's scope and everything its page
shows, in a fixed number of queries whatever the size of the tables (no query per row)."""

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Prefetch, QuerySet

from assistance.models import (
    AlertApplication,
    Application,
    ApplicationEvent,
    ApplicationStep,
    ApplicationVisit,
    Finding,
    GrantAmount,
    NoticeEntry,
    Objection,
    Standard,
    StepCode,
    StepStatus,
)
from households.models import Person, Relation, Role, User
from households.scoping import get_in_scope_or_404

# The history of one application is tens of rows; the cap only guards the page against a runaway.
EVENTS_SHOWN = 500


def application_get(*, user, pk: int) -> Application:
    """The application with what its header shows, if `user` may see it (else 404)."""
    qs = Application.objects.select_related(
        "program",
        "household",
        "applicant",
        "region__parent",
        "current_step",
        "created_by",
        "grant",
    )
    return get_in_scope_or_404(qs, user, region_path="region__code", pk=pk)


@dataclass
class CaseFile:
    """Everything the page of one application lists, each list loaded by one query."""

    head: Person | None
    steps: list[ApplicationStep]
    visits: list[ApplicationVisit]
    findings: list[Finding]
    standards: list[Standard]
    entries: list[NoticeEntry]
    grant_amounts: list[GrantAmount]
    events: list[ApplicationEvent]
    alert_links: list[AlertApplication]
    rounds: int = 1
    first_reviewer_id: int | None = None


def case_file(application: Application) -> CaseFile:
    """The lists of `application`'s page (the caller has checked the scope)."""
    steps = list(application.steps.select_related("decided_by", "template").order_by("round", "order"))
    passed_first = [s for s in steps if s.code == StepCode.FIRST_REVIEW and s.status == StepStatus.PASSED]
    standard_ids = application.computation.get("standard_ids") or []
    grant = getattr(application, "grant", None)
    return CaseFile(
        head=Person.objects.filter(household_id=application.household_id, relation=Relation.HEAD).first(),
        steps=steps,
        visits=list(
            ApplicationVisit.objects.filter(application=application)
            .select_related("visit", "staff_first", "staff_second")
            .order_by("round", "visit__visited_on", "id")
        ),
        findings=list(application.findings.select_related("person", "confirmed_by")),
        standards=list(Standard.objects.filter(pk__in=standard_ids).select_related("program"))
        if standard_ids
        else [],
        entries=list(
            NoticeEntry.objects.filter(application=application)
            .select_related("notice__village")
            .prefetch_related(
                Prefetch("objections", queryset=Objection.objects.order_by("received_on", "id"))
            )
            .order_by("notice__starts_on", "id")
        ),
        grant_amounts=list(grant.amounts.select_related("changed_by")) if grant is not None else [],
        events=list(application.events.select_related("actor", "step").order_by("at", "id")[:EVENTS_SHOWN]),
        alert_links=list(application.alert_links.select_related("alert").order_by("alert_id")),
        rounds=max((s.round for s in steps), default=1),
        first_reviewer_id=max(passed_first, key=lambda s: s.round).decided_by_id if passed_first else None,
    )


def second_staff_choices(*, application: Application, actor) -> QuerySet[User]:
    """Who may be the second investigator: active caseworkers and supervisors whose scope covers
    the application's region, the actor excepted (a visit is made by two people)."""
    code = application.region_id
    scopes = {code[:n] for n in (6, 9, 12) if n <= len(code)} | {settings.CITY_REGION_CODE}
    return (
        User.objects.filter(
            is_active=True, role__in=(Role.CASEWORKER, Role.SUPERVISOR), scope__code__in=scopes
        )
        .exclude(pk=actor.pk)
        .select_related("scope")
        .order_by("scope__code", "username")
    )
