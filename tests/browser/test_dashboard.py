import pytest

from households import clock

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHARTS = ["monthly", "backlog", "outcomes", "monitored"]


def wait_for_charts(page, names):
    for name in names:
        page.wait_for_selector(f'[data-chart="{name}"] canvas', state="attached")
        box = page.locator(f'[data-chart="{name}"] canvas').bounding_box()
        assert box and box["width"] > 200 and box["height"] > 200, name


def click_region_bar(page, region_name: str) -> None:
    """Click the middle of a region's bar in the backlog chart, as a person would."""
    x, y = page.evaluate(
        """(name) => {
            const chart = window.dashboardCharts.backlog;
            const option = chart.getOption();
            const index = option.yAxis[0].data.indexOf(name);
            const total = option.series[0].data[index] + option.series[1].data[index];
            return chart.convertToPixel({gridIndex: 0}, [total / 2, index]);
        }""",
        region_name,
    )
    box = page.locator('[data-chart="backlog"] canvas').bounding_box()
    page.mouse.click(box["x"] + x, box["y"] + y)


def test_city_supervisor_sees_charts_and_drills_down_into_a_county(
    page, login, screenshot, city_supervisor, caseworker_a, caseworker_b
):

    from alerts.services.dashboard import refresh_dashboard_summaries
    from tests.alerts.dashboard_factories import batch, generate
    from tests.conftest import OTHER_COUNTY_VILLAGE, VILLAGE_A, VILLAGE_B

    today = clock.today()
    generate(
        regions=[VILLAGE_A, VILLAGE_B, OTHER_COUNTY_VILLAGE],
        caseworkers=[caseworker_a, caseworker_b],
        today=today,
        alerts=150,
    )
    batch("roster", arrived=today.replace(day=1), rows=1200, rejected=12, name_mismatch=3)
    refresh_dashboard_summaries(as_of=today)

    login(city_supervisor)
    page.get_by_role("link", name="统计看板").first.click()
    page.wait_for_url("**/alerts/dashboard/")
    assert page.locator("h1").inner_text() == "统计看板 · 沧州市"
    wait_for_charts(page, CHARTS)
    assert page.locator("#table-backlog tbody tr").count() == 16
    screenshot("dashboard-city")

    click_region_bar(page, "沧县")
    page.wait_for_url("**/alerts/dashboard/130921/")
    assert page.locator("h1").inner_text() == "统计看板 · 沧县"
    wait_for_charts(page, CHARTS)
    assert page.locator(".breadcrumb").inner_text().replace("\n", "").startswith("沧州市")
    towns = page.locator("#table-backlog tbody").inner_text()
    assert "河间市" not in towns
    screenshot("dashboard-county-drilldown")

    # and one level further, through the table this time
    page.locator("#table-backlog a").first.click()
    page.wait_for_url("**/alerts/dashboard/130921101/")
    wait_for_charts(page, ["backlog"])
