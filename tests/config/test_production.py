"""Production settings from the environment, each checked in a fresh process as a server starts.

The processes get no database (DATABASE_URL points at a port nothing listens on): none of this
may need one.
"""

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NO_DATABASE = "postgres://nobody@127.0.0.1:9/none"
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "HTTPS": "true",
    "ALLOWED_HOSTS": "jiuzhu.example.gov.cn",
    "CSRF_TRUSTED_ORIGINS": "https://jiuzhu.example.gov.cn",
    "REDIS_URL": "redis://127.0.0.1:9/0",  # production shares its cache (never connected here)
}


def run(args: list[str], **environment: str) -> subprocess.CompletedProcess:
    # as a server starts: without what the test session set for itself (the browser tests allow
    # Django's async-unsafe calls, which check --deploy rightly reports)
    inherited = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {
        **inherited,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": NO_DATABASE,
        "STATICFILES_BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",  # no collectstatic
        **environment,
    }
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_is_clean_with_production_settings():
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_warns_when_the_id_search_limit_is_not_counted_in_redis():
    result = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **{**PRODUCTION, "REDIS_URL": ""}
    )
    assert result.returncode != 0 and "households.W001" in result.stderr


def test_check_deploy_names_what_is_missing_without_https():
    result = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **{**PRODUCTION, "HTTPS": "false"}
    )
    assert result.returncode != 0
    for check in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert check in result.stderr, check


def test_without_debug_a_missing_or_example_secret_key_refuses_to_start():
    # SECRET_KEY="" also keeps the .env that ./dev writes from supplying one
    for key in (
        "",
        "change-me-to-a-long-random-string",
        "dev-only-insecure-key-change-me-in-production-0123456789",
    ):
        result = run(["manage.py", "check"], **{**PRODUCTION, "SECRET_KEY": key})
        assert result.returncode != 0, key
        assert "SECRET_KEY 未设置或仍是示例值" in result.stderr, result.stderr


def test_with_debug_on_the_development_key_is_allowed():
    result = run(["manage.py", "check"], DEBUG="true", SECRET_KEY="")
    assert result.returncode == 0, result.stderr


def test_https_settings_follow_one_switch():
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
        "s.SECURE_HSTS_SECONDS, getattr(s, 'SECURE_PROXY_SSL_HEADER', None))"
    )
    assert run(["-c", code], **PRODUCTION).stdout.split() == ["True", "True", "True", "31536000", "None"]
    behind_proxy = run(["-c", code], **PRODUCTION, TRUST_X_FORWARDED_PROTO="true").stdout
    assert "('HTTP_X_FORWARDED_PROTO', 'https')" in behind_proxy
    # the demo (./dev demo) serves plain http on 127.0.0.1
    assert run(["-c", code], **{**PRODUCTION, "HTTPS": "false"}).stdout.split() == [
        "False",
        "False",
        "False",
        "0",
        "None",
    ]


def test_the_500_page_renders_when_the_database_is_down():
    """A signed-in user's request while PostgreSQL does not answer: the session cannot be read,
    and the error page must not need it (no context processor runs for it)."""
    code = (
        "import django; django.setup()\n"
        "from django.test import Client\n"
        "client = Client(raise_request_exception=False)\n"
        "client.cookies['sessionid'] = 'a' * 32\n"
        "response = client.get('/households/')\n"
        "print(response.status_code)\n"
        "print(response.content.decode())\n"
    )
    result = run(["-c", code], LOG_LEVEL="CRITICAL")
    assert result.returncode == 0, result.stderr
    status, html = result.stdout.split("\n", 1)
    assert status == "500"
    assert "系统出错" in html and "错误代码 500" in html and "回到首页" in html
    assert 'href="/static/vendor/bootstrap/bootstrap.min.css"' in html  # the site's layout
