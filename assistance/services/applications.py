"""Applications come in: through the single window, a grid worker's report, the 12349 hotline, or
an alert closed with an enrolling outcome; or the single window refers the request elsewhere."""

from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from alerts.models import Alert, Outcome
from assistance.models import (
    AlertApplication,
    Application,
    ApplicationAction,
    ApplicationEvent,
    ApplicationStatus,
    Channel,
    Program,
    Referral,
)
from households import clock
from households.models import Household, Person
from households.scoping import get_in_scope_or_404, region_in_scope

from .common import AssistanceError, copy_steps, open_step, works_cases

# The programme an enrolling alert outcome asks for (`None`: by the household's area type).
OUTCOME_PROGRAMS = {
    Outcome.ENROL_DIBAO: None,
    Outcome.ENROL_TEKUN: "tekun_dispersed",
    # alerts are about medical costs, illness, disability, unemployment: expenditure-type help
    Outcome.TEMPORARY_ASSISTANCE: "temp_expenditure",
    Outcome.ENROL_EDGE_MONITORING: "dibao_edge",
}


def program_for_outcome(outcome: str, household: Household) -> Program | None:
    if outcome not in OUTCOME_PROGRAMS:
        return None
    code = OUTCOME_PROGRAMS[outcome]
    if code is None:
        return Program.objects.get(category="dibao", area_type=household.area_type)
    return Program.objects.get(code=code)


def _check_program(program: Program, household: Household) -> None:
    if not program.active:
        raise AssistanceError(_("救助项目“%(program)s”已停用，不能受理新申请。") % {"program": program.name})
    if program.area_type and program.area_type != household.area_type:
        raise AssistanceError(
            _("该家庭为%(area)s家庭，不能申请“%(program)s”；请选择与城乡类别相符的项目。")
            % {"area": household.get_area_type_display(), "program": program.name}
        )


@transaction.atomic
def application_create(
    *,
    actor,
    household: Household,
    applicant: Person,
    program: Program,
    channel: str,
    request: str = "",
    channel_note: str = "",
    reported_by: str = "",
    staff_relative: bool = False,
    staff_relative_note: str = "",
    complex_case: bool = False,
    case_amount: Decimal | None = None,
    alert: Alert | None = None,
) -> Application:
    """Registers and accepts an application: copies the programme's steps, opens the first with its
    due date, and records who did it. Refused (AssistanceError) when the household already has an
    open application for the programme (the database guarantees it), when the applicant is not a
    member, the programme does not fit the household, or a relative is declared without saying who."""
    if not works_cases(actor) or not region_in_scope(actor, household.region_id):
        raise AssistanceError(_("只有本辖区的经办人或督导可以登记救助申请。"))
    if channel not in Channel.values:
        raise AssistanceError(_("请选择受理渠道。"))
    if applicant.household_id != household.pk:
        raise AssistanceError(_("申请人须为该家庭成员。"))
    _check_program(program, household)
    if staff_relative and not staff_relative_note.strip():
        raise AssistanceError(_("近亲属申请须写明与哪位工作人员或村（居）委会成员、何种关系。"))
    if channel == Channel.GRID_REPORT and not reported_by.strip():
        raise AssistanceError(_("网格员报告须填写报告人。"))
    if channel == Channel.HOTLINE and not channel_note.strip():
        raise AssistanceError(_("12349热线来件须填写工单号和来电内容。"))
    today = clock.today()
    templates = list(program.steps.order_by("order"))
    if not templates:
        raise AssistanceError(_("救助项目“%(program)s”尚未设置审批步骤。") % {"program": program.name})
    try:
        with transaction.atomic():
            application = Application.objects.create(
                program=program,
                household=household,
                applicant=applicant,
                region_id=household.region_id,
                channel=channel,
                request=request.strip(),
                channel_note=channel_note.strip(),
                reported_by=reported_by.strip(),
                accepted_on=today,
                complex_case=complex_case,
                staff_relative=staff_relative,
                staff_relative_note=staff_relative_note.strip(),
                case_amount=case_amount,
                created_by=actor,
                handling_level=templates[0].level,
                current_step_code=templates[0].code,
            )
    except IntegrityError as exc:
        if "application_one_open_per_household_program" not in str(exc):
            raise
        existing = Application.objects.get(
            household=household, program=program, status=ApplicationStatus.IN_PROGRESS
        )
        raise AssistanceError(
            _(
                "该家庭已有办理中的“%(program)s”申请（#%(pk)s，当前步骤：%(step)s），同一家庭同一项目只能有一件办理中的申请。"
            )
            % {"program": program.name, "pk": existing.pk, "step": existing.current_step.name}
        ) from exc
    steps = copy_steps(application, templates)
    # the procedure's due date too (open_step computes it while it is empty)
    fields = open_step(application, steps[0], today)
    for name, value in fields.items():
        setattr(application, name, value)
    application.save(update_fields=[*fields])
    ApplicationEvent.objects.create(
        application=application,
        actor=actor,
        action=ApplicationAction.FROM_ALERT if alert else ApplicationAction.CREATE,
        step=steps[0],
        note=request.strip()[:200],
        data={"channel": channel, **({"alert": alert.pk} if alert else {})},
    )
    if alert is not None:
        AlertApplication.objects.create(alert=alert, application=application)
    return application


@transaction.atomic
def application_from_alert(*, actor, alert: Alert) -> Application | None:
    """An alert closed with an enrolling outcome goes to an application for the household: a new
    one (channel 预警转办, the alert's closing note as the request), or the household's open
    application for the same programme, which then lists the alert too. None for other outcomes."""
    program = program_for_outcome(alert.outcome, alert.household)
    if program is None:
        return None
    existing = Application.objects.filter(
        household_id=alert.household_id, program=program, status=ApplicationStatus.IN_PROGRESS
    ).first()
    if existing is not None:
        AlertApplication.objects.create(alert=alert, application=existing)
        ApplicationEvent.objects.create(
            application=existing,
            actor=actor,
            action=ApplicationAction.FROM_ALERT,
            note=alert.close_note[:200],
            data={"alert": alert.pk, "joined": True},
        )
        return existing
    return application_create(
        actor=actor,
        household=alert.household,
        applicant=alert.person,
        program=program,
        channel=Channel.ALERT,
        request=alert.close_note,
        alert=alert,
    )


@transaction.atomic
def referral_create(
    *, actor, household: Household, person: Person, channel: str, request: str, department: str, due_on: date
) -> Referral:
    """The single window passes a request it does not handle to another department, with the date
    by which the answer is due."""
    if not works_cases(actor) or not region_in_scope(actor, household.region_id):
        raise AssistanceError(_("只有本辖区的经办人或督导可以登记转介。"))
    if person.household_id != household.pk:
        raise AssistanceError(_("申请人须为该家庭成员。"))
    if channel not in Channel.values or channel == Channel.ALERT:
        raise AssistanceError(_("请选择受理渠道（一门受理、网格员报告或12349热线）。"))
    if not request.strip() or not department.strip():
        raise AssistanceError(_("转介须填写申请事项和接收部门。"))
    today = clock.today()
    if due_on < today:
        raise AssistanceError(_("答复期限不能早于今天（%(today)s）。") % {"today": today.isoformat()})
    return Referral.objects.create(
        household=household,
        person=person,
        region_id=household.region_id,
        channel=channel,
        request=request.strip(),
        department=department.strip(),
        referred_on=today,
        due_on=due_on,
        created_by=actor,
    )


@transaction.atomic
def referral_answer(*, actor, referral_id: int, answer: str, answered_on: date) -> Referral:
    """Records the answer the receiving department gave (once)."""
    referral = get_in_scope_or_404(
        Referral.objects.select_for_update(), actor, region_path="region__code", pk=referral_id
    )
    if not works_cases(actor):
        raise AssistanceError(_("只有经办人或督导可以登记转介结果。"))
    if referral.answered_on is not None:
        raise AssistanceError(_("该转介已登记办理结果。"))
    if not answer.strip():
        raise AssistanceError(_("请填写接收部门的办理结果。"))
    if answered_on < referral.referred_on or answered_on > clock.today():
        raise AssistanceError(_("答复日期须在转介日期和今天之间。"))
    referral.answer = answer.strip()
    referral.answered_on = answered_on
    referral.answered_by = actor
    referral.save(update_fields=["answer", "answered_on", "answered_by"])
    return referral
