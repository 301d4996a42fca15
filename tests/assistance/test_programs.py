"""The seeded programmes and their approval templates (DOMAIN.md "Assistance")."""

import pytest
from django.db import IntegrityError

from assistance.models import ApprovalStep, Program

pytestmark = pytest.mark.django_db


def steps(code: str) -> list[str]:
    return list(
        ApprovalStep.objects.filter(program__code=code).order_by("order").values_list("name", flat=True)
    )


def test_every_programme_of_domain_is_seeded_with_the_category_enrolment_writes():
    seeded = {p.name: (p.kind, p.category) for p in Program.objects.all()}
    assert seeded == {
        "城市低保": ("household", "dibao"),
        "农村低保": ("household", "dibao"),
        "特困供养（分散供养）": ("person", "tekun"),
        "特困供养（集中供养）": ("person", "tekun"),
        "低保边缘家庭认定": ("household", "dibao_edge"),
        "刚性支出困难家庭认定": ("household", "rigid_expense"),
        "临时救助（急难型）": ("one_off", ""),
        "临时救助（支出型）": ("one_off", ""),
        "困难群众救助基金": ("one_off", ""),
    }


def test_dibao_and_tekun_follow_the_national_procedure_within_30_working_days():
    expected = ["申请受理", "入户调查", "信息核对", "初审意见", "公示", "审核确认"]
    for code in ("urban_dibao", "rural_dibao", "tekun_dispersed", "tekun_centralised"):
        assert steps(code) == expected
        program = Program.objects.get(code=code)
        assert (program.time_limit_working_days, program.complex_time_limit_working_days) == (30, 45)
        assert program.refusal_notice_working_days == 3
    notice = ApprovalStep.objects.get(program__code="urban_dibao", code="notice")
    assert (notice.time_limit, notice.time_unit) == (7, "calendar_days")
    confirm = ApprovalStep.objects.get(program__code="urban_dibao", code="confirm")
    assert confirm.level == "county"


def test_emergency_aid_helps_first_and_documents_after():
    program = Program.objects.get(code="temp_emergency")
    assert program.help_first
    first, *after = ApprovalStep.objects.filter(program=program).order_by("order")
    assert first.name == "先行救助" and not first.after_payment
    assert after and all(step.after_payment for step in after)


def test_the_special_fund_goes_through_the_committee_and_a_follow_up():
    assert steps("hardship_fund") == [
        "初审",
        "入户核实",
        "部门核对",
        "评委会评审",
        "公示",
        "领导小组评审",
        "发放",
        "回访",
    ]
    assert (
        ApprovalStep.objects.get(program__code="hardship_fund", code="committee_review").level == "committee"
    )


def test_two_steps_of_one_programme_cannot_share_a_place_in_the_order():
    program = Program.objects.get(code="urban_dibao")
    with pytest.raises(IntegrityError):
        ApprovalStep.objects.create(program=program, order=1, code="extra", name="补充", level="town")
