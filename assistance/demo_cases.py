"""Casework of the demo's year: applications taken through their approval steps by the demo users.

Everything goes through `assistance.services`, at working moments of the simulated year
(assistance.demo_history drives the clock). Two sources of applications:
- alerts closed as 纳入低保 / 纳入特困 / 给予临时救助 / 纳入低保边缘 become applications by themselves
  (alerts.signals); each is given a fate (mostly approved, some refused, one now and then withdrawn
  or left waiting for weeks) and worked through by the town's caseworker and the county supervisor;
- the stories below: walk-ins at the single window (一门受理), grid-worker reports, 12349 hotline
  cases, a 临时救助急难型 paid first and documented after, a hardship-fund case, referrals, a 近亲属
  case, objections upheld and dismissed, and applications left at every step when the year ends.

Who acts: the town's responsible caseworker (jingban_a for 旧州镇, jingban_b for 兴济镇, …) for town
steps, jingban_cun registering reports from 旧州第1村, and the county's supervisor (dudao_cx in 沧县,
the city's dudao elsewhere) for county and committee steps, so 初审 and 审核确认 are always given by
different people. Deterministic: the choices come from a seeded random generator and the rows in id
order.
"""

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from alerts.models import Responsibility
from assistance import services
from assistance.models import (
    AlertApplication,
    Application,
    ApplicationStatus,
    ApplicationVisit,
    Channel,
    Finding,
    FindingSource,
    FindingStatus,
    NoticeEntry,
    ObjectionStatus,
    Program,
    SelfCareLevel,
    StandardComponent,
)
from assistance.seeds import SEED_EFFECTIVE_FROM
from households import clock
from households.models import AreaType, Household, Relation, User

TOWN_A, TOWN_B, VILLAGE_CUN, COUNTY_CX = "130921101", "130921102", "130921101201", "130921"
CITY_SUPERVISOR, COUNTY_SUPERVISOR, VILLAGE_CASEWORKER = "dudao", "dudao_cx", "jingban_cun"
# 特困 care allowances (yuan a month by self-care level): DOMAIN gives no figure and the seeds add
# none, so the demo's city supervisor enters these, marked as demo figures.
DEMO_CARE_ALLOWANCES = {
    StandardComponent.CARE_SELF_CARE: Decimal("100"),
    StandardComponent.CARE_SEMI_DISABLED: Decimal("400"),
    StandardComponent.CARE_DISABLED: Decimal("800"),
}
DEMO_CARE_DOCUMENT = "【演示数据】特困人员照料护理补贴标准（金额仅供演示，非沧州实际标准）"
REJECTIONS = {
    "accept": "申请人户籍不在本乡镇，申请材料不全且经告知未补齐，不予受理。",
    "home_visit": "经入户调查，家庭成员有稳定工资性收入，家庭月人均收入高于当地低保标准。",
    "info_check": "经信息核对，家庭成员名下有非生活必需机动车辆一辆，不符合救助条件。",
    "first_review": "家庭财产状况超过规定标准（存款超过当地年保障标准的规定倍数），不予通过。",
    "confirm": "经县级抽查入户复核，家庭实际收入高于保障标准，不予批准。",
}
WITHDRAWALS = [
    "申请人家中子女已在县城就业，家庭收入改善，主动申请撤回。",
    "申请人表示暂不需要救助，书面申请撤回。",
]
VISIT_FINDINGS = [
    "家中主要劳动力患病，长期服药，无法外出务工，靠少量种植收入维持生活。",
    "户主年老体弱，子女在外打零工收入不稳定，住房为老旧砖房。",
    "家庭成员中有重度残疾人需长期照护，家庭收入来源单一。",
    "因病致贫，近一年住院两次，自付医疗费用较高，已借外债。",
]
HOUSEHOLD_SITUATIONS = [
    "家庭成员、收入、财产状况已逐项核实，与申请材料一致。",
    "家庭共有耕地四亩，无车辆，无经营性收入，住房一处。",
]


@dataclass
class Plan:
    """How one application's story goes: by default it is approved; `stop_at` leaves it at that
    step (the year ends there), `stall_at` makes it wait `stall_days` there, `reject_at` and
    `withdraw_at` end it at that step, `objection` is raised against its first notice."""

    application_id: int
    town_actor_id: int
    stop_at: str = ""
    stall_at: str = ""
    stall_days: int = 0
    reject_at: str = ""
    withdraw_at: str = ""
    objection: str = ""  # "upheld" or "dismissed"
    objection_done: bool = False
    county_visit: bool = False  # 近亲属: the county supervisor investigates in person
    quick: bool = False  # the next working day each time (the last weeks' stories)
    case_amount: Decimal | None = None
    committee_amount: Decimal | None = None
    self_care_level: str = ""


@dataclass(frozen=True)
class Story:
    """An application (or a referral) the demo users start `day` days after the year's first day
    (negative: before its last day), for a household of `region` (a town, or 旧州第1村)."""

    day: int
    region: str
    channel: str
    program: str  # a programme code, "dibao" for the household's 低保, "" for a referral
    request: str
    channel_note: str = ""
    reported_by: str = ""
    staff_relative_note: str = ""
    referral_to: str = ""
    referral_answer: str = ""  # empty: never answered (overdue at the year's end)
    plan: dict = field(default_factory=dict)


HOTLINE = "12349热线工单 {no}：来电人反映{what}，请核实。"
STORIES = [
    Story(20, TOWN_A, Channel.SINGLE_WINDOW, "dibao", "户主常年患慢性病无法劳动，家庭无稳定收入，申请低保。"),
    Story(
        45,
        TOWN_B,
        Channel.SINGLE_WINDOW,
        "dibao",
        "家庭生活困难，申请低保。",
        plan={"reject_at": "home_visit"},
    ),
    Story(
        75,
        VILLAGE_CUN,
        Channel.GRID_REPORT,
        "dibao",
        "网格员走访发现该户老人独居、生活困难。",
        reported_by="村网格员 李秀兰",
    ),
    Story(
        95,
        TOWN_B,
        Channel.HOTLINE,
        "temp_expenditure",
        "子女突发重病住院，自付医疗费用高，申请临时救助。",
        channel_note=HOTLINE.format(no="GD2025-0311", what="家中孩子住院、医疗费用无力负担"),
        plan={"case_amount": Decimal("2400")},
    ),
    Story(
        110,
        TOWN_A,
        Channel.SINGLE_WINDOW,
        "",
        "家中有二级肢体残疾人，咨询并申请残疾人两项补贴。",
        referral_to="沧县残疾人联合会",
        referral_answer="已受理，经评定符合条件，自次月起发放重度残疾人护理补贴。",
    ),
    Story(
        130,
        TOWN_A,
        Channel.SINGLE_WINDOW,
        "tekun_dispersed",
        "老人无劳动能力、无生活来源、无法定赡养人，申请特困供养（分散供养）。",
        plan={"self_care_level": SelfCareLevel.SEMI_DISABLED},
    ),
    Story(
        150,
        TOWN_B,
        Channel.GRID_REPORT,
        "temp_emergency",
        "夜间住房失火，家中财物全部烧毁，急需生活救助。",
        reported_by="村网格员 张志刚",
        plan={"case_amount": Decimal("2000")},
    ),
    Story(
        170,
        TOWN_A,
        Channel.SINGLE_WINDOW,
        "hardship_fund",
        "户主确诊重大疾病，经医保报销和医疗救助后自付部分仍超过家庭承受能力，申请困难群众救助基金。",
        plan={"case_amount": Decimal("20000"), "committee_amount": Decimal("15000")},
    ),
    Story(
        190,
        TOWN_B,
        Channel.SINGLE_WINDOW,
        "dibao",
        "户主失业，配偶患病，申请低保。",
        plan={"objection": "upheld"},
    ),
    Story(
        205,
        TOWN_A,
        Channel.HOTLINE,
        "dibao",
        "家庭因病生活困难，申请低保。",
        channel_note=HOTLINE.format(no="GD2025-0716", what="邻居家中老人患病、生活困难"),
        plan={"objection": "dismissed"},
    ),
    Story(
        225,
        VILLAGE_CUN,
        Channel.SINGLE_WINDOW,
        "dibao",
        "家庭主要劳动力因伤致残，申请低保。",
        staff_relative_note="申请人之弟为本村村民委员会委员（已备案）",
        plan={"county_visit": True},
    ),
    Story(
        245,
        TOWN_B,
        Channel.HOTLINE,
        "dibao",
        "家中无稳定收入，申请低保。",
        channel_note=HOTLINE.format(no="GD2025-0905", what="本人家庭生活困难"),
        plan={"withdraw_at": "info_check"},
    ),
    Story(
        260,
        TOWN_A,
        Channel.SINGLE_WINDOW,
        "dibao",
        "申请低保。",
        plan={"reject_at": "confirm"},
    ),
    Story(
        275,
        TOWN_A,
        Channel.GRID_REPORT,
        "dibao_edge",
        "家庭收入略高于低保标准，刚性支出大，申请低保边缘家庭认定。",
        reported_by="村网格员 王立新",
    ),
    # Still in progress when the year ends: two long past their due date, one at every step.
    Story(-75, TOWN_A, Channel.SINGLE_WINDOW, "dibao", "申请低保。", plan={"stop_at": "home_visit"}),
    Story(
        -70,
        TOWN_B,
        Channel.GRID_REPORT,
        "dibao",
        "网格员报告该户生活困难。",
        reported_by="村网格员 刘春燕",
        plan={"stop_at": "first_review"},
    ),
    Story(
        -45,
        TOWN_A,
        Channel.SINGLE_WINDOW,
        "",
        "家庭成员长期失业，申请就业援助和公益性岗位。",
        referral_to="沧县人力资源和社会保障局",
    ),
    Story(
        -30,
        TOWN_A,
        Channel.HOTLINE,
        "dibao",
        "申请低保。",
        channel_note=HOTLINE.format(no="GD2025-1102", what="家中老人无人照料、生活困难"),
        plan={"stop_at": "confirm", "quick": True},
    ),
    Story(
        -26, TOWN_B, Channel.SINGLE_WINDOW, "dibao", "申请低保。", plan={"stop_at": "notice", "quick": True}
    ),
    Story(
        -20,
        VILLAGE_CUN,
        Channel.GRID_REPORT,
        "dibao",
        "网格员报告该户因病生活困难。",
        reported_by="村网格员 李秀兰",
        plan={"stop_at": "first_review", "quick": True},
    ),
    Story(
        -16,
        TOWN_B,
        Channel.HOTLINE,
        "dibao",
        "申请低保。",
        channel_note=HOTLINE.format(no="GD2025-1120", what="本人失业、家庭生活困难"),
        plan={"stop_at": "info_check", "quick": True},
    ),
    Story(
        -12,
        TOWN_A,
        Channel.SINGLE_WINDOW,
        "temp_emergency",
        "家庭成员遭遇交通事故，急需救助。",
        plan={"stop_at": "home_visit", "case_amount": Decimal("800"), "quick": True},
    ),
    Story(
        -8,
        TOWN_B,
        Channel.SINGLE_WINDOW,
        "dibao",
        "申请低保。",
        plan={"stop_at": "home_visit", "quick": True},
    ),
    Story(
        -3,
        TOWN_A,
        Channel.GRID_REPORT,
        "dibao",
        "网格员报告该户生活困难。",
        reported_by="村网格员 赵红梅",
        plan={"stop_at": "accept", "quick": True},
    ),
]


class Casework:
    """The applications of the demo's year, each advanced one action per event of `schedule`
    (a callable taking a moment, an event kind and a payload: demo_history's queue)."""

    def __init__(self, *, schedule, seed: int, first_day: date, last_day: date):
        self.schedule = schedule
        self.rng = random.Random(seed * 31 + 7)
        self.first_day, self.last_day = first_day, last_day
        names = (CITY_SUPERVISOR, COUNTY_SUPERVISOR, VILLAGE_CASEWORKER, "jingban_a")
        self.users = {u.username: u for u in User.objects.filter(username__in=names)}
        self.by_pk = {u.pk: u for u in self.users.values()}
        self.town_caseworkers: dict[str, User] = {}
        self.planned: set[int] = set()
        self.used_households: set[int] = set()
        self.stuck: Counter = Counter()

    # --- scheduling ---

    def start(self, opening: datetime) -> None:
        """The city supervisor enters the demo's care allowances as the year opens; the stories
        are put on the calendar."""
        self.schedule(opening + timedelta(minutes=30), "care_standards", None)
        for story in STORIES:
            day = (
                self.first_day + timedelta(days=story.day)
                if story.day >= 0
                else self.last_day + timedelta(days=story.day)
            )
            self.schedule(self._moment(day), "story", story)

    def _moment(self, day: date) -> datetime:
        # demo_history imports this module to drive it: imported here, not at the top.
        from assistance.demo_history import working_moment

        return working_moment(day, self.rng.randint(9, 15), self.rng.randint(0, 50))

    def _next(self, plan: Plan, days: int | None = None) -> None:
        if days is None:
            days = 1 if plan.quick else self.rng.randint(1, 4)
        self.schedule(self._moment(clock.today() + timedelta(days=days)), "case", plan)

    # --- who acts ---

    def town_caseworker(self, region_code: str) -> User:
        town = region_code[:9]
        if town not in self.town_caseworkers:
            user = Responsibility.objects.select_related("caseworker").get(region_id=town).caseworker
            self.town_caseworkers[town] = self.by_pk[user.pk] = user
        return self.town_caseworkers[town]

    def county_supervisor(self, region_code: str) -> User:
        username = COUNTY_SUPERVISOR if region_code.startswith(COUNTY_CX) else CITY_SUPERVISOR
        return self.users[username]

    def second_investigator(self, actor: User, region_code: str) -> User:
        """The other staff member of a home investigation: the village's caseworker where it has
        one, else the county's supervisor."""
        village = self.users[VILLAGE_CASEWORKER]
        if region_code == village.scope_id and actor.pk != village.pk:
            return village
        if region_code == village.scope_id:
            return self.users["jingban_a"]
        return self.county_supervisor(region_code)

    # --- events ---

    def care_standards(self) -> None:
        """The city supervisor enters the demo's 特困 care allowances (both 特困 programmes, urban
        and rural), in force from the seeded standards' start (or today, if that is earlier)."""
        start = min(SEED_EFFECTIVE_FROM, clock.today())
        city = self.users[CITY_SUPERVISOR].scope_id
        for program in Program.objects.filter(category="tekun"):
            for component, monthly in DEMO_CARE_ALLOWANCES.items():
                for area in AreaType.values:
                    services.standard_add(
                        program=program,
                        component=component,
                        region_code=city,
                        area_type=area,
                        yearly_amount=monthly * 12,
                        monthly_amount=monthly,
                        effective_from=start,
                        document_number=DEMO_CARE_DOCUMENT,
                        created_by=self.users[CITY_SUPERVISOR],
                    )

    def alert_closed(self, alert_id: int) -> None:
        """An alert just closed: the application it became (a new one) gets its fate."""
        link = AlertApplication.objects.filter(alert_id=alert_id).select_related("application").first()
        if link is None or link.application_id in self.planned:
            return
        application = link.application
        self.planned.add(application.pk)
        plan = Plan(application.pk, self.town_caseworker(application.region_id).pk)
        steps = list(application.steps.order_by("order").values_list("code", flat=True))
        roll = self.rng.random()
        if roll < 0.12:
            plan.reject_at = self.rng.choice([c for c in steps if c in REJECTIONS and c != "accept"])
        elif roll < 0.15:
            plan.withdraw_at = self.rng.choice(steps[:3])
        elif roll < 0.30:
            plan.stall_at, plan.stall_days = self.rng.choice(steps), self.rng.randint(25, 60)
        plan.case_amount = Decimal(self.rng.choice([600, 800, 1000, 1500, 2400, 3000]))
        plan.self_care_level = self.rng.choice(SelfCareLevel.values)
        self._next(plan)

    def begin(self, story: Story) -> None:
        """A story starts: a household is chosen and its application (or referral) registered."""
        household = self._household(story)
        if household is None:
            self.stuck["没有合适的家庭"] += 1
            return
        self.used_households.add(household.pk)
        town_actor = self.town_caseworker(household.region_id)
        registrar = self.users[VILLAGE_CASEWORKER] if household.region_id == VILLAGE_CUN else town_actor
        applicant = self._applicant(household, story.program)
        if story.referral_to:
            referral = services.referral_create(
                actor=registrar,
                household=household,
                person=applicant,
                channel=story.channel,
                request=story.request,
                department=story.referral_to,
                due_on=clock.today() + timedelta(days=15),
            )
            if story.referral_answer:
                moment = self._moment(clock.today() + timedelta(days=12))
                self.schedule(moment, "referral_answered", (referral.pk, registrar.pk, story.referral_answer))
            return
        try:
            application = services.application_create(
                actor=registrar,
                household=household,
                applicant=applicant,
                program=self._program(story.program, household),
                channel=story.channel,
                request=story.request,
                channel_note=story.channel_note,
                reported_by=story.reported_by,
                staff_relative=bool(story.staff_relative_note),
                staff_relative_note=story.staff_relative_note,
            )
        except services.AssistanceError as exc:
            self.stuck[exc.message] += 1
            return
        self.planned.add(application.pk)
        plan = Plan(application.pk, town_actor.pk, **story.plan)
        plan.self_care_level = plan.self_care_level or SelfCareLevel.SELF_CARE
        self._next(plan)

    def referral_answered(self, payload: tuple[int, int, str]) -> None:
        """The receiving department's answer comes back and is recorded by who referred it."""
        referral_id, actor_id, answer = payload
        services.referral_answer(
            actor=User.objects.get(pk=actor_id),
            referral_id=referral_id,
            answer=answer,
            answered_on=clock.today(),
        )

    def _household(self, story: Story) -> Household | None:
        """A household of the story's region that has no open application of the programme and
        no other story, chosen by the seeded generator."""
        households = Household.objects.exclude(pk__in=self.used_households)
        if story.program:
            households = households.exclude(applications__status=ApplicationStatus.IN_PROGRESS)
        # The village or town first; when it has no such household (a small demo), its county.
        for prefix in (story.region, story.region[:6]):
            ids = list(
                households.filter(region__code__startswith=prefix).order_by("id").values_list("id", flat=True)
            )
            if ids:
                return Household.objects.get(pk=self.rng.choice(ids))
        return None

    @staticmethod
    def _applicant(household: Household, program_code: str):
        members = household.members.order_by("birth_date", "id")
        if program_code.startswith("tekun"):
            return members.first()  # the oldest member asks for 特困
        return members.filter(relation=Relation.HEAD).first() or members.first()

    @staticmethod
    def _program(code: str, household: Household) -> Program:
        if code == "dibao":
            return Program.objects.get(category="dibao", area_type=household.area_type)
        return Program.objects.get(code=code)

    def advance(self, plan: Plan) -> None:
        """One action on the application, by whoever acts at its current step; then the next
        event, unless the story ends here."""
        application = Application.objects.select_related("program", "current_step").get(
            pk=plan.application_id
        )
        if application.status != ApplicationStatus.IN_PROGRESS:
            return
        code = application.current_step_code
        if code == plan.stop_at:
            return
        if code == plan.stall_at and plan.stall_days:
            days, plan.stall_days = plan.stall_days, 0
            self._next(plan, days)
            return
        try:
            again = self._act(plan, application, code)
        except services.AssistanceError as exc:
            # Not expected; counted and reported so a change of the services shows here.
            self.stuck[exc.message] += 1
            return
        if again is not False:
            self._next(plan, again)

    def _act(self, plan: Plan, application: Application, code: str) -> int | bool | None:
        """Does what the current step needs next. Returns the days to the next action (None: the
        usual pause), or False when the application's story has ended."""
        town = self.by_pk[plan.town_actor_id]
        county = self.county_supervisor(application.region_id)
        if code == plan.reject_at:
            actor = county if code == "confirm" else town
            services.step_reject(
                actor=actor,
                application_id=application.pk,
                lock_version=application.lock_version,
                reason=REJECTIONS[code],
            )
            return False
        if code == plan.withdraw_at:
            services.application_withdraw(
                actor=town,
                application_id=application.pk,
                lock_version=application.lock_version,
                reason=self.rng.choice(WITHDRAWALS),
            )
            return False
        if (
            code == "home_visit"
            and not ApplicationVisit.objects.filter(
                application=application, round=application.current_step.round
            ).exists()
        ):
            first = county if plan.county_visit else town
            second = town if plan.county_visit else self.second_investigator(town, application.region_id)
            services.application_record_visit(
                actor=first,
                application_id=application.pk,
                lock_version=application.lock_version,
                visited_on=clock.today(),
                staff_second=second,
                findings=self.rng.choice(VISIT_FINDINGS),
                household_situation=self.rng.choice(HOUSEHOLD_SITUATIONS),
            )
            return None
        if code == "info_check":
            self._confirm_findings(town, application)
            application.refresh_from_db()  # each confirmation is a change of the application
        if code == "notice":
            return self._notice(plan, town, application)
        if code in ("help_first", "first_review", "committee_review", "confirm"):
            application = self._amount(plan, town, application, code)
        opinions = {
            "accept": "申请材料齐全，予以受理。",
            "help_first": "情况紧急，先行发放临时救助金，手续事后补办。",
            "home_visit": "入户调查完成，调查情况属实。",
            "info_check": "信息核对完成，核对结果已逐条确认。",
            "first_review": "经调查核实，家庭经济状况符合条件，同意。",
            "confirm": "经审核，符合条件，同意批准。",
            "department_check": "部门核对无异常。",
            "committee_review": "评委会评审同意救助。",
            "leading_group_review": "领导小组评审同意。",
            "payment": "救助金已发放至申请人社保卡。",
            "follow_up": "回访：救助金已用于治疗，家庭生活基本稳定。",
        }
        # County and committee steps, and a confirmation the amount moved up to the county.
        level = application.computation.get("approval_level") if code == "confirm" else ""
        actor = county if level == "county" or application.current_step.level != "town" else town
        services.step_pass(
            actor=actor,
            application_id=application.pk,
            lock_version=application.lock_version,
            opinion=opinions.get(code, "同意。"),
        )
        return None

    def _confirm_findings(self, actor: User, application: Application) -> None:
        for finding in Finding.objects.filter(application=application, status=FindingStatus.PENDING).order_by(
            "id"
        ):
            explained = finding.source == FindingSource.SETTLEMENT
            services.finding_confirm(
                actor=actor,
                finding_id=finding.pk,
                status=FindingStatus.EXPLAINED if explained else FindingStatus.CONFIRMED,
                explanation="医疗费用为家庭刚性支出，已在收入核算中扣减。" if explained else "",
            )

    def _amount(self, plan: Plan, actor: User, application: Application, code: str) -> Application:
        """Computes the amount where the step needs one (the committee sets its own)."""
        program = application.program
        if program.category in ("dibao_edge", "rigid_expense"):
            return application
        if application.proposed_amount is not None and code != "committee_review":
            return application
        kwargs = {}
        if program.category == "dibao":
            kwargs = {
                "monthly_income_per_capita": Decimal(self.rng.randrange(0, 400, 10)),
                "members_covered": application.household.members.count(),
            }
        elif program.category == "tekun":
            kwargs = {"self_care_level": plan.self_care_level or SelfCareLevel.SELF_CARE}
        elif code == "committee_review" and plan.committee_amount:
            kwargs = {"case_amount": plan.committee_amount}
        else:
            kwargs = {"case_amount": plan.case_amount or Decimal("1000")}
        return services.application_set_amount(
            actor=actor, application_id=application.pk, lock_version=application.lock_version, **kwargs
        )

    def _notice(self, plan: Plan, actor: User, application: Application) -> int | None:
        """公示: publish the village's notice, take the objection if the story has one, decide
        it, and pass the step once the period is over."""
        step = application.current_step
        entry = (
            NoticeEntry.objects.filter(application=application, notice__starts_on__gte=step.opened_on)
            .select_related("notice")
            .order_by("-notice__starts_on", "-id")
            .first()
        )
        today = clock.today()
        if entry is None:
            services.notice_publish(actor=actor, village_code=application.region_id)
            return 2 if plan.objection else None
        if plan.objection and not plan.objection_done:
            pending = entry.objections.filter(status=ObjectionStatus.PENDING).first()
            if pending is None:
                services.objection_record(
                    actor=actor,
                    entry_id=entry.pk,
                    received_on=today,
                    content="群众反映该户有家庭成员在外务工收入较高，申报收入不实。"
                    if plan.objection == "upheld"
                    else "群众反映该户生活条件尚可，不应纳入。",
                    raised_by="匿名",
                )
                return 2
            upheld = plan.objection == "upheld"
            services.objection_decide(
                actor=actor,
                objection_id=pending.pk,
                upheld=upheld,
                finding="经再次核实，该户确有成员在外务工，收入未如实申报，退回重新调查核算。"
                if upheld
                else "经入户核实，该户家庭收入和财产状况与调查结果一致，异议不成立。",
            )
            plan.objection_done = True
            return None
        if entry.notice.ends_on >= today:
            return (entry.notice.ends_on - today).days + 1
        services.step_pass(
            actor=actor,
            application_id=application.pk,
            lock_version=application.lock_version,
            opinion="公示期满，无异议。",
        )
        return None

    def summary(self) -> list[str]:
        """Lines for the command's output: applications by status and channel, and anything that
        could not go on (none expected)."""
        by_status = Counter(Application.objects.values_list("status", flat=True))
        by_channel = Counter(Application.objects.values_list("channel", flat=True))
        lines = [
            "  救助申请合计 "
            + "，".join(f"{ApplicationStatus(s).label} {n}" for s, n in sorted(by_status.items()))
            + "（"
            + "，".join(f"{Channel(c).label} {n}" for c, n in sorted(by_channel.items()))
            + "）"
        ]
        for message, n in self.stuck.items():
            lines.append(f"  未能继续办理 {n} 件：{message}")
        return lines
