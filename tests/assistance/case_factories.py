"""Applications for tests: a household in a village of 旧州镇 and an application taken through its steps
by the services, the way caseworkers and supervisors do it."""

from datetime import date
from decimal import Decimal

from assistance import services
from assistance.models import Application, Program
from households import clock
from households.models import Relation, Role
from tests.conftest import TOWN_A, VILLAGE_A
from tests.factories import HouseholdFactory, PersonFactory, UserFactory, region


def family(region_code: str = VILLAGE_A, *, members: int = 3, area_type: str = "rural", head: str = "王建国"):
    """A household of `members` people (the head first) in `region_code`."""
    household = HouseholdFactory(region=region(region_code), area_type=area_type)
    PersonFactory(household=household, name=head, relation=Relation.HEAD)
    for k in range(members - 1):
        PersonFactory(household=household, name=f"王家人{k}", relation=Relation.CHILD)
    return household


def second_caseworker(code: str = TOWN_A):
    """The second investigator every home investigation needs."""
    return UserFactory(username=f"second_{code}", role=Role.CASEWORKER, scope=region(code))


def apply(actor, household, program_code: str, channel: str = "single_window", **kwargs) -> Application:
    return services.application_create(
        actor=actor,
        household=household,
        applicant=household.members.get(relation=Relation.HEAD),
        program=Program.objects.get(code=program_code),
        channel=channel,
        request=kwargs.pop("request", "申请救助"),
        **kwargs,
    )


def fresh(application: Application) -> Application:
    return Application.objects.select_related("current_step", "program").get(pk=application.pk)


def pass_step(actor, application: Application, opinion: str = "同意") -> Application:
    application = fresh(application)
    return services.step_pass(
        actor=actor, application_id=application.pk, lock_version=application.lock_version, opinion=opinion
    )


def visit(actor, application: Application, second=None, visited_on: date | None = None):
    application = fresh(application)
    return services.application_record_visit(
        actor=actor,
        application_id=application.pk,
        lock_version=application.lock_version,
        visited_on=visited_on or clock.today(),
        staff_second=second or second_caseworker(),
        findings="家中两人患病，无固定收入",
        household_situation="三口之家，土坯房",
    )


def set_dibao_amount(actor, application: Application, income="300", members=3) -> Application:
    application = fresh(application)
    return services.application_set_amount(
        actor=actor,
        application_id=application.pk,
        lock_version=application.lock_version,
        monthly_income_per_capita=Decimal(income),
        members_covered=members,
    )


def application_at(
    step_code: str, household, actor, program_code: str = "rural_dibao", **kwargs
) -> Application:
    """An application accepted by `actor` and standing at `step_code`, the earlier steps recorded as
    passed by `actor` (test data: written directly, not through the services)."""
    from assistance.models import ApplicationStep, StepStatus

    application = apply(actor, household, program_code, **kwargs)
    steps = list(application.steps.order_by("order"))
    target = next(s for s in steps if s.code == step_code)
    now = clock.now()
    for step in steps:
        if step.order < target.order:
            ApplicationStep.objects.filter(pk=step.pk).update(
                status=StepStatus.PASSED,
                decided_by=actor,
                decided_at=now,
                opinion="同意",
                opened_on=clock.today(),
            )
        elif step.pk == target.pk:
            ApplicationStep.objects.filter(pk=step.pk).update(status=StepStatus.OPEN, opened_on=clock.today())
        else:
            ApplicationStep.objects.filter(pk=step.pk).update(status=StepStatus.PENDING)
    Application.objects.filter(pk=application.pk).update(
        current_step=target,
        current_step_code=target.code,
        handling_level=target.level,
        members_covered=household.members.count(),
        monthly_income_per_capita=Decimal("300"),
        proposed_amount=Decimal("500.00")
        if step_code not in ("accept", "home_visit", "info_check")
        else None,
    )
    return fresh(application)


def close_alert(alert, actor, outcome: str, note: str = "经核查情况属实"):
    """Takes an assigned alert through verification and a visit to closing with `outcome`."""
    from alerts.services import triage
    from tests.alerts.triage_factories import visit_for

    triage.alert_start_verification(actor=actor, alert_id=alert.pk, lock_version=alert.lock_version)
    alert.refresh_from_db()
    visit_for(alert, actor)
    alert.refresh_from_db()
    return triage.alert_close(
        actor=actor, alert_id=alert.pk, lock_version=alert.lock_version, outcome=outcome, note=note
    )


def reject(actor, application: Application, reason: str = "家庭人均收入高于保障标准") -> Application:
    application = fresh(application)
    return services.step_reject(
        actor=actor, application_id=application.pk, lock_version=application.lock_version, reason=reason
    )


def withdraw(actor, application: Application, reason: str = "申请人主动撤回") -> Application:
    application = fresh(application)
    return services.application_withdraw(
        actor=actor, application_id=application.pk, lock_version=application.lock_version, reason=reason
    )


def set_case_amount(actor, application: Application, amount: str) -> Application:
    application = fresh(application)
    return services.application_set_amount(
        actor=actor,
        application_id=application.pk,
        lock_version=application.lock_version,
        case_amount=Decimal(amount),
    )
