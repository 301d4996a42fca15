"""The amount rules of DOMAIN.md ("Amounts"): pure functions of a standard row and the case.

Each returns a `Computation`, the amount with a record of what it was computed from, to be stored
with the application (`Computation.as_json()`, schema below) and shown on its page:

    {"rule": "dibao" | "tekun" | "temporary" | "special_fund",
     "amount": "1234.50",                 # yuan, two decimals, as a string
     "standard_ids": [12, 15],            # the Standard rows used (empty for the special fund)
     "inputs": {...},                     # every other input, decimals as strings
     "formula": "（838.00 − 500.00）× 3 = 1014.00",   # in Chinese, with the figures
     "approval_level": "town" | "county" | ""}        # 临时救助 only: who must approve

Amounts are rounded to the fen with ROUND_HALF_UP once, at the end. Configurable figures live in
the standard rows (amounts, county minimum, care allowances) or in settings (TEMPORARY_AID_*).
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.utils.translation import gettext as _

from assistance.models import CARE_COMPONENT, Standard, StandardComponent

FEN = Decimal("0.01")


def to_fen(value: Decimal) -> Decimal:
    return Decimal(value).quantize(FEN, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Computation:
    rule: str
    amount: Decimal
    standard_ids: tuple[int, ...]
    formula: str
    inputs: dict = field(default_factory=dict)
    approval_level: str = ""

    def as_json(self) -> dict:
        return {
            "rule": self.rule,
            "amount": str(self.amount),
            "standard_ids": list(self.standard_ids),
            "inputs": {k: str(v) if isinstance(v, Decimal) else v for k, v in self.inputs.items()},
            "formula": self.formula,
            "approval_level": self.approval_level,
        }


def dibao_monthly(standard: Standard, *, per_capita_income: Decimal, members: int) -> Computation:
    """低保 monthly = (monthly standard − household monthly per-capita income) × members, never below
    0. When the standard sets a per-person minimum (some counties do), an eligible household (income
    below the standard) gets at least that much per person."""
    if members < 1:
        raise ValueError("a household has at least one member")
    income = Decimal(per_capita_income)
    monthly = to_fen(standard.monthly_amount)
    gap = monthly - income
    minimum = None if standard.min_monthly_per_person is None else to_fen(standard.min_monthly_per_person)
    inputs = {"monthly_standard": monthly, "per_capita_income": income, "members": members}
    if minimum is not None:
        inputs["min_monthly_per_person"] = minimum
    if gap <= 0:
        amount = Decimal("0.00")
        formula = _("家庭月人均收入 %(income)s 元不低于月保障标准 %(standard)s 元，救助金额为 0") % {
            "income": income,
            "standard": monthly,
        }
    elif minimum is not None and gap < minimum:
        amount = to_fen(minimum * members)
        formula = _(
            "（%(standard)s − %(income)s）= %(gap)s 元，低于每人最低 %(minimum)s 元，按最低计：%(minimum)s × %(members)s = %(amount)s 元"
        ) % {
            "standard": monthly,
            "income": income,
            "gap": gap,
            "minimum": minimum,
            "members": members,
            "amount": amount,
        }
    else:
        amount = to_fen(gap * members)
        formula = _("（月保障标准 %(standard)s − 月人均收入 %(income)s）× %(members)s 人 = %(amount)s 元") % {
            "standard": monthly,
            "income": income,
            "members": members,
            "amount": amount,
        }
    return Computation("dibao", amount, (standard.pk,), formula, inputs)


def tekun_monthly(basic: Standard, care: Standard, *, self_care_level: str) -> Computation:
    """特困 monthly = the basic living standard + the care allowance of the person's self-care level
    (both standard rows of the 特困 programme, the care row of the matching component)."""
    if basic.component != StandardComponent.BASIC:
        raise ValueError("the first standard must be a basic living standard")
    if care.component != CARE_COMPONENT[self_care_level]:
        raise ValueError("the care allowance does not match the self-care level")
    basic_monthly, care_monthly = to_fen(basic.monthly_amount), to_fen(care.monthly_amount)
    amount = basic_monthly + care_monthly
    formula = _("基本生活标准 %(basic)s + 照料护理补贴（%(level)s）%(care)s = %(amount)s 元") % {
        "basic": basic_monthly,
        "level": care.get_component_display(),
        "care": care_monthly,
        "amount": amount,
    }
    inputs = {
        "basic_monthly": basic_monthly,
        "self_care_level": str(self_care_level),
        "care_monthly": care_monthly,
    }
    return Computation("tekun", amount, (basic.pk, care.pk), formula, inputs)


def temporary_aid(dibao_standard: Standard, *, case_amount: Decimal) -> Computation:
    """临时救助 = the case amount, capped at TEMPORARY_AID_CAP_MONTHS × the monthly 低保 standard of
    the household's region and area type. The town approves amounts up to
    TEMPORARY_AID_TOWN_LIMIT yuan (that amount included); above it the county must approve."""
    case = Decimal(case_amount)
    if case <= 0:
        raise ValueError("a case amount is positive")
    monthly = to_fen(dibao_standard.monthly_amount)
    multiple = Decimal(settings.TEMPORARY_AID_CAP_MONTHS)
    cap = to_fen(monthly * multiple)
    limit = Decimal(settings.TEMPORARY_AID_TOWN_LIMIT)
    amount = min(to_fen(case), cap)
    level = "town" if amount <= limit else "county"
    values = {
        "case": to_fen(case),
        "cap": cap,
        "multiple": multiple,
        "standard": monthly,
    }
    if to_fen(case) > cap:
        formula = (
            _("核定金额 %(case)s 元超过上限 %(cap)s 元（月低保标准 %(standard)s × %(multiple)s），按上限发放")
            % values
        )
    else:
        formula = (
            _("核定金额 %(case)s 元，未超过上限 %(cap)s 元（月低保标准 %(standard)s × %(multiple)s）")
            % values
        )
    inputs = {
        "case_amount": case,
        "monthly_dibao_standard": monthly,
        "cap_months": multiple,
        "cap": cap,
        "town_limit": limit,
    }
    return Computation("temporary", amount, (dibao_standard.pk,), formula, inputs, approval_level=level)


def special_fund(*, committee_amount: Decimal) -> Computation:
    """困难群众救助基金: the amount the review committee decided, case by case."""
    amount = to_fen(committee_amount)
    if amount <= 0:
        raise ValueError("a committee amount is positive")
    formula = _("评委会评审确定金额 %(amount)s 元") % {"amount": amount}
    return Computation("special_fund", amount, (), formula, {"committee_amount": amount})
