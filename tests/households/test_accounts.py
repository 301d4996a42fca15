"""Accounts: only system administrators manage users, roles, scopes and regions; nobody raises
themselves or others above their role; caseworkers have no admin site; everyone changes their own
password in the app."""

import pytest
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.urls import reverse

from households.models import Region, Role
from tests.factories import UserFactory, region
from tests.helpers import page_text

pytestmark = pytest.mark.django_db
User = get_user_model()
USERS = reverse("admin:households_user_changelist")


@pytest.fixture
def system_admin(regions):
    return UserFactory(username="sysadmin", role=Role.SYSTEM_ADMIN, scope=region("130900"))


@pytest.fixture
def root(db):
    return User.objects.create_superuser("root", password="pw-12345678")


def change_form(user, **overrides):
    data = {
        "username": user.username,
        "last_name": user.last_name,
        "first_name": user.first_name,
        "email": user.email,
        "role": user.role,
        "scope": user.scope_id or "",
        "is_active": "on" if user.is_active else "",
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "08:00:00",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v != ""}


def test_data_admins_and_supervisors_reach_no_account(client_for, data_admin, city_supervisor, root):
    for persona in (data_admin, city_supervisor):
        client = client_for(persona)
        assert client.get(USERS).status_code == 403
        assert client.get(reverse("admin:households_user_change", args=[root.pk])).status_code == 403
        response = client.post(
            reverse("admin:auth_user_password_change", args=[root.pk]),
            {"password1": "Takeover-2026!x", "password2": "Takeover-2026!x"},
        )
        assert response.status_code == 403
        assert client.get(reverse("admin:households_region_add")).status_code == 403
    root.refresh_from_db()
    assert root.check_password("pw-12345678")


def test_a_data_admin_cannot_make_anyone_a_superuser(client_for, data_admin, caseworker_a):
    response = client_for(data_admin).post(
        reverse("admin:households_user_change", args=[caseworker_a.pk]),
        change_form(caseworker_a, is_superuser="on", role=Role.SYSTEM_ADMIN),
    )
    assert response.status_code == 403
    caseworker_a.refresh_from_db()
    assert (caseworker_a.is_superuser, caseworker_a.role) == (False, Role.CASEWORKER)


def test_a_system_admin_manages_accounts_but_grants_no_superuser(client_for, system_admin, caseworker_a):
    client = client_for(system_admin)
    page = client.get(reverse("admin:households_user_change", args=[caseworker_a.pk])).content.decode()
    for hidden in ('name="is_superuser"', 'name="groups"', 'name="user_permissions"', 'name="is_staff"'):
        assert hidden not in page, hidden
    response = client.post(
        reverse("admin:households_user_change", args=[caseworker_a.pk]),
        change_form(caseworker_a, role=Role.SUPERVISOR, scope="130921", is_superuser="on"),
    )
    assert response.status_code == 302
    caseworker_a.refresh_from_db()
    assert (caseworker_a.role, caseworker_a.scope_id) == (Role.SUPERVISOR, "130921")
    assert caseworker_a.is_superuser is False and caseworker_a.is_staff is True  # staff follows the role
    assert "Group" not in client.get(reverse("admin:index")).content.decode()


def test_a_system_admin_creates_an_account_with_a_role_and_scope(client_for, system_admin):
    response = client_for(system_admin).post(
        reverse("admin:households_user_add"),
        {
            "username": "new_cw",
            "usable_password": "true",
            "password1": "Xq7-river-lantern",
            "password2": "Xq7-river-lantern",
            "last_name": "李",
            "first_name": "四",
            "role": Role.CASEWORKER,
            "scope": "130921101",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    made = User.objects.get(username="new_cw")
    assert (made.role, made.scope_id, made.is_staff, made.is_superuser) == (
        Role.CASEWORKER,
        "130921101",
        False,
        False,
    )


def test_superusers_are_out_of_a_system_admins_reach(client_for, system_admin, root):
    client = client_for(system_admin)
    assert "root" not in page_text(client.get(USERS))
    for name in ("admin:households_user_change", "admin:auth_user_password_change"):
        assert client.get(reverse(name, args=[root.pk])).status_code == 404
    client.post(
        reverse("admin:auth_user_password_change", args=[root.pk]),
        {"password1": "Takeover-2026!x", "password2": "Takeover-2026!x"},
    )
    root.refresh_from_db()
    assert root.check_password("pw-12345678")


def test_a_county_system_admin_manages_only_the_county(client_for, caseworker_a, regions):
    county_admin = UserFactory(username="sysadmin_cx", role=Role.SYSTEM_ADMIN, scope=region("130921"))
    hejian = UserFactory(username="cw_hejian", role=Role.CASEWORKER, scope=region("130984101"))
    client = client_for(county_admin)
    listed = page_text(client.get(USERS))
    assert "caseworker_a" in listed and "cw_hejian" not in listed
    assert client.get(reverse("admin:households_user_change", args=[hejian.pk])).status_code == 404
    response = client.post(
        reverse("admin:households_user_change", args=[caseworker_a.pk]),
        change_form(caseworker_a, scope="130900"),
    )
    assert response.status_code == 200  # the form refuses a scope outside the admin's own
    caseworker_a.refresh_from_db()
    assert caseworker_a.scope_id == "130921101"
    assert client.get(reverse("admin:households_region_change", args=["130984"])).status_code == 404


def test_a_system_admin_adds_a_village(client_for, system_admin):
    response = client_for(system_admin).post(
        reverse("admin:households_region_add"),
        {"code": "130921101299", "name": "新建村", "level": "village", "parent": "130921101"},
    )
    assert response.status_code == 302
    assert Region.objects.get(code="130921101299").parent_id == "130921101"


def test_system_admins_see_no_personal_data(client_for, system_admin):
    client = client_for(system_admin)
    for url in (reverse("households:list"), reverse("alerts:inbox"), reverse("alerts:dashboard")):
        assert client.get(url).status_code == 403, url
    assert client.get(reverse("admin:households_household_changelist")).status_code == 403
    nav = page_text(client.get("/"))
    assert "管理后台" in nav and "家庭档案" not in nav and "预警处置" not in nav


def test_staff_status_follows_the_role_in_the_database(regions):
    caseworker = UserFactory(username="cw_x", role=Role.CASEWORKER, scope=region("130921101"))
    assert caseworker.is_staff is False
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.filter(pk=caseworker.pk).update(is_staff=True)
    caseworker.role = Role.SUPERVISOR
    caseworker.save(update_fields=["role"])
    caseworker.refresh_from_db()
    assert caseworker.is_staff is True


def test_groups_and_per_user_permissions_grant_nothing(regions):
    from django.contrib.auth.models import Group, Permission

    caseworker = UserFactory(username="cw_y", role=Role.CASEWORKER, scope=region("130921101"))
    perm = Permission.objects.get(codename="change_user")
    caseworker.user_permissions.add(perm)
    group = Group.objects.create(name="old")
    group.permissions.add(Permission.objects.get(codename="add_ruleversion"))
    caseworker.groups.add(group)
    caseworker = User.objects.get(pk=caseworker.pk)
    assert not caseworker.has_perm("households.change_user")
    assert not caseworker.has_perm("alerts.add_ruleversion")
    assert caseworker.has_perm("alerts.view_alert")


def test_everyone_changes_their_own_password_in_the_app(client_for, caseworker_a):
    client = client_for(caseworker_a)
    url = reverse("password_change")
    assert url in client.get("/").content.decode()
    wrong = client.post(url, {"old_password": "nope", "new_password1": "a", "new_password2": "a"})
    assert "旧密码不正确" in page_text(wrong) or "你的旧密码不正确" in page_text(wrong)
    response = client.post(
        url,
        {
            "old_password": "pw-12345678",
            "new_password1": "Lantern-river-77",
            "new_password2": "Lantern-river-77",
        },
        follow=True,
    )
    assert "密码已修改" in page_text(response)
    caseworker_a.refresh_from_db()
    assert caseworker_a.check_password("Lantern-river-77")
