"""Sign-in lockout (django-axes): five wrong passwords for a username lock it for 15 minutes,
from whatever address they come; the page says until when and whom to call; an administrator
can unlock."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from axes.models import AccessAttempt, AccessLog
from django.test import Client
from django.urls import reverse

from households.models import Role
from tests.factories import UserFactory, region
from tests.helpers import page_text

pytestmark = pytest.mark.django_db

BEIJING = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 12, 7, 9, 0, tzinfo=BEIJING)
PASSWORD = "pw-12345678"  # tests.factories.UserFactory


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # the default hasher takes a good part of a second a password on purpose; these tests sign in
    # some fifty times
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def sign_in(client, username: str, password: str, address: str = "10.0.0.1"):
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=address)


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def fail_times(client, username: str, times: int, address: str = "10.0.0.1"):
    for _ in range(times):
        response = sign_in(client, username, "wrong-password", address)
    return response


def test_each_wrong_password_says_how_many_tries_remain(client, caseworker_a):
    with time_machine.travel(T0, tick=False):
        text = page_text(fail_times(client, "caseworker_a", 1))
        assert "用户名或密码不正确" in text and "再输错 4 次，该账号将被锁定 15 分钟" in text
        text = page_text(fail_times(client, "caseworker_a", 3))
        assert "再输错 1 次" in text


def test_the_fifth_wrong_password_locks_and_the_page_says_until_when(client, caseworker_a, settings):
    settings.SIGNIN_HELP_CONTACT = "信息科 0317-2020110"
    with time_machine.travel(T0, tick=False):
        fail_times(client, "caseworker_a", 4)
    with time_machine.travel(T0 + timedelta(minutes=2), tick=False):
        response = fail_times(client, "caseworker_a", 1)
    assert response.status_code == 429
    text = page_text(response)
    assert "该账号因连续 5 次密码错误，已被暂时锁定" in text
    assert "09:17 后可以再次登录（约 15 分钟后）" in text  # 15 minutes after the fifth failure
    assert "如需立即解锁，请联系系统管理员（信息科 0317-2020110）" in text
    assert 'value="caseworker_a"' in response.content.decode()  # the form is there to try again later


def test_locked_out_even_with_the_right_password_until_the_time_shown(client, caseworker_a):
    with time_machine.travel(T0, tick=False):
        fail_times(client, "caseworker_a", 5)
    with time_machine.travel(T0 + timedelta(minutes=10), tick=False):
        response = sign_in(client, "caseworker_a", PASSWORD)
        assert response.status_code == 429 and not signed_in(client)
        # trying during the lockout does not extend it: still 09:15
        assert "09:15 后可以再次登录（约 5 分钟后）" in page_text(response)
    with time_machine.travel(T0 + timedelta(minutes=15, seconds=1), tick=False):
        response = sign_in(client, "caseworker_a", PASSWORD)
        assert response.status_code == 302 and signed_in(client)


def test_a_lockout_ending_after_midnight_names_the_day(client, caseworker_a):
    with time_machine.travel(datetime(2026, 12, 31, 23, 55, tzinfo=BEIJING), tick=False):
        text = page_text(fail_times(client, "caseworker_a", 5))
    assert "1月1日 00:10 后可以再次登录（约 15 分钟后）" in text


def test_guessing_one_account_from_many_addresses_still_locks_it(client, caseworker_a):
    with time_machine.travel(T0, tick=False):
        for n in range(5):
            response = sign_in(client, "caseworker_a", f"guess-{n}", address=f"198.51.100.{n}")
        assert response.status_code == 429
        assert sign_in(client, "caseworker_a", PASSWORD, address="198.51.100.99").status_code == 429


def test_a_colleague_behind_the_same_office_address_can_still_sign_in(client, caseworker_a, caseworker_b):
    with time_machine.travel(T0, tick=False):
        fail_times(client, "caseworker_a", 5, address="10.0.0.1")
        colleague = Client()
        response = sign_in(colleague, "caseworker_b", PASSWORD, address="10.0.0.1")
        assert response.status_code == 302 and signed_in(colleague)


def test_a_success_clears_earlier_failures(client, caseworker_a):
    with time_machine.travel(T0, tick=False):
        fail_times(client, "caseworker_a", 4)
        assert sign_in(client, "caseworker_a", PASSWORD).status_code == 302
        client.post("/logout/")
        assert "再输错 4 次" in page_text(fail_times(client, "caseworker_a", 1))


def test_the_admin_sign_in_page_is_locked_too(client, regions):
    UserFactory(username="root", is_superuser=True, role=Role.DATA_ADMIN, scope=region("130900"))
    with time_machine.travel(T0, tick=False):
        for _ in range(5):
            response = client.post("/admin/login/", {"username": "root", "password": "wrong"})
        assert response.status_code == 429
        assert "已被暂时锁定" in page_text(response)
        response = client.post("/admin/login/", {"username": "root", "password": PASSWORD})
        assert response.status_code == 429 and not signed_in(client)


@pytest.fixture
def superuser(regions):
    return UserFactory(username="root", is_superuser=True, role=Role.DATA_ADMIN, scope=region("130900"))


def test_a_system_administrator_sees_who_is_locked_and_unlocks(client, client_for, caseworker_a, superuser):
    with time_machine.travel(T0, tick=False):
        fail_times(client, "caseworker_a", 3, address="10.0.0.1")
        fail_times(client, "caseworker_a", 2, address="10.0.0.2")  # one lockout, two rows
        admin = client_for(superuser)
        changelist = reverse("admin:axes_accessattempt_changelist")
        text = page_text(admin.get(changelist, {"locked": "yes"}))
        assert "登录锁定（近期失败）" in text
        assert "caseworker_a" in text and "锁定中，2026-12-07 09:15 解锁" in text

        some_row = AccessAttempt.objects.filter(username="caseworker_a").first()
        response = admin.post(
            changelist, {"action": "unlock", "_selected_action": [some_row.pk]}, follow=True
        )
        assert "已解除 1 个账号的登录锁定：caseworker_a" in page_text(response)
        assert not AccessAttempt.objects.filter(username="caseworker_a").exists()
        assert sign_in(Client(), "caseworker_a", PASSWORD).status_code == 302


def test_sign_in_records_pages_work_for_the_system_administrator_only(
    client, client_for, caseworker_a, data_admin, superuser
):
    sign_in(client, "caseworker_a", PASSWORD)  # a sign-in record
    fail_times(Client(), "caseworker_a", 1)  # a failure
    attempt = AccessAttempt.objects.get()
    pages = [
        reverse("admin:axes_accessattempt_changelist"),
        reverse("admin:axes_accessattempt_change", args=[attempt.pk]),
        reverse("admin:axes_accessfailurelog_changelist"),
        reverse("admin:axes_accesslog_changelist"),
    ]
    admin = client_for(superuser)
    assert "登录安全" in page_text(admin.get(reverse("admin:index")))
    for url in pages:
        assert admin.get(url).status_code == 200, url
    found = admin.get(pages[0], {"q": "10.0.0"})  # by address
    assert found.status_code == 200 and "caseworker_a" in page_text(found)
    log = AccessLog.objects.get(username="caseworker_a")
    for url in (
        "/admin/axes/accessattempt/add/",
        "/admin/axes/accesslog/add/",
        f"/admin/axes/accesslog/{log.pk}/delete/",  # the sign-in records are kept
    ):
        assert admin.get(url).status_code == 403, url
    staff = Client()
    staff.force_login(data_admin)
    for url in pages:
        assert staff.get(url).status_code == 403, url
    caseworker_a.is_staff = False
    caseworker_a.save(update_fields=["is_staff"])
    outsider = Client()
    outsider.force_login(caseworker_a)
    for url in pages:
        assert outsider.get(url).status_code == 302, url
