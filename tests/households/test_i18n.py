"""English as the second interface language: Chinese by default, English after the switch.

The catalog checks parse locale/en/LC_MESSAGES/django.po and .mo in pure Python
(scripts/i18n_catalog.py), so they run on machines without GNU gettext.
"""

import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from scripts import i18n_catalog
from tests.helpers import page_text

ROOT = Path(__file__).resolve().parents[2]


def _switch_to_english(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"


# --- what a user sees -------------------------------------------------------------------------


@pytest.mark.django_db
def test_default_is_chinese_even_for_an_english_browser(client_for, caseworker_a):
    client = client_for(caseworker_a)
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    text = page_text(response)
    assert response["Content-Language"] == "zh-hans"
    assert "预警处置" in text and "家庭档案" in text
    assert "Alerts" not in text and "Households" not in text
    assert "English" in text  # the switch is offered


@pytest.mark.django_db
def test_home_page_in_english_after_switching(client_for, caseworker_a):
    client = client_for(caseworker_a)
    _switch_to_english(client)
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-CN")
    text = page_text(response)
    assert response["Content-Language"] == "en"
    assert '<html lang="en">' in response.content.decode()
    for label in ("Assistance Monitoring", "Home", "Alerts", "Households", "Log out", "Hello,"):
        assert label in text, label
    assert "中文" in text  # and the way back
    for chinese in ("预警处置", "家庭档案", "首页", "退出"):
        assert chinese not in text, chinese


@pytest.mark.django_db
def test_inbox_in_english_after_switching(client_for, caseworker_a):
    client = client_for(caseworker_a)
    _switch_to_english(client)
    text = page_text(client.get("/alerts/inbox/"))
    for label in ("Alert type", "Overdue only", "Caseworker", "Filter", "No alerts match"):
        assert label in text, label
    assert "筛选" not in text and "预警类别" not in text


@pytest.mark.django_db
def test_login_page_in_english_and_back_to_chinese(client):
    assert "用户名" in page_text(client.get("/login/"))
    client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    text = page_text(client.get("/login/"))
    for label in ("Sign in", "User name", "Password", "sign in with your work account"):
        assert label in text, label
    assert "用户名" not in text and "密码" not in text

    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/login/"})
    text = page_text(client.get("/login/"))
    assert "用户名" in text and "User name" not in text


@pytest.mark.django_db
def test_wrong_password_message_in_english(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    text = page_text(client.post("/login/", {"username": "nobody", "password": "wrong-password"}))
    assert "Wrong user name or password" in text


def test_monitoring_exit_and_logout_are_told_apart():
    """ "退出" is both the logout button and a monitoring exit date: two different English words."""
    with translation.override("en"):
        assert translation.pgettext("logout", "退出") == "Log out"
        assert translation.gettext("退出") == "Exited"


def test_date_format_reason_is_translated_with_its_formats():
    from imports.loading.reasons import DATE_FORMATS, FIELD_REASONS

    with translation.override("en"):
        message = str(FIELD_REASONS["date_format"])
    assert message.startswith("The “{column}” value “{value}” is not a recognisable date")
    assert message.endswith(DATE_FORMATS)


# --- the catalog ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def entries():
    return i18n_catalog.read_po()


def test_every_msgid_has_an_english_translation(entries):
    messages = [e for e in entries if e.msgid]
    assert len(messages) > 600  # the whole interface, not a sample
    untranslated = [e.msgid for e in messages if not e.translated]
    assert untranslated == []
    still_chinese = [
        e.msgid for e in messages if any(re.search(r"[\u4e00-\u9fff]", t) for t in e.translations)
    ]
    # Chinese is kept only where it quotes what a user must type in a Chinese file (e.g. “儿童”, “户主”)
    unquoted = [t for e in messages if e.msgid in still_chinese for t in e.translations if "“" not in t]
    assert unquoted == []


def test_placeholders_survive_translation(entries):
    assert i18n_catalog.problems(entries) == []
    # and the checker does catch a lost placeholder
    broken = i18n_catalog.Entry(msgid="逾期 %(days)d 天", msgstr="overdue")
    assert i18n_catalog.problems([broken]) == ["placeholders differ: '逾期 %(days)d 天' -> 'overdue'"]
    braces = i18n_catalog.Entry(msgid="“{column}”为必填项", msgstr="“{col}” is required")
    assert i18n_catalog.problems([braces])


def test_compiled_catalog_is_in_step_with_the_po(entries):
    """The committed .mo holds exactly what compiling the .po gives (a clean clone needs no msgfmt)."""
    assert i18n_catalog.MO_PATH.exists(), "run: python scripts/i18n_catalog.py compile"
    assert i18n_catalog.read_mo() == i18n_catalog.catalog(entries), (
        "run: python scripts/i18n_catalog.py compile"
    )


def test_pure_python_compile_gives_a_catalog_django_reads(entries, tmp_path):
    mo = tmp_path / "django.mo"
    i18n_catalog.write_mo(entries, mo)
    import gettext

    with mo.open("rb") as fh:
        catalog = gettext.GNUTranslations(fh)
    assert catalog.gettext("预警处置") == "Alerts"
    assert catalog.pgettext("logout", "退出") == "Log out"
    assert catalog.gettext("逾期 %(days)d 天") % {"days": 3} == "3 days overdue"


def test_check_command_exits_zero():
    result = subprocess.run(
        [sys.executable, "scripts/i18n_catalog.py", "check"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.django_db
def test_an_english_request_does_not_leave_the_thread_in_english(client_for, caseworker_a):
    client = client_for(caseworker_a)
    _switch_to_english(client)
    client.get("/")
    assert translation.get_language() == "zh-hans"
    assert translation.gettext("预警处置") == "预警处置"


def test_gettext_is_imported_under_names_makemessages_extracts():
    """makemessages only extracts _(), gettext(), gettext_lazy() …; an alias such as `_lazy`
    would leave its strings out of the catalog, so they would stay Chinese in the English UI."""
    aliases = []
    for app in ("households", "imports", "monitoring", "alerts", "assistance", "config"):
        for path in (ROOT / app).rglob("*.py"):
            for alias in re.findall(r"import \w*gettext\w* as (\w+)", path.read_text(encoding="utf-8")):
                if alias != "_":
                    aliases.append(f"{path.relative_to(ROOT)}: {alias}")
    assert aliases == []
