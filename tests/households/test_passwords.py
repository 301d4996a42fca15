"""Password rules on the password change page: the username, short, common and all-digit
passwords are refused with Chinese messages; a good one is taken."""

import pytest
from django.contrib.auth import password_validation
from django.test import Client

from households.models import Role, User
from tests.factories import UserFactory, region
from tests.helpers import page_text

pytestmark = pytest.mark.django_db
OLD = "pw-12345678"  # tests.factories.UserFactory


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def jingban(regions):
    return UserFactory(username="jingban_a", role=Role.CASEWORKER, scope=region("130921101"), is_staff=False)


def change(client, new: str, old: str = OLD):
    return client.post("/password/", {"old_password": old, "new_password1": new, "new_password2": new})


@pytest.mark.parametrize(
    ("new", "message"),
    [
        ("jingban_a1", "密码跟 用户名 太相似了"),
        ("Jingban_A-2026-spring", "密码不能包含用户名"),
        ("a1b2c3", "密码太短，至少需要 10 个字符"),
        ("woaini1314", "这个密码太常见了"),
        ("qwertyuiop", "这个密码太常见了"),
        ("5201314520131", "密码只包含数字"),
    ],
)
def test_weak_passwords_are_refused_in_chinese(client_for, jingban, new, message):
    response = change(client_for(jingban), new)
    assert response.status_code == 200
    assert message in page_text(response)
    jingban.refresh_from_db()
    assert jingban.check_password(OLD)


def test_the_page_lists_the_rules_and_a_good_password_is_taken(client_for, jingban):
    client = client_for(jingban)
    text = page_text(client.get("/password/"))
    for rule in ("修改密码", "旧密码", "新密码", "至少 10 个字符", "不能是一个常见密码", "不能包含用户名"):
        assert rule in text, rule
    response = change(client, "河间-春分-蓝色-自行车")
    assert response.status_code == 302 and response["Location"] == "/password/done/"
    assert "密码已修改" in page_text(client.get("/password/done/"))
    assert client.get("/").status_code == 200  # still signed in
    response = Client().post("/login/", {"username": "jingban_a", "password": "河间-春分-蓝色-自行车"})
    assert response.status_code == 302


def test_the_minimum_length_comes_from_the_environment_setting(settings, jingban):
    settings.AUTH_PASSWORD_VALIDATORS = [
        {
            "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
            "OPTIONS": {"min_length": 14},
        }
    ]
    password_validation.get_default_password_validators.cache_clear()
    try:
        with pytest.raises(Exception, match="至少需要 14 个字符"):
            password_validation.validate_password("thirteen-char", jingban)
    finally:
        password_validation.get_default_password_validators.cache_clear()


def test_the_demo_password_would_not_pass_the_rules(jingban):
    """seed_demo sets `demo-2025` by hash; as a chosen password it would be refused (9 characters)."""
    with pytest.raises(Exception, match="至少需要 10 个字符") as refused:
        password_validation.validate_password("demo-2025", User(username="dudao"))
    assert len(refused.value.messages) == 1  # only its length: not common, not like the username


def test_the_administrator_setting_a_password_meets_the_same_rules(client_for, jingban, regions):
    superuser = UserFactory(username="root", is_superuser=True, role=Role.DATA_ADMIN, scope=region("130900"))
    url = f"/admin/households/user/{jingban.pk}/password/"
    response = client_for(superuser).post(url, {"password1": "12345678", "password2": "12345678"})
    text = page_text(response)
    assert "密码太短，至少需要 10 个字符" in text and "这个密码太常见了" in text
