"""The approval steps of an application: the investigation visit, the amount, the findings of the
check, passing a step, rejecting, withdrawing.

Rules enforced here (DOMAIN.md "Approval steps"):
- a step is decided by someone who may act at its level for the application's region
  (`common.can_act_at`); a county-level 临时救助 amount makes its 审批确认 a county decision;
- 入户调查 passes only with a visit of this round by two staff members; 信息核对 only when every
  finding is confirmed or explained; 初审意见 and the committee only with an amount computed;
  公示 only when the notice period is over and no objection is pending or upheld;
- maker–checker: whoever gave 初审 cannot give the final confirmation;
- 近亲属: the county confirmation needs a visit recorded by county staff;
- rejection at any step needs a written reason; the refusal's written-notice due date is recorded;
- the step that approves creates the grant (`grants.grant_create`) and enrols the people.
"""

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from alerts.models import HomeVisit
from assistance import selectors
from assistance.models import (
    Application,
    ApplicationAction,
    ApplicationStatus,
    ApplicationVisit,
    Finding,
    FindingStatus,
    NoticeEntry,
    ObjectionStatus,
    ProgramKind,
    StepCode,
    StepLevel,
    StepStatus,
)
from households import clock
from households.models import RegionLevel, User
from households.scoping import get_in_scope_or_404, region_in_scope

from . import findings as findings_service
from .common import (
    AssistanceError,
    can_act_at,
    check_fresh,
    load,
    open_step,
    require_open,
    working_due,
    works_cases,
    write,
)
from .grants import grant_create

# Steps whose decision needs a written opinion.
OPINION_REQUIRED_CODES = (
    StepCode.FIRST_REVIEW,
    StepCode.CONFIRM,
    StepCode.COMMITTEE_REVIEW,
    StepCode.LEADING_GROUP_REVIEW,
)
FINAL_CODES = (StepCode.CONFIRM, StepCode.LEADING_GROUP_REVIEW)
# Steps whose passing pays: the grant is created then.
PAYING_CODES = (StepCode.HELP_FIRST, StepCode.PAYMENT)


def _round(application: Application) -> int:
    return application.current_step.round


def step_level(application: Application, step) -> str:
    """The level a step is decided at; a 临时救助 amount above the town's limit moves its
    confirmation to the county."""
    if step.code == StepCode.CONFIRM and application.computation.get("approval_level") == StepLevel.COUNTY:
        return StepLevel.COUNTY
    return step.level


def _require_actor(actor, application: Application, step) -> None:
    level = step_level(application, step)
    if not can_act_at(actor, level, application.region_id):
        if level == StepLevel.TOWN:
            raise AssistanceError(_("“%(step)s”由乡镇（街道）经办人或督导办理。") % {"step": step.name})
        raise AssistanceError(_("“%(step)s”须由县级（或市级）督导办理。") % {"step": step.name})


@transaction.atomic
def application_record_visit(
    *,
    actor,
    application_id: int,
    lock_version: int,
    visited_on: date,
    staff_second: User,
    findings: str,
    household_situation: str,
) -> ApplicationVisit:
    """Records the home investigation, made by `actor` and a second staff member of the region."""
    application = load(actor, application_id, for_update=True)
    check_fresh(application, lock_version)
    step = require_open(application)
    if not can_act_at(actor, StepLevel.TOWN, application.region_id):
        raise AssistanceError(_("只有本辖区的经办人或督导可以登记入户调查。"))
    if staff_second.pk == actor.pk:
        raise AssistanceError(_("入户调查须由两名工作人员进行：第二名调查人员不能是您本人。"))
    if (
        not staff_second.is_active
        or not works_cases(staff_second)
        or not region_in_scope(staff_second, application.region_id)
    ):
        raise AssistanceError(_("第二名调查人员须为负责该家庭所在区域的在职工作人员。"))
    today = clock.today()
    if visited_on > today or visited_on < application.accepted_on:
        raise AssistanceError(
            _("调查日期须在受理日期（%(accepted)s）和今天（%(today)s）之间。")
            % {"accepted": application.accepted_on.isoformat(), "today": today.isoformat()}
        )
    if not findings.strip() or not household_situation.strip():
        raise AssistanceError(_("请填写调查情况和家庭状况。"))
    names = [u.get_full_name() or u.username for u in (actor, staff_second)]
    visit = HomeVisit.objects.create(
        alert=None,
        household_id=application.household_id,
        visited_on=visited_on,
        visitors="、".join(names),
        findings=findings.strip(),
        household_situation=household_situation.strip(),
        recorded_by=actor,
    )
    link = ApplicationVisit.objects.create(
        application=application, visit=visit, round=step.round, staff_first=actor, staff_second=staff_second
    )
    write(
        application,
        actor=actor,
        lock_version=lock_version,
        action=ApplicationAction.RECORD_VISIT,
        step=step,
        note=findings.strip()[:200],
        data={"visit": visit.pk, "round": step.round, "visited_on": visited_on.isoformat()},
    )
    return link


# From these steps on the amount is what was decided or paid: it no longer changes. A programme
# with a 公示 step also fixes it at its confirmation (the village saw that amount); an upheld
# objection starts a new round at 入户调查, where it may be computed again.
AMOUNT_FIXED_CODES = (StepCode.NOTICE, StepCode.LEADING_GROUP_REVIEW, StepCode.PAYMENT, StepCode.FOLLOW_UP)


def amount_open(application: Application) -> bool:
    """May the amount be (re)computed now: the application is open, nothing has been paid, and the
    amount is not yet published or decided."""
    step = application.current_step
    if application.status != ApplicationStatus.IN_PROGRESS or step is None:
        return False
    if step.code in AMOUNT_FIXED_CODES or hasattr(application, "grant"):
        return False
    return not (step.code == StepCode.CONFIRM and application.steps.filter(code=StepCode.NOTICE).exists())


def _visits_this_round(application: Application):
    """Visits of the current round (an upheld objection asks for a new investigation)."""
    return ApplicationVisit.objects.filter(application=application, round=_round(application))


@transaction.atomic
def application_set_amount(
    *,
    actor,
    application_id: int,
    lock_version: int,
    monthly_income_per_capita: Decimal | None = None,
    members_covered: int | None = None,
    self_care_level: str = "",
    case_amount: Decimal | None = None,
) -> Application:
    """Computes the amount from the standard in force today (DOMAIN.md "Amounts") and stores it with
    the computation (standard rows and inputs used)."""
    application = load(actor, application_id, for_update=True)
    check_fresh(application, lock_version)
    step = require_open(application)
    if not can_act_at(actor, StepLevel.TOWN, application.region_id):
        raise AssistanceError(_("只有本辖区的经办人或督导可以核定金额。"))
    if not amount_open(application):
        raise AssistanceError(
            _(
                "金额已公示、进入审批或已发放，当前步骤“%(step)s”不能再修改；如需调整，须经公示异议退回重新调查。"
            )
            % {"step": step.name}
        )
    # the grant covers members by name: an amount for more people than the household has would be
    # paid to nobody
    members = application.household.members.count()
    if members_covered is not None and members_covered > members:
        raise AssistanceError(
            _("保障人数（%(covered)s人）不能多于家庭人口（%(members)s人）。")
            % {"covered": members_covered, "members": members}
        )
    computation = selectors.compute_amount(
        application,
        day=clock.today(),
        monthly_income_per_capita=monthly_income_per_capita,
        members_covered=members_covered,
        self_care_level=self_care_level,
        case_amount=case_amount,
    )
    standard_ids = computation.standard_ids
    return write(
        application,
        actor=actor,
        lock_version=lock_version,
        action=ApplicationAction.SET_AMOUNT,
        step=step,
        note=computation.formula,
        data=computation.as_json(),
        monthly_income_per_capita=monthly_income_per_capita,
        members_covered=members_covered,
        self_care_level=self_care_level,
        case_amount=case_amount,
        proposed_amount=computation.amount,
        computation=computation.as_json(),
        standard_id=standard_ids[0] if standard_ids else None,
    )


@transaction.atomic
def finding_confirm(*, actor, finding_id: int, status: str, explanation: str = "") -> Finding:
    """The caseworker confirms a finding (属实) or explains it (已说明, with a text)."""
    finding = get_in_scope_or_404(
        Finding.objects.select_for_update(of=("self",)),
        actor,
        region_path="application__region__code",
        pk=finding_id,
    )
    application = load(actor, finding.application_id, for_update=True)
    step = require_open(application)
    if not can_act_at(actor, StepLevel.TOWN, application.region_id):
        raise AssistanceError(_("只有本辖区的经办人或督导可以确认核对结果。"))
    if step.code != StepCode.INFO_CHECK:
        raise AssistanceError(_("核对结果在“信息核对”步骤确认；当前步骤为“%(step)s”。") % {"step": step.name})
    if finding.status != FindingStatus.PENDING:
        raise AssistanceError(_("该核对结果已由他人确认，请刷新页面查看。"))
    if status not in (FindingStatus.CONFIRMED, FindingStatus.EXPLAINED):
        raise AssistanceError(_("请选择“属实”或“已说明”。"))
    if status == FindingStatus.EXPLAINED and not explanation.strip():
        raise AssistanceError(_("选择“已说明”时须填写说明。"))
    finding.status = status
    finding.explanation = explanation.strip()
    finding.confirmed_by = actor
    finding.confirmed_at = clock.now()
    finding.save(update_fields=["status", "explanation", "confirmed_by", "confirmed_at"])
    write(
        application,
        actor=actor,
        lock_version=application.lock_version,
        action=ApplicationAction.CONFIRM_FINDING,
        step=application.current_step,
        note=finding.summary[:200],
        data={"finding": finding.pk, "status": status},
    )
    return finding


def _first_reviewer_id(application: Application) -> int | None:
    step = (
        application.steps.filter(code=StepCode.FIRST_REVIEW, status=StepStatus.PASSED)
        .order_by("-round")
        .first()
    )
    return step.decided_by_id if step else None


def _check_can_pass(actor, application: Application, step) -> None:
    """Raises AssistanceError saying what is missing before `step` can pass."""
    code = step.code
    if code == StepCode.HOME_VISIT and not _visits_this_round(application).exists():
        raise AssistanceError(_("请先登记入户调查（调查日期、两名调查人员、调查情况、家庭状况）。"))
    if code == StepCode.INFO_CHECK:
        pending = application.findings.filter(status=FindingStatus.PENDING).count()
        if pending:
            raise AssistanceError(
                _("还有 %(n)s 条核对结果待确认：请逐条确认属实或填写说明。") % {"n": pending}
            )
    needs_amount = code in (StepCode.FIRST_REVIEW, StepCode.COMMITTEE_REVIEW, StepCode.HELP_FIRST) or (
        code == StepCode.CONFIRM and application.program.kind == ProgramKind.ONE_OFF
    )
    recognition = application.program.category in ("dibao_edge", "rigid_expense")
    if needs_amount and not recognition and application.proposed_amount is None:
        raise AssistanceError(_("请先核定救助金额（填写家庭收入、保障人数等并计算）。"))
    if code == StepCode.NOTICE:
        entry = (
            NoticeEntry.objects.filter(application=application, notice__starts_on__gte=step.opened_on)
            # a line with an upheld objection belongs to the round it sent back
            .exclude(objections__status=ObjectionStatus.UPHELD)
            .select_related("notice")
            .order_by("-notice__starts_on")
            .first()
        )
        if entry is None:
            raise AssistanceError(_("该申请尚未列入公示：请先发布本村（社区）的公示。"))
        if entry.notice.ends_on >= clock.today():
            raise AssistanceError(
                _("公示期至 %(end)s 结束，公示期满后才能办理下一步。")
                % {"end": entry.notice.ends_on.isoformat()}
            )
        if entry.objections.filter(status=ObjectionStatus.PENDING).exists():
            raise AssistanceError(_("公示异议尚未处理：请先核实并登记处理结果。"))
    if code in FINAL_CODES:
        if actor.pk == _first_reviewer_id(application):
            raise AssistanceError(_("提出初审意见的人员不能再作审核确认（审核与确认须由不同人员办理）。"))
        if (
            application.staff_relative
            and code == StepCode.CONFIRM
            and application.program.kind != ProgramKind.ONE_OFF
        ):
            # either investigator may be the county's: the rule asks for county staff at the visit
            county_levels = (RegionLevel.COUNTY, RegionLevel.CITY)
            county_visit = ApplicationVisit.objects.filter(application=application).filter(
                Q(staff_first__scope__level__in=county_levels)
                | Q(staff_second__scope__level__in=county_levels)
            )
            if not county_visit.exists():
                raise AssistanceError(
                    _("近亲属申请须由县级工作人员入户核查后才能审核确认：请县级工作人员登记入户调查。")
                )


@transaction.atomic
def step_pass(*, actor, application_id: int, lock_version: int, opinion: str = "") -> Application:
    """The current step passes: the next one opens with its due date; the step that pays creates
    the grant; the last step approves the application."""
    application = load(actor, application_id, for_update=True)
    check_fresh(application, lock_version)
    step = require_open(application)
    _require_actor(actor, application, step)
    if step.code in OPINION_REQUIRED_CODES and not opinion.strip():
        raise AssistanceError(_("请填写“%(step)s”意见。") % {"step": step.name})
    _check_can_pass(actor, application, step)
    today = clock.today()
    now = clock.now()
    step.status = StepStatus.PASSED
    step.decided_by = actor
    step.decided_at = now
    step.opinion = opinion.strip()
    step.save(update_fields=["status", "decided_by", "decided_at", "opinion"])
    fields: dict = {}
    if _grants_now(application, step) and not hasattr(application, "grant"):
        paid_first = step.code == StepCode.HELP_FIRST
        reason = _("先行救助发放") if paid_first else _("%(step)s通过") % {"step": step.name}
        grant_create(application=application, actor=actor, today=today, reason=reason)
        if paid_first:
            fields["paid_first"] = True
    nxt = application.steps.filter(round=step.round, order__gt=step.order).order_by("order").first()
    if nxt is None:
        fields.update(
            status=ApplicationStatus.APPROVED,
            current_step=None,
            current_step_code="",
            current_due_on=None,
            handling_level="",
            decided_at=now,
            decision_reason=opinion.strip(),
        )
        action = ApplicationAction.APPROVE
    else:
        fields.update(open_step(application, nxt, today))
        action = ApplicationAction.PASS_STEP
    application = write(
        application,
        actor=actor,
        lock_version=lock_version,
        action=action,
        step=step,
        note=opinion.strip(),
        data={"step": step.code, "round": step.round},
        **fields,
    )
    # After the pass is written, so the history reads: step passed, then the check collected.
    if nxt is not None and nxt.code == StepCode.INFO_CHECK:
        findings_service.findings_collect(application=application, actor=actor)
    return application


def _grants_now(application: Application, step) -> bool:
    """Passing this step creates the grant: a paying step; the confirmation of a monthly or
    recognition programme; a one-off programme's confirmation when no payment step follows."""
    if step.code in PAYING_CODES:
        return True
    if step.code != StepCode.CONFIRM:
        return False
    if application.program.kind != ProgramKind.ONE_OFF:
        return True
    return not application.steps.filter(
        round=step.round, order__gt=step.order, code=StepCode.PAYMENT
    ).exists()


@transaction.atomic
def step_reject(*, actor, application_id: int, lock_version: int, reason: str) -> Application:
    """Refuses the application at its current step, with a written reason; the written notice of
    refusal is due within the programme's limit (working days)."""
    application = load(actor, application_id, for_update=True)
    check_fresh(application, lock_version)
    step = require_open(application)
    _require_actor(actor, application, step)
    if not reason.strip():
        raise AssistanceError(_("不予批准须填写书面理由。"))
    if step.code in FINAL_CODES and actor.pk == _first_reviewer_id(application):
        raise AssistanceError(_("提出初审意见的人员不能再作审核确认（审核与确认须由不同人员办理）。"))
    today = clock.today()
    now = clock.now()
    step.status = StepStatus.REJECTED
    step.decided_by = actor
    step.decided_at = now
    step.opinion = reason.strip()
    step.save(update_fields=["status", "decided_by", "decided_at", "opinion"])
    data = {"step": step.code, "round": step.round}
    limit = application.program.refusal_notice_working_days
    if limit:
        # None: the calendar of the year it reaches is not entered yet ("pending"); never a crash
        notice_due = working_due(today, limit)
        data["notice_due_on"] = notice_due.isoformat() if notice_due else None
    return write(
        application,
        actor=actor,
        lock_version=lock_version,
        action=ApplicationAction.REJECT,
        step=step,
        note=reason.strip(),
        data=data,
        status=ApplicationStatus.REJECTED,
        current_step=None,
        current_step_code="",
        current_due_on=None,
        handling_level="",
        decided_at=now,
        decision_reason=reason.strip(),
    )


@transaction.atomic
def application_withdraw(*, actor, application_id: int, lock_version: int, reason: str) -> Application:
    """The applicant withdraws: the application closes (no grant), with the reason."""
    application = load(actor, application_id, for_update=True)
    check_fresh(application, lock_version)
    step = require_open(application)
    if not can_act_at(actor, StepLevel.TOWN, application.region_id):
        raise AssistanceError(_("只有本辖区的经办人或督导可以登记撤回。"))
    if not reason.strip():
        raise AssistanceError(_("撤回须填写原因。"))
    if hasattr(application, "grant"):
        raise AssistanceError(_("已先行发放的申请不能撤回，请补齐手续后办结。"))
    step.status = StepStatus.RETURNED
    step.save(update_fields=["status"])
    return write(
        application,
        actor=actor,
        lock_version=lock_version,
        action=ApplicationAction.WITHDRAW,
        step=step,
        note=reason.strip(),
        status=ApplicationStatus.WITHDRAWN,
        current_step=None,
        current_step_code="",
        current_due_on=None,
        handling_level="",
        decided_at=clock.now(),
        decision_reason=reason.strip(),
    )
