"""The English interface in the browser: switch on the login page, then read the main pages."""

from datetime import timedelta

import pytest

from households import clock

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def nav_fits_on_one_line(page) -> None:
    """Longer English labels must not wrap the navigation bar onto a second row."""
    tops = page.eval_on_selector_all(
        "#mainNav .navbar-nav > .nav-item, #mainNav .navbar-text, #mainNav form",
        "els => els.map(e => Math.round(e.getBoundingClientRect().top + e.getBoundingClientRect().height / 2))",
    )
    assert max(tops) - min(tops) <= 6, tops


def no_horizontal_overflow(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_caseworker_uses_the_inbox_in_english(page, screenshot, caseworker_a, county_supervisor):
    from tests.alerts.triage_factories import alert_in, overdue_alert_in
    from tests.conftest import VILLAGE_A

    today = clock.today()
    alert_in(
        VILLAGE_A,
        name="王秀英",
        rule="serious_disease",
        raised_on=today - timedelta(days=2),
        deadline=today + timedelta(days=5),
    )
    overdue_alert_in(VILLAGE_A, name="李建国")

    page.goto("/login/")
    page.click("button[value=en]")
    page.wait_for_selector("label[for=id_username]:has-text('User name')")
    screenshot("english-login")
    page.fill("#id_username", caseworker_a.username)
    page.fill("#id_password", "pw-12345678")
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)
    assert page.locator("html").get_attribute("lang") == "en"

    page.get_by_role("link", name="Alerts").first.click()
    page.wait_for_selector(".inbox-table")
    nav_fits_on_one_line(page)
    no_horizontal_overflow(page)
    card = page.locator("#inbox-filters").bounding_box()
    label = page.locator("label[for=id_overdue]").bounding_box()
    assert label["x"] + label["width"] <= card["x"] + card["width"], "the filter spills out of its card"
    assert label["height"] < 30, "the label wraps"
    table = page.inner_text(".inbox-table")
    assert "days overdue" in table and "Serious illness" in table
    screenshot("english-inbox")

    page.click("text=王秀英")
    page.wait_for_selector("#evidence")
    page.click("#btn-claim")
    page.wait_for_selector("text=You have claimed this alert.")
    nav_fits_on_one_line(page)
    no_horizontal_overflow(page)
    screenshot("english-alert-detail")

    # and back to Chinese
    page.click("button[value=zh-hans]")
    page.wait_for_selector("html[lang=zh-hans]")
    assert "预警处置" in page.inner_text("nav")
    assert page.locator("html").get_attribute("lang") == "zh-hans"


def test_supervisor_reads_the_dashboard_in_english(page, login, screenshot, city_supervisor, caseworker_a):

    from alerts.services.dashboard import refresh_dashboard_summaries
    from tests.alerts.dashboard_factories import batch, generate
    from tests.conftest import VILLAGE_A

    today = clock.today()
    generate(regions=[VILLAGE_A], caseworkers=[caseworker_a], today=today, alerts=40)
    batch("roster", arrived=today.replace(day=1), rows=1200, rejected=12, name_mismatch=3)
    refresh_dashboard_summaries(as_of=today)

    login(city_supervisor)
    page.click("button[value=en]")
    page.wait_for_selector("html[lang=en]")
    page.get_by_role("link", name="Dashboard").first.click()
    page.wait_for_url("**/alerts/dashboard/")
    page.wait_for_selector('[data-chart="monthly"] canvas', state="attached")
    text = page.inner_text("main")
    for label in (
        "Open alerts",
        "Median days to close",
        "Caseworker workload (live)",
        "Department data submissions",
    ):
        assert label in text, label
    nav_fits_on_one_line(page)
    no_horizontal_overflow(page)
    screenshot("english-dashboard")
