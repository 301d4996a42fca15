"""The amount rules at their boundaries (assistance/amounts.py)."""

from datetime import date
from decimal import Decimal

import pytest

from assistance import amounts
from assistance.models import Program, Standard, StandardComponent
from assistance.selectors import standard_in_force
from assistance.services import standard_add

pytestmark = pytest.mark.django_db

D = Decimal


def standard(program_code="urban_dibao", *, monthly="838", component=StandardComponent.BASIC, minimum=None):
    return standard_add(
        program=Program.objects.get(code=program_code),
        component=component,
        region_code="130921",
        area_type="urban",
        yearly_amount=D(monthly) * 12,
        monthly_amount=D(monthly),
        min_monthly_per_person=D(minimum) if minimum else None,
        effective_from=date(2026, 7, 1),
        document_number="沧县民〔2026〕1号",
        created_by=None,
    )


def test_dibao_is_the_gap_to_the_standard_times_the_members():
    result = amounts.dibao_monthly(standard(), per_capita_income=D("500"), members=3)
    assert result.amount == D("1014.00")
    assert result.formula == "（月保障标准 838.00 − 月人均收入 500）× 3 人 = 1014.00 元"


def test_dibao_is_zero_when_income_is_exactly_the_standard_or_above():
    row = standard()
    assert amounts.dibao_monthly(row, per_capita_income=D("838.00"), members=4).amount == D("0.00")
    above = amounts.dibao_monthly(row, per_capita_income=D("838.01"), members=4)
    assert above.amount == D("0.00")
    assert "不低于月保障标准" in above.formula


def test_dibao_one_fen_below_the_standard():
    assert amounts.dibao_monthly(standard(), per_capita_income=D("837.99"), members=2).amount == D("0.02")


def test_dibao_rounds_to_the_fen_half_up():
    # 838 − 837.995 = 0.005 a person: 0.005 rounds up to 0.01, 3 × 0.005 = 0.015 to 0.02
    row = standard()
    assert amounts.dibao_monthly(row, per_capita_income=D("837.995"), members=1).amount == D("0.01")
    assert amounts.dibao_monthly(row, per_capita_income=D("837.995"), members=3).amount == D("0.02")
    assert amounts.dibao_monthly(row, per_capita_income=D("837.9951"), members=1).amount == D("0.00")


def test_the_county_minimum_lifts_a_small_gap_but_not_an_ineligible_household():
    row = standard(minimum="100")
    assert amounts.dibao_monthly(row, per_capita_income=D("800"), members=2).amount == D("200.00")
    assert amounts.dibao_monthly(row, per_capita_income=D("738"), members=2).amount == D(
        "200.00"
    )  # gap = minimum
    assert amounts.dibao_monthly(row, per_capita_income=D("737"), members=2).amount == D("202.00")
    assert amounts.dibao_monthly(row, per_capita_income=D("838"), members=2).amount == D("0.00")
    assert "最低" in amounts.dibao_monthly(row, per_capita_income=D("800"), members=2).formula


def test_a_county_override_changes_the_amount_against_the_city_default():
    program = Program.objects.get(code="urban_dibao")
    county = standard(monthly="900")
    city = Standard.objects.get(program=program, region_code="130900")
    in_county = standard_in_force(program, "130921101201", "urban", date(2026, 7, 1))
    elsewhere = standard_in_force(program, "130984101201", "urban", date(2026, 7, 1))
    assert (in_county, elsewhere) == (county, city)
    assert amounts.dibao_monthly(in_county, per_capita_income=D("800"), members=1).amount == D("100.00")
    assert amounts.dibao_monthly(elsewhere, per_capita_income=D("800"), members=1).amount == D("38.00")


def test_the_computation_records_the_standard_row_and_inputs_it_used():
    row = standard()
    record = amounts.dibao_monthly(row, per_capita_income=D("500.5"), members=2).as_json()
    assert record == {
        "rule": "dibao",
        "amount": "675.00",
        "standard_ids": [row.pk],
        "inputs": {"monthly_standard": "838.00", "per_capita_income": "500.5", "members": 2},
        "formula": record["formula"],
        "approval_level": "",
    }


@pytest.mark.parametrize(
    ("level", "component", "care", "expected"),
    [
        ("self_care", StandardComponent.CARE_SELF_CARE, "50", "1140.00"),
        ("semi_disabled", StandardComponent.CARE_SEMI_DISABLED, "300", "1390.00"),
        ("disabled", StandardComponent.CARE_DISABLED, "600.5", "1690.50"),
    ],
)
def test_tekun_is_the_basic_living_standard_plus_the_care_allowance_of_the_level(
    level, component, care, expected
):
    basic = standard("tekun_dispersed", monthly="1090")
    allowance = standard("tekun_dispersed", monthly=care, component=component)
    result = amounts.tekun_monthly(basic, allowance, self_care_level=level)
    assert result.amount == D(expected)
    assert result.standard_ids == (basic.pk, allowance.pk)


def test_tekun_refuses_a_care_allowance_of_another_level():
    basic = standard("tekun_dispersed", monthly="1090")
    semi = standard("tekun_dispersed", monthly="300", component=StandardComponent.CARE_SEMI_DISABLED)
    with pytest.raises(ValueError):
        amounts.tekun_monthly(basic, semi, self_care_level="disabled")


@pytest.mark.parametrize(
    ("case", "amount", "level"),
    [
        ("999.99", "999.99", "town"),
        ("1000", "1000.00", "town"),  # at the threshold: the town suffices
        ("1000.01", "1000.01", "county"),
        ("5027.99", "5027.99", "county"),
        ("5028", "5028.00", "county"),  # at the cap: 6 × 838
        ("5028.01", "5028.00", "county"),
        ("20000", "5028.00", "county"),
    ],
)
def test_temporary_aid_is_capped_and_the_town_approves_up_to_its_limit(settings, case, amount, level):
    settings.TEMPORARY_AID_CAP_MONTHS = "6"
    settings.TEMPORARY_AID_TOWN_LIMIT = "1000"
    result = amounts.temporary_aid(standard(), case_amount=D(case))
    assert (result.amount, result.approval_level) == (D(amount), level)


def test_temporary_aid_cap_and_threshold_come_from_the_settings(settings):
    settings.TEMPORARY_AID_CAP_MONTHS = "1.5"
    settings.TEMPORARY_AID_TOWN_LIMIT = "2000"
    result = amounts.temporary_aid(standard(), case_amount=D("3000"))
    assert (result.amount, result.approval_level) == (D("1257.00"), "town")
    assert "超过上限" in result.formula


def test_the_special_fund_pays_the_committees_amount():
    result = amounts.special_fund(committee_amount=D("3000.005"))
    assert result.amount == D("3000.01") and result.standard_ids == ()
    with pytest.raises(ValueError):
        amounts.special_fund(committee_amount=D("0"))
