"""What every application action shares: its error, who may act at which level, loading in scope,
the conditional write with its history row, and due dates."""

from datetime import date, timedelta

from django.db.models import F
from django.utils.translation import gettext as _

from assistance.errors import AssistanceError, StaleApplicationError
from assistance.models import (
    Application,
    ApplicationEvent,
    ApplicationStatus,
    ApplicationStep,
    StepLevel,
    StepStatus,
    TimeUnit,
)
from households import clock, workdays
from households.models import RegionLevel, Role
from households.scoping import get_in_scope_or_404, region_in_scope

COUNTY_LEVELS = (RegionLevel.CITY, RegionLevel.COUNTY)


def is_county_user(user) -> bool:
    """A supervisor whose scope is a county or the whole city: county-level decisions are theirs."""
    if user.is_superuser:
        return True
    return user.role == Role.SUPERVISOR and user.scope_id is not None and user.scope.level in COUNTY_LEVELS


def works_cases(user) -> bool:
    """Caseworkers and supervisors handle applications (data and system admins do not)."""
    return user.is_superuser or user.role in (Role.CASEWORKER, Role.SUPERVISOR)


def can_act_at(user, level: str, region_code: str) -> bool:
    """May `user` decide a step of `level` for an application of `region_code`?
    Town steps: caseworkers and supervisors of the region; county and committee steps: county or
    city supervisors of the region."""
    if not works_cases(user) or not region_in_scope(user, region_code):
        return False
    if level == StepLevel.TOWN:
        return True
    return is_county_user(user)


def load(actor, application_id: int, *, for_update: bool = False) -> Application:
    """The application if `actor` may see it (out of scope looks like missing: 404)."""
    qs = Application.objects.select_related("program", "household", "current_step")
    if for_update:
        qs = qs.select_for_update(of=("self",))
    return get_in_scope_or_404(qs, actor, region_path="region__code", pk=application_id)


def check_fresh(application: Application, lock_version: int) -> None:
    if application.lock_version != lock_version:
        raise StaleApplicationError(
            _("该申请已被他人办理（当前步骤：%(step)s），您的操作未保存。请刷新页面查看最新情况后重试。")
            % {"step": application.current_step.name if application.current_step_id else _("已办结")}
        )


def require_open(application: Application) -> ApplicationStep:
    if application.status != ApplicationStatus.IN_PROGRESS:
        raise AssistanceError(
            _("该申请已办结（%(status)s），不能再办理。") % {"status": application.get_status_display()}
        )
    return application.current_step


def write(
    application: Application,
    *,
    actor,
    lock_version: int,
    action: str,
    step=None,
    note="",
    data=None,
    **fields,
):
    """Conditional UPDATE on lock_version, then one history row. Refuses a stale version."""
    now = clock.now()
    updated = Application.objects.filter(pk=application.pk, lock_version=lock_version).update(
        **fields, lock_version=F("lock_version") + 1, updated_at=now
    )
    if updated != 1:
        application.refresh_from_db()
        check_fresh(application, lock_version)
    for name, value in fields.items():
        setattr(application, name, value)
    application.lock_version = lock_version + 1
    application.updated_at = now
    ApplicationEvent.objects.create(
        application=application, actor=actor, action=action, step=step, note=note, data=data or {}
    )
    return application


def overall_due(program, accepted_on: date, complex_case: bool, calendar=None) -> date | None:
    """The whole procedure's due date: the programme's limit in working days from acceptance."""
    limit = program.complex_time_limit_working_days if complex_case else program.time_limit_working_days
    if limit is None:
        return None
    return working_due(accepted_on, limit, calendar)


def step_due(step: ApplicationStep, opened_on: date, overall: date | None, calendar=None) -> date | None:
    """A step's due date: its own limit when the template sets one (working or calendar days from
    the day it opened), else the whole procedure's due date."""
    template = step.template
    if template.time_limit is None:
        return overall
    if template.time_unit == TimeUnit.CALENDAR_DAYS:
        return opened_on + timedelta(days=template.time_limit)
    return working_due(opened_on, template.time_limit, calendar)


def working_due(start: date, n: int, calendar=None) -> date | None:
    """n working days after `start`; None when the holiday arrangement of a year it reaches is not
    entered yet (the due date is "pending" until the year is entered: `due_dates.due_dates_refresh` runs then).
    Casework is never blocked by a missing calendar."""
    try:
        return (calendar or workdays.WorkingCalendar()).add_working_days(start, n)
    except workdays.UnknownCalendarYear:
        return None


def copy_steps(application: Application, templates, round_: int = 1) -> list[ApplicationStep]:
    """The application's steps of one round, copied from `templates` (the programme's ApprovalStep
    rows, in order): a template changed later never rewrites a running application."""
    return ApplicationStep.objects.bulk_create(
        ApplicationStep(
            application=application,
            template=t,
            round=round_,
            order=t.order,
            code=t.code,
            name=t.name,
            level=t.level,
            after_payment=t.after_payment,
        )
        for t in templates
    )


def open_step(application: Application, step: ApplicationStep, today: date) -> dict:
    """Marks `step` open from `today` with its due date; returns the application fields to save
    (with the procedure's due date when it was pending and the calendar now knows it)."""
    fields = {}
    if application.due_on is None:
        due_on = overall_due(application.program, application.accepted_on, application.complex_case)
        if due_on is not None:
            fields["due_on"] = application.due_on = due_on
    step.status = StepStatus.OPEN
    step.opened_on = today
    step.due_on = step_due(step, today, application.due_on)
    step.save(update_fields=["status", "opened_on", "due_on"])
    return {
        **fields,
        "current_step": step,
        "current_step_code": step.code,
        "current_due_on": step.due_on,
        "handling_level": step.level,
    }
