"""公示: publishing a village's notice, recording objections and deciding them."""

from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.utils.translation import gettext as _

from assistance.errors import AssistanceError
from assistance.models import (
    Application,
    ApplicationAction,
    ApplicationEvent,
    ApplicationStatus,
    Notice,
    NoticeEntry,
    Objection,
    ObjectionStatus,
    StepCode,
    StepLevel,
    StepStatus,
)
from assistance.selectors_notices import waiting_at_notice
from households import clock
from households.models import Region, RegionLevel
from households.scoping import get_in_scope_or_404

from .common import can_act_at, copy_steps, open_step, write


def notice_display_name(person, day: date) -> str:
    """The name shown on a notice: the full name, or surname + 某 for a minor (under 18 on `day`)."""
    if person.age_on(day) < 18:
        return f"{person.name[:1]}某"
    return person.name


def waiting_for_notice(actor, village_code: str):
    """Applications of a village at the 公示 step with no notice since the step opened."""
    qs = waiting_at_notice(actor).filter(region_id=village_code)
    qs = qs.select_related("current_step", "applicant", "program", "household")
    return list(qs.annotate(household_size=Count("household__members")))


@transaction.atomic
def notice_publish(*, actor, village_code: str, starts_on: date | None = None) -> Notice:
    """Publishes the notice of a village: every application of the village waiting at 公示, with
    the head's (or applicant's) display name, people covered, proposed amount and programme, for
    NOTICE_DAYS calendar days from `starts_on` (today by default)."""
    village = get_in_scope_or_404(Region.objects.all(), actor, region_path="code", code=village_code)
    if village.level != RegionLevel.VILLAGE:
        raise AssistanceError(_("公示按村（社区）发布：请选择一个村（社区）。"))
    if not can_act_at(actor, StepLevel.TOWN, village.code):
        raise AssistanceError(_("只有本辖区的经办人或督导可以发布公示。"))
    today = clock.today()
    starts_on = starts_on or today
    if starts_on < today:
        raise AssistanceError(_("公示开始日期不能早于今天。"))
    waiting = waiting_for_notice(actor, village.code)
    if not waiting:
        raise AssistanceError(_("该村（社区）没有待公示的申请。"))
    notice = Notice.objects.create(
        village=village,
        starts_on=starts_on,
        ends_on=starts_on + timedelta(days=settings.NOTICE_DAYS - 1),
        published_by=actor,
    )
    NoticeEntry.objects.bulk_create(
        NoticeEntry(
            notice=notice,
            application=a,
            head_display=notice_display_name(a.applicant, starts_on),
            people_covered=a.members_covered or (1 if a.program.kind == "person" else a.household_size),
            proposed_amount=a.proposed_amount,
            program_name=a.program.name,
        )
        for a in waiting
    )
    ApplicationEvent.objects.bulk_create(
        ApplicationEvent(
            application=a,
            actor=actor,
            action=ApplicationAction.NOTICE,
            step=a.current_step,
            data={
                "notice": notice.pk,
                "starts_on": starts_on.isoformat(),
                "ends_on": notice.ends_on.isoformat(),
            },
        )
        for a in waiting
    )
    return notice


@transaction.atomic
def objection_record(
    *, actor, entry_id: int, received_on: date, content: str, raised_by: str = ""
) -> Objection:
    """Records an objection to a notice line (during or after the period)."""
    entry = get_in_scope_or_404(
        NoticeEntry.objects.select_related("notice", "application"),
        actor,
        region_path="application__region__code",
        pk=entry_id,
    )
    if not can_act_at(actor, StepLevel.TOWN, entry.application.region_id):
        raise AssistanceError(_("只有本辖区的经办人或督导可以登记公示异议。"))
    if not content.strip():
        raise AssistanceError(_("请填写异议内容。"))
    if received_on < entry.notice.starts_on or received_on > clock.today():
        raise AssistanceError(_("收到日期须在公示开始日期和今天之间。"))
    objection = Objection.objects.create(
        entry=entry,
        received_on=received_on,
        content=content.strip(),
        raised_by=raised_by.strip(),
        recorded_by=actor,
    )
    ApplicationEvent.objects.create(
        application=entry.application,
        actor=actor,
        action=ApplicationAction.OBJECTION,
        step=entry.application.current_step,
        note=content.strip()[:200],
        data={"objection": objection.pk},
    )
    return objection


@transaction.atomic
def objection_decide(*, actor, objection_id: int, upheld: bool, finding: str) -> Objection:
    """Decides an objection after checking it. Upheld: the application goes back to the
    investigation step — the open step is marked returned, the steps from 入户调查 on are added
    again as the next round (a new visit, check, review and notice)."""
    objection = get_in_scope_or_404(
        Objection.objects.select_for_update(of=("self",)).select_related("entry__application"),
        actor,
        region_path="entry__application__region__code",
        pk=objection_id,
    )
    application = (
        Application.objects.select_for_update(of=("self",))
        .select_related("program", "current_step")
        .get(pk=objection.entry.application_id)
    )
    if not can_act_at(actor, StepLevel.TOWN, application.region_id):
        raise AssistanceError(_("只有本辖区的经办人或督导可以处理公示异议。"))
    if objection.status != ObjectionStatus.PENDING:
        raise AssistanceError(_("该异议已处理。"))
    if not finding.strip():
        raise AssistanceError(_("请填写异议核实情况。"))
    objection.status = ObjectionStatus.UPHELD if upheld else ObjectionStatus.DISMISSED
    objection.finding = finding.strip()
    objection.decided_by = actor
    objection.decided_at = clock.now()
    objection.save(update_fields=["status", "finding", "decided_by", "decided_at"])
    fields = {}
    data = {"objection": objection.pk, "upheld": upheld}
    if upheld and application.status == ApplicationStatus.IN_PROGRESS:
        fields = _back_to_investigation(application)
        data["round"] = fields["current_step"].round
    write(
        application,
        actor=actor,
        lock_version=application.lock_version,
        action=ApplicationAction.RETURN if upheld else ApplicationAction.OBJECTION_DECIDED,
        step=fields.get("current_step", application.current_step),
        note=finding.strip()[:200],
        data=data,
        **fields,
    )
    return objection


def _back_to_investigation(application: Application) -> dict:
    current = application.current_step
    current.status = StepStatus.RETURNED
    current.save(update_fields=["status"])
    earlier = (
        application.steps.filter(
            round=current.round, order__gte=_investigation_order(application, current.round)
        )
        .select_related("template")
        .order_by("order")
    )
    steps = copy_steps(application, [s.template for s in earlier], current.round + 1)
    return open_step(application, steps[0], clock.today())


def _investigation_order(application: Application, round_: int) -> int:
    step = application.steps.filter(round=round_, code=StepCode.HOME_VISIT).first()
    if step is None:
        raise AssistanceError(_("该项目没有入户调查步骤，无法退回重新调查。"))
    return step.order
