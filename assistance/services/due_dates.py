"""Due dates of open applications again, after the holiday calendar changed (a year entered, a day
corrected): a pending due date (year unknown when the step opened) gets its date, and a corrected
holiday moves the dates it touches."""

from django.db import transaction

from assistance.models import Application, ApplicationStatus, ApplicationStep, StepStatus, TimeUnit
from households import workdays


def due_dates_refresh() -> int:
    """Recomputes the overall and current-step due dates of every open application from its
    acceptance and its step's opening date, with one calendar read per year; writes only the rows
    whose dates change (bulk UPDATE). Returns how many applications changed."""
    calendar = workdays.WorkingCalendar()

    def due(start, n, unit=TimeUnit.WORKING_DAYS):
        if unit == TimeUnit.CALENDAR_DAYS:
            from datetime import timedelta

            return start + timedelta(days=n)
        try:
            return calendar.add_working_days(start, n)
        except workdays.UnknownCalendarYear:
            return None

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
        program = app.program
        limit = (
            program.complex_time_limit_working_days if app.complex_case else program.time_limit_working_days
        )
        overall = due(app.accepted_on, limit) if limit is not None else None
        step = app.current_step
        template = step.template
        if template.time_limit is None:
            step_due = overall
        else:
            step_due = due(step.opened_on, template.time_limit, template.time_unit)
        if (app.due_on, app.current_due_on) != (overall, step_due):
            app.due_on, app.current_due_on = overall, step_due
            changed_apps.append(app)
        if step.due_on != step_due and step.status == StepStatus.OPEN:
            step.due_on = step_due
            changed_steps.append(step)
    with transaction.atomic():
        Application.objects.bulk_update(changed_apps, ["due_on", "current_due_on"], batch_size=2000)
        ApplicationStep.objects.bulk_update(changed_steps, ["due_on"], batch_size=2000)
    return len(changed_apps)
