"""The programmes of DOMAIN.md ("Assistance") with their approval templates, and the Cangzhou 2025
standards (DOMAIN.md "Standards in force"): seeded by migration 0003, and again (idempotently) by
tests and the demo after a flushed database.

Assumptions, to be confirmed by the bureau: the 2025 standards took effect on 2025-07-01 (standards
are usually adjusted from 1 July); their document number is a placeholder (PLACEHOLDER_DOCUMENT);
低保边缘 and 刚性支出困难 recognition follow the 低保 procedure; 公示 lasts 7 calendar days. Step time
limits DOMAIN does not give are left empty (the programme's overall limit applies). Seeded
standards carry 2025-07-01 00:00 (Beijing) as their entry time: the real one is unknown. No 特困 care
allowance is seeded: DOMAIN gives no figure (a city supervisor adds them as standards).
"""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

SEED_EFFECTIVE_FROM = date(2025, 7, 1)  # assumption: the usual 1 July adjustment
SEEDED_AT = datetime(2025, 7, 1, tzinfo=ZoneInfo("Asia/Shanghai"))
PLACEHOLDER_DOCUMENT = "【占位，待核实】沧州市2025年城乡低保和特困人员救助供养标准文件"

# (code, name, level, time limit, unit, may follow payment)
DIBAO_STEPS = [
    ("accept", "申请受理", "town", None, "working_days", False),
    ("home_visit", "入户调查", "town", None, "working_days", False),
    ("info_check", "信息核对", "town", None, "working_days", False),
    ("first_review", "初审意见", "town", None, "working_days", False),
    ("notice", "公示", "town", 7, "calendar_days", False),
    ("confirm", "审核确认", "county", None, "working_days", False),
]
EMERGENCY_STEPS = [
    ("help_first", "先行救助", "town", None, "working_days", False),
    ("accept", "补办申请", "town", None, "working_days", True),
    ("home_visit", "入户核实", "town", None, "working_days", True),
    ("confirm", "审批确认", "town", None, "working_days", True),
]
EXPENDITURE_STEPS = [
    ("accept", "申请受理", "town", None, "working_days", False),
    ("home_visit", "入户调查", "town", None, "working_days", False),
    ("info_check", "信息核对", "town", None, "working_days", False),
    ("confirm", "审批确认", "town", None, "working_days", False),
    ("payment", "发放", "town", None, "working_days", False),
]
FUND_STEPS = [
    ("first_review", "初审", "town", None, "working_days", False),
    ("home_visit", "入户核实", "town", None, "working_days", False),
    ("department_check", "部门核对", "county", None, "working_days", False),
    ("committee_review", "评委会评审", "committee", None, "working_days", False),
    ("notice", "公示", "town", 7, "calendar_days", False),
    ("leading_group_review", "领导小组评审", "county", None, "working_days", False),
    ("payment", "发放", "county", None, "working_days", False),
    ("follow_up", "回访", "town", None, "working_days", False),
]
LIMITS = {
    "time_limit_working_days": 30,
    "complex_time_limit_working_days": 45,
    "refusal_notice_working_days": 3,
}

# (code, name, kind, category, area type, help first, limits, steps)
PROGRAMS = [
    ("urban_dibao", "城市低保", "household", "dibao", "urban", False, LIMITS, DIBAO_STEPS),
    ("rural_dibao", "农村低保", "household", "dibao", "rural", False, LIMITS, DIBAO_STEPS),
    ("tekun_dispersed", "特困供养（分散供养）", "person", "tekun", "", False, LIMITS, DIBAO_STEPS),
    ("tekun_centralised", "特困供养（集中供养）", "person", "tekun", "", False, LIMITS, DIBAO_STEPS),
    ("dibao_edge", "低保边缘家庭认定", "household", "dibao_edge", "", False, LIMITS, DIBAO_STEPS),
    ("rigid_expense", "刚性支出困难家庭认定", "household", "rigid_expense", "", False, LIMITS, DIBAO_STEPS),
    ("temp_emergency", "临时救助（急难型）", "one_off", "", "", True, {}, EMERGENCY_STEPS),
    ("temp_expenditure", "临时救助（支出型）", "one_off", "", "", False, {}, EXPENDITURE_STEPS),
    ("hardship_fund", "困难群众救助基金", "one_off", "", "", False, {}, FUND_STEPS),
]

# (programme, area type, yearly, monthly): yuan per person
STANDARDS = [
    ("urban_dibao", "urban", "10056", "838"),
    ("rural_dibao", "rural", "7128", "594"),
    ("tekun_dispersed", "urban", "13080", "1090"),
    ("tekun_dispersed", "rural", "9276", "773"),
    ("tekun_centralised", "urban", "13080", "1090"),
    ("tekun_centralised", "rural", "9276", "773"),
]


def seed(Program, ApprovalStep, Standard, city_code: str) -> None:
    """Creates what is missing: programmes by code, a programme's steps when it has none, a
    standard when its programme, region and area type have none. Takes the model classes so the
    migration can pass its historical ones."""
    programs = {}
    for order, (code, name, kind, category, area, help_first, limits, steps) in enumerate(PROGRAMS, 1):
        program, _ = Program.objects.get_or_create(
            code=code,
            defaults=dict(
                name=name,
                kind=kind,
                category=category,
                area_type=area,
                help_first=help_first,
                sort_order=order * 10,
                **limits,
            ),
        )
        programs[code] = program
        if ApprovalStep.objects.filter(program=program).exists():
            continue
        ApprovalStep.objects.bulk_create(
            ApprovalStep(
                program=program,
                order=i,
                code=step,
                name=label,
                level=level,
                time_limit=limit,
                time_unit=unit,
                after_payment=after,
            )
            for i, (step, label, level, limit, unit, after) in enumerate(steps, 1)
        )
    for code, area, yearly, monthly in STANDARDS:
        key = {"program": programs[code], "component": "basic", "region_code": city_code, "area_type": area}
        if Standard.objects.filter(**key).exists():
            continue
        Standard.objects.create(
            **key,
            yearly_amount=Decimal(yearly),
            monthly_amount=Decimal(monthly),
            effective_from=SEED_EFFECTIVE_FROM,
            document_number=PLACEHOLDER_DOCUMENT,
            # when it was really entered is unknown: the day it took effect (never in the future
            # of the demo's simulated year, which the real seeding instant would be)
            created_at=SEEDED_AT,
        )
