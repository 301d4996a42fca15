"""Who adds a standard in the admin, and that a saved standard is never edited there."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from assistance.models import ApprovalStep, Program, Standard
from households.models import Role
from tests.factories import UserFactory, region

pytestmark = pytest.mark.django_db

ADD = reverse("admin:assistance_standard_add")


@pytest.fixture
def urban_dibao():
    return Program.objects.get(code="urban_dibao")


def form(program, **changes):
    data = {
        "program": program.pk,
        "component": "basic",
        "region_code": "130900",
        "area_type": "urban",
        "yearly_amount": "10560",
        "monthly_amount": "880",
        "min_monthly_per_person": "",
        "effective_from": "2026-07-01",
        "effective_to": "",
        "document_number": "沧民〔2026〕12号",
    }
    return {**data, **changes}


def test_a_city_supervisor_adds_a_standard_which_closes_the_one_it_follows(
    client_for, city_supervisor, urban_dibao
):
    response = client_for(city_supervisor).post(ADD, form(urban_dibao))
    assert response.status_code == 302
    new = Standard.objects.get(program=urban_dibao, effective_from=date(2026, 7, 1))
    assert (new.monthly_amount, new.created_by, new.effective_to) == (Decimal("880"), city_supervisor, None)
    old = Standard.objects.get(program=urban_dibao, effective_from=date(2025, 7, 1))
    assert old.effective_to == date(2026, 6, 30)


def test_a_county_override_is_added_by_the_city(client_for, city_supervisor, urban_dibao):
    response = client_for(city_supervisor).post(ADD, form(urban_dibao, region_code="130921"))
    assert response.status_code == 302
    assert Standard.objects.get(program=urban_dibao, region_code="130921").effective_to is None
    assert Standard.objects.get(program=urban_dibao, region_code="130900").effective_to is None  # untouched


def test_an_overlapping_standard_is_refused_on_the_form_saying_what_is_allowed(
    client_for, city_supervisor, urban_dibao
):
    client = client_for(city_supervisor)
    client.post(ADD, form(urban_dibao))
    response = client.post(ADD, form(urban_dibao, effective_from="2026-01-01", effective_to="2026-12-31"))
    assert response.status_code == 200
    assert "执行期间不能重叠" in response.content.decode()
    assert Standard.objects.filter(program=urban_dibao).count() == 2


@pytest.mark.parametrize(
    ("role", "scope", "status"),
    [
        (Role.SUPERVISOR, "130921", 403),  # a county supervisor
        (Role.DATA_ADMIN, "130900", 403),
        (Role.SYSTEM_ADMIN, "130900", 403),
        (Role.CASEWORKER, "130921101", 302),  # sent to sign in: caseworkers never use the admin
    ],
)
def test_no_one_else_adds_a_standard(client_for, regions, urban_dibao, role, scope, status):
    user = UserFactory(username=f"u_{role}", role=role, scope=region(scope))
    response = client_for(user).post(ADD, form(urban_dibao))
    assert response.status_code == status
    assert not Standard.objects.filter(effective_from=date(2026, 7, 1)).exists()


def test_a_saved_standard_is_shown_read_only_even_to_a_city_supervisor(
    client_for, city_supervisor, urban_dibao
):
    standard = Standard.objects.get(program=urban_dibao, region_code="130900")
    client = client_for(city_supervisor)
    page = client.get(reverse("admin:assistance_standard_change", args=[standard.pk]))
    assert page.status_code == 200 and 'name="monthly_amount"' not in page.content.decode()
    changed = client.post(reverse("admin:assistance_standard_change", args=[standard.pk]), form(urban_dibao))
    assert changed.status_code == 403
    deleted = client.post(reverse("admin:assistance_standard_delete", args=[standard.pk]), {"post": "yes"})
    assert deleted.status_code == 403
    standard.refresh_from_db()
    assert standard.monthly_amount == Decimal("838")


def test_a_city_supervisor_changes_a_programmes_time_limit_never_its_code(
    client_for, city_supervisor, urban_dibao
):
    url = reverse("admin:assistance_program_change", args=[urban_dibao.pk])
    data = {
        "code": "renamed",
        "kind": "one_off",
        "name": "城市低保",
        "time_limit_working_days": "25",
        "complex_time_limit_working_days": "45",
        "refusal_notice_working_days": "3",
        "sort_order": "10",
        "active": "on",
        "steps-TOTAL_FORMS": "6",
        "steps-INITIAL_FORMS": "6",
        "steps-MIN_NUM_FORMS": "0",
        "steps-MAX_NUM_FORMS": "1000",
    }
    response = client_for(city_supervisor).post(url, data)
    assert response.status_code == 302
    urban_dibao.refresh_from_db()
    assert (urban_dibao.code, urban_dibao.kind, urban_dibao.time_limit_working_days) == (
        "urban_dibao",
        "household",
        25,
    )
    assert ApprovalStep.objects.filter(program=urban_dibao).count() == 6


def test_a_county_supervisor_reads_programmes_and_cannot_change_them(
    client_for, county_supervisor, urban_dibao
):
    client = client_for(county_supervisor)
    url = reverse("admin:assistance_program_change", args=[urban_dibao.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"name": "改名", "sort_order": "1"}).status_code == 403
    urban_dibao.refresh_from_db()
    assert urban_dibao.name == "城市低保"
