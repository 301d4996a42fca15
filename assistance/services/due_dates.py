"""Due dates of open applications again, after the holiday calendar changed (a year entered, a day
corrected): a pending due date (year unknown when the step opened) gets its date, and a corrected
holiday moves the dates it touches."""

from django.db import transaction

from assistance.models import Application, ApplicationStatus, ApplicationStep
from households import workdays

from .common import overall_due, step_due


def due_dates_refresh() -> int:
    """Recomputes the overall and current-step due dates of every open application from its
    acceptance and its step's opening date, by the rules the steps were opened with
    (`common.overall_due`, `common.step_due`), with one calendar read per year; writes only the
    rows whose dates change (bulk UPDATE; no new lock_version: a derived date, not a decision).
    Returns how many applications changed."""
    calendar = workdays.WorkingCalendar()
    changed_apps, changed_steps = [], []
    open_apps = (
        Application.objects.filter(status=ApplicationStatus.IN_PROGRESS)
        .select_related("program", "current_step__template")
        .only(
            "id", "accepted_on", "complex_case", "due_on", "current_due_on",
            "program__time_limit_working_days", "program__complex_time_limit_working_days",
            "current_step__id", "current_step__opened_on", "current_step__due_on",
            "current_step__template__time_limit", "current_step__template__time_unit",
        )
    )  # fmt: skip
    for app in open_apps.iterator(chunk_size=2000):
        overall = overall_due(app.program, app.accepted_on, app.complex_case, calendar)
        step = app.current_step  # the open step (an open application always has one)
        current = step_due(step, step.opened_on, overall, calendar)
        if (app.due_on, app.current_due_on) != (overall, current):
            app.due_on, app.current_due_on = overall, current
            changed_apps.append(app)
        if step.due_on != current:
            step.due_on = current
            changed_steps.append(step)
    with transaction.atomic():
        Application.objects.bulk_update(changed_apps, ["due_on", "current_due_on"], batch_size=2000)
        ApplicationStep.objects.bulk_update(changed_steps, ["due_on"], batch_size=2000)
    return len(changed_apps)
