import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_caseworker_logs_in_and_sees_only_their_town(page, login, screenshot, caseworker_a):
    from tests.conftest import VILLAGE_A, VILLAGE_B
    from tests.factories import household_with_head

    household_with_head(VILLAGE_A, name="李村甲")
    household_with_head(VILLAGE_B, name="李村乙")
    page.goto("/")
    assert "/login/" in page.url
    assert page.locator("h1").inner_text() == "救助监测"
    login(caseworker_a)
    page.get_by_role("link", name="家庭档案").first.click()
    page.wait_for_url("**/households/")
    table = page.locator("table").inner_text()
    assert "李村甲" in table and "李村乙" not in table
    # Bootstrap from the app's own static files styled the page
    assert (
        page.evaluate("getComputedStyle(document.querySelector('.btn-primary, .btn')).borderRadius") != "0px"
    )
    screenshot("households-list-caseworker")
