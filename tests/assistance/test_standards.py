"""Standards: seeded 2025 values, append-only and no overlap in the database, the one in force."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from assistance.models import Program, Standard
from assistance.seeds import PLACEHOLDER_DOCUMENT
from assistance.selectors import standard_in_force
from assistance.services import standard_add

pytestmark = pytest.mark.django_db

CANGXIAN = "130921"
VILLAGE_OF_CANGXIAN = "130921101201"
VILLAGE_OF_HEJIAN = "130984101201"


@pytest.fixture
def urban_dibao():
    return Program.objects.get(code="urban_dibao")


def add(program, *, region="130900", start, end=None, monthly="900", by=None, **extra):
    return standard_add(
        program=program,
        region_code=region,
        area_type="urban",
        yearly_amount=Decimal(monthly) * 12,
        monthly_amount=Decimal(monthly),
        effective_from=start,
        effective_to=end,
        document_number="沧民〔2026〕1号",
        created_by=by,
        **extra,
    )


def test_the_cangzhou_2025_standards_are_seeded_from_1_july_with_a_marked_placeholder_document():
    seeded = {
        (s.program.code, s.area_type): (s.yearly_amount, s.monthly_amount)
        for s in Standard.objects.filter(region_code="130900", effective_from=date(2025, 7, 1))
    }
    assert seeded[("urban_dibao", "urban")] == (Decimal("10056"), Decimal("838"))
    assert seeded[("rural_dibao", "rural")] == (Decimal("7128"), Decimal("594"))
    assert seeded[("tekun_dispersed", "urban")] == (Decimal("13080"), Decimal("1090"))
    assert seeded[("tekun_centralised", "rural")] == (Decimal("9276"), Decimal("773"))
    assert set(Standard.objects.values_list("document_number", flat=True)) == {PLACEHOLDER_DOCUMENT}
    assert "占位" in PLACEHOLDER_DOCUMENT


def test_the_database_refuses_to_change_a_standards_amount_or_start(urban_dibao):
    standard = Standard.objects.get(program=urban_dibao, region_code="130900")
    for change in ({"monthly_amount": Decimal("900")}, {"effective_from": date(2025, 1, 1)}):
        with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
            Standard.objects.filter(pk=standard.pk).update(**change)
    standard.refresh_from_db()
    assert standard.monthly_amount == Decimal("838") and standard.effective_from == date(2025, 7, 1)


def test_saving_a_standard_unchanged_is_no_change_and_allowed(urban_dibao):
    # (A test database restored over its seeded rows saves each row again as it was.)
    standard = Standard.objects.get(program=urban_dibao, region_code="130900")
    standard.save()
    standard.monthly_amount = Decimal("900")
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        standard.save()


def test_the_database_refuses_to_delete_a_standard(urban_dibao):
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        Standard.objects.filter(program=urban_dibao).delete()
    assert Standard.objects.filter(program=urban_dibao).count() == 1


def test_an_open_period_may_be_closed_once_and_never_moved_after(urban_dibao):
    standard = Standard.objects.get(program=urban_dibao, region_code="130900")
    Standard.objects.filter(pk=standard.pk).update(effective_to=date(2026, 6, 30))
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        Standard.objects.filter(pk=standard.pk).update(effective_to=date(2026, 12, 31))
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        Standard.objects.filter(pk=standard.pk).update(effective_to=None)
    standard.refresh_from_db()
    assert standard.effective_to == date(2026, 6, 30)


def raw_standard(program, *, region, start, end=None):
    """A standard row written straight to the table (no service checks): the database decides."""
    return Standard.objects.create(
        program=program,
        region_code=region,
        area_type="urban",
        yearly_amount=12,
        monthly_amount=1,
        effective_from=start,
        effective_to=end,
        document_number="x",
    )


def test_the_database_refuses_overlapping_periods_of_the_same_programme_region_and_area(urban_dibao):
    with pytest.raises(IntegrityError, match="standard_no_overlap"), transaction.atomic():
        raw_standard(urban_dibao, region="130900", start=date(2026, 1, 1), end=date(2026, 1, 31))
    # another area type, or a county's own row, may overlap the city's urban row
    raw_standard(urban_dibao, region=CANGXIAN, start=date(2026, 1, 1))


def test_a_new_standard_closes_the_open_one_the_day_before_it_begins(urban_dibao, city_supervisor):
    new = add(urban_dibao, start=date(2026, 7, 1), by=city_supervisor)
    old = Standard.objects.get(program=urban_dibao, region_code="130900", effective_from=date(2025, 7, 1))
    assert old.effective_to == date(2026, 6, 30)
    assert new.effective_to is None and new.created_by == city_supervisor
    assert standard_in_force(urban_dibao, "130900", "urban", date(2026, 6, 30)) == old
    assert standard_in_force(urban_dibao, "130900", "urban", date(2026, 7, 1)) == new


def test_a_standard_overlapping_a_closed_period_is_refused_with_what_is_allowed(urban_dibao):
    add(urban_dibao, start=date(2026, 7, 1))
    with pytest.raises(ValidationError) as refused:
        add(urban_dibao, start=date(2026, 1, 1))
    assert "不能重叠" in refused.value.messages[0] and "2025-07-01" in refused.value.messages[0]
    with pytest.raises(ValidationError):
        add(urban_dibao, start=date(2026, 7, 1))  # the same start as the open one
    assert Standard.objects.filter(program=urban_dibao).count() == 2


def test_a_standard_outside_the_city_is_refused(urban_dibao):
    with pytest.raises(ValidationError, match="130900"):
        add(urban_dibao, region="110101", start=date(2026, 7, 1))


def test_a_county_row_wins_over_the_city_default_only_in_its_county(urban_dibao):
    county = add(urban_dibao, region=CANGXIAN, start=date(2026, 1, 1), end=date(2026, 12, 31), monthly="880")
    city = Standard.objects.get(program=urban_dibao, region_code="130900")
    assert standard_in_force(urban_dibao, VILLAGE_OF_CANGXIAN, "urban", date(2026, 5, 1)) == county
    assert standard_in_force(urban_dibao, VILLAGE_OF_HEJIAN, "urban", date(2026, 5, 1)) == city
    # outside the county row's period the city default applies again, on both sides of it
    assert standard_in_force(urban_dibao, VILLAGE_OF_CANGXIAN, "urban", date(2025, 12, 31)) == city
    assert standard_in_force(urban_dibao, VILLAGE_OF_CANGXIAN, "urban", date(2026, 1, 1)) == county
    assert standard_in_force(urban_dibao, VILLAGE_OF_CANGXIAN, "urban", date(2026, 12, 31)) == county
    assert standard_in_force(urban_dibao, VILLAGE_OF_CANGXIAN, "urban", date(2027, 1, 1)) == city


def test_no_standard_is_in_force_before_the_first_begins_or_for_another_area(urban_dibao):
    assert standard_in_force(urban_dibao, VILLAGE_OF_HEJIAN, "urban", date(2025, 6, 30)) is None
    assert standard_in_force(urban_dibao, VILLAGE_OF_HEJIAN, "urban", date(2025, 7, 1)) is not None
    assert standard_in_force(urban_dibao, VILLAGE_OF_HEJIAN, "rural", date(2025, 7, 1)) is None


def test_the_database_refuses_a_period_ending_before_it_begins(urban_dibao):
    with pytest.raises(IntegrityError, match="standard_period_valid"), transaction.atomic():
        raw_standard(urban_dibao, region=CANGXIAN, start=date(2026, 7, 1), end=date(2026, 6, 30))


def test_a_closed_period_cannot_follow_the_open_standard(urban_dibao):
    with pytest.raises(ValidationError, match="尚未截止"):
        add(urban_dibao, start=date(2026, 7, 1), end=date(2026, 12, 31))
    assert Standard.objects.get(program=urban_dibao).effective_to is None


def test_a_one_day_standard_is_in_force_on_that_day_only(urban_dibao):
    add(urban_dibao, start=date(2026, 7, 1))
    one_day = add(urban_dibao, region=CANGXIAN, start=date(2026, 8, 1), end=date(2026, 8, 1), monthly="950")
    assert standard_in_force(urban_dibao, VILLAGE_OF_CANGXIAN, "urban", date(2026, 8, 1)) == one_day
    assert (
        standard_in_force(urban_dibao, VILLAGE_OF_CANGXIAN, "urban", date(2026, 8, 2)).region_code == "130900"
    )
