"""The edges of every page in Chromium: no Content-Security-Policy violation on the main pages, the
lockout message on the sign-in page, the error pages, and signing in again after an idle session.

The `page` fixture fails a test on any console error; a CSP violation is one. The listener below
records the violations too, with the directive and the file, so a failure says what to fix.
"""

import re
from datetime import timedelta

import pytest
import time_machine

from households import clock

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RECORD_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) =>
  window.cspViolations.push(`${e.violatedDirective} ${e.sourceFile}:${e.lineNumber} ${e.sample}`));
"""


@pytest.fixture
def csp_page(page):
    page.context.add_init_script(RECORD_VIOLATIONS)
    return page


def visit(page, url: str) -> None:
    page.goto(url)
    page.wait_for_load_state("networkidle")
    assert page.evaluate("window.cspViolations") == [], url


def expect_error_status(page, status: int) -> None:
    """The browser reports the error page's status on the console: expected here, not a problem."""
    page.problems[:] = [p for p in page.problems if f"status of {status}" not in p]


def test_main_pages_load_with_the_content_security_policy_and_no_violation(
    csp_page, login, screenshot, city_supervisor, data_admin, caseworker_a, caseworker_b
):

    from alerts.services.dashboard import refresh_dashboard_summaries
    from households.models import Role
    from imports.progress import report
    from tests.alerts.dashboard_factories import generate
    from tests.alerts.triage_factories import alert_in
    from tests.conftest import VILLAGE_A, VILLAGE_B
    from tests.factories import UserFactory, region
    from tests.imports.factories import BatchFactory

    page = csp_page
    today = clock.today()
    generate(regions=[VILLAGE_A, VILLAGE_B], caseworkers=[caseworker_a, caseworker_b], today=today, alerts=40)
    refresh_dashboard_summaries(as_of=today)
    alert = alert_in(VILLAGE_A, name="王秀英")
    loading = BatchFactory(status="running", uploaded_by=data_admin, finished_at=None)
    report(loading.pk, phase="reading", rows_read=500, bytes_read=loading.size_bytes // 3)

    login(city_supervisor)
    for url in ("/", "/households/", f"/alerts/households/{alert.household_id}/", "/alerts/rules/"):
        visit(page, url)
    visit(page, "/alerts/dashboard/")
    canvas = page.locator('[data-chart="backlog"] canvas')
    box = canvas.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + 70)  # a tooltip (drawn on the canvas)
    page.wait_for_timeout(500)
    assert page.evaluate("window.cspViolations") == []
    visit(page, "/alerts/inbox/")
    page.locator("[data-check-all]").check()  # the "tick all" box, once an inline onclick
    assert (
        page.locator("input[name=alerts]:checked").count() == page.locator("input[name=alerts]").count() > 0
    )
    visit(page, f"/alerts/inbox/{alert.pk}/")
    visit(page, "/password/")
    page.context.clear_cookies()

    login(data_admin)
    for url in ("/imports/", "/imports/upload/"):
        visit(page, url)
    visit(page, f"/imports/{loading.pk}/")
    width = page.evaluate("document.querySelector('#batch-progress .progress-bar').style.width")
    assert width.endswith("%"), width  # set from data-width-percent, not a style attribute
    screenshot("csp-import-progress")
    page.goto("about:blank")  # stop the progress poll: signed out, its next answer would redirect the page
    page.context.clear_cookies()

    superuser = UserFactory(username="root", is_superuser=True, role=Role.DATA_ADMIN, scope=region("130900"))
    login(superuser)
    for url in (
        "/admin/",
        "/admin/households/household/",
        "/admin/households/user/add/",
        "/admin/alerts/alert/",
        f"/admin/alerts/alert/{alert.pk}/change/",
        "/admin/axes/accessattempt/",
        "/admin/axes/accesslog/",
    ):
        visit(page, url)
    visit(page, "/admin/imports/department/export/")
    page.locator("input.select-toggle").uncheck()  # bound by js/admin_export.js, once an onchange
    assert page.locator("input[type=checkbox][name^=department]:checked").count() == 0


def test_the_sign_in_page_says_how_long_an_account_stays_locked(page, screenshot, caseworker_a, settings):
    settings.SIGNIN_HELP_CONTACT = "信息科 0317-2020110"
    page.goto("/login/")
    for attempt in range(1, 6):
        page.fill("#id_username", "caseworker_a")
        page.fill("#id_password", f"wrong-{attempt}")
        page.click("button[type=submit]")
        page.wait_for_load_state()
        if attempt == 4:
            assert "再输错 1 次，该账号将被锁定 15 分钟" in page.locator(".alert-danger").inner_text()
    expect_error_status(page, 429)
    text = page.locator("#lockout").inner_text()
    assert "该账号因连续 5 次密码错误，已被暂时锁定" in text
    assert re.search(r"\d\d:\d\d 后可以再次登录（约 15 分钟后）", text)
    assert "信息科 0317-2020110" in text
    screenshot("signin-locked")


def test_error_pages_in_the_layout_with_a_way_back(page, login, screenshot, caseworker_a):
    login(caseworker_a)
    page.goto("/households/")
    page.goto("/households/999999/", referer=page.url)  # as if followed from the list
    expect_error_status(page, 404)
    assert page.locator("h1").inner_text() == "页面不存在"
    screenshot("error-404")
    page.get_by_role("link", name="返回上一页").click()
    page.wait_for_url("**/households/")

    page.goto("/imports/")
    expect_error_status(page, 403)
    assert "数据导入仅向数据管理员开放" in page.locator("#error-reason").inner_text()
    screenshot("error-403")

    page.goto("/households/?q=%00")
    expect_error_status(page, 400)
    assert "含有控制字符" in page.locator("#error-reason").inner_text()
    screenshot("error-400")
    page.get_by_role("link", name="回到首页").click()
    page.wait_for_url(lambda url: url.endswith("/"))


def test_after_thirty_idle_minutes_sign_in_again_and_come_back(page, login, screenshot, caseworker_a):
    login(caseworker_a)
    page.goto("/households/?q=%E7%8E%8B")
    with time_machine.travel(clock.now() + timedelta(minutes=31)):
        page.get_by_role("link", name="家庭档案").first.click()  # (any request of the user's own)
        page.wait_for_url("**/login/**")
        assert "您已超过 30 分钟没有操作" in page.locator(".alert-info").inner_text()
        screenshot("signin-after-idle")
        page.fill("#id_username", "caseworker_a")
        page.fill("#id_password", "pw-12345678")
        page.click("button[type=submit]")
        page.wait_for_url("**/households/")
