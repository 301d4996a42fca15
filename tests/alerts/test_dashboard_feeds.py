"""Feed health: the newest batch of every category, late and unusually small feeds flagged."""

from datetime import date

import pytest
from django.urls import reverse

from alerts.selectors.dashboard import feed_health
from imports.models import BatchStatus, ImportBatch
from tests.alerts.dashboard_factories import batch

pytestmark = pytest.mark.django_db


@pytest.fixture
def batches(regions):
    for month in (1, 2, 3, 4, 5, 6):
        batch("roster", arrived=date(2025, month, 3), rows=150_000, rejected=30, name_mismatch=2)
    for month in (2, 3, 4, 5):  # nothing yet in June
        batch("medical_settlement", arrived=date(2025, month, 6), rows=20_000)
    for month, rows in ((2, 3000), (3, 3200), (4, 2900), (5, 3100)):
        batch("diagnosis", arrived=date(2025, month, 5), rows=rows)
    batch("diagnosis", arrived=date(2025, 6, 5), rows=1000, rejected=50, name_mismatch=4)  # a third of usual
    batch("unemployment_registration", arrived=date(2025, 5, 5), rows=900)
    batch("unemployment_registration", arrived=date(2025, 6, 5), rows=100)  # small, but too little history
    failed = batch("roster", arrived=date(2025, 6, 14), rows=10)
    ImportBatch.objects.filter(pk=failed.pk).update(status=BatchStatus.FAILED, data_rows=0)


def by_category(user, today):
    return {row.category: row for row in feed_health(user=user, today=today)}


def test_figures_of_the_newest_successful_batch(city_supervisor, batches):
    feeds = by_category(city_supervisor, date(2025, 6, 15))
    roster = feeds["roster"]
    assert (roster.last_date, roster.rows, roster.rejected, roster.name_mismatch) == (
        date(2025, 6, 3),
        150_000,
        30,
        2,
    )
    assert roster.rejected_share == 30 / 150_000
    # the upload of the 14th failed: the figures are still the 3rd's, and the row says so
    assert roster.warnings == ["最近一次上传导入失败（2025-06-14），现有数据仍是 2025-06-03 导入的批次"]
    diagnosis = feeds["diagnosis"]
    assert (diagnosis.rows, diagnosis.rejected_share, diagnosis.name_mismatch) == (1000, 0.05, 4)


def test_a_monthly_feed_missing_after_the_tenth_is_late(city_supervisor, batches):
    assert by_category(city_supervisor, date(2025, 6, 10))["medical_settlement"].warnings == []
    assert by_category(city_supervisor, date(2025, 6, 11))["medical_settlement"].warnings == [
        "本月数据截至10日仍未报送"
    ]


def test_a_batch_under_half_the_usual_size_is_flagged(city_supervisor, batches):
    feeds = by_category(city_supervisor, date(2025, 6, 15))
    assert feeds["diagnosis"].warnings == ["最近一批仅 1,000 行，不足以往批次中位数 3,050 行的一半"]
    assert feeds["unemployment_registration"].warnings == []  # one earlier batch is no "usual" yet


def test_a_category_that_never_arrived(city_supervisor, batches):
    assert by_category(city_supervisor, date(2025, 6, 15))["disability_certificate"].warnings == [
        "尚未收到任何数据"
    ]


def test_the_page_shows_feed_health_to_supervisors_and_data_admins_only(
    client_for, county_supervisor, data_admin, caseworker_a, batches
):
    for user in (county_supervisor, data_admin):
        html = client_for(user).get(reverse("alerts:dashboard")).content.decode()
        assert "部门数据报送情况" in html and "医保结算明细" in html and "2025-06-03" in html
    assert feed_health(user=caseworker_a, today=date(2025, 6, 15)) == []


def rejected(category: str, arrived: date) -> ImportBatch:
    """An upload of `category` whose file was refused on `arrived` (nothing loaded)."""
    made = batch(category, arrived=arrived, rows=0)
    ImportBatch.objects.filter(pk=made.pk).update(status=BatchStatus.REJECTED, error_code="missing_columns")
    return made


def test_a_category_whose_last_upload_was_rejected_does_not_look_healthy(client_for, data_admin, batches):
    today = date(2025, 6, 15)
    rejected("unemployment_registration", date(2025, 6, 12))
    feeds = by_category(data_admin, today)
    registrations = feeds["unemployment_registration"]
    assert registrations.last_date == date(2025, 6, 5)  # the last good load, still shown
    assert registrations.warnings == ["最近一次上传被拒绝（2025-06-12），现有数据仍是 2025-06-05 导入的批次"]
    html = client_for(data_admin).get(reverse("alerts:dashboard")).content.decode()
    row = html[html.index("<td>失业登记</td>") :].split("</tr>")[0]
    assert "最近一次上传被拒绝（2025-06-12）" in row and "正常" not in row
    # a good upload afterwards makes it healthy again
    batch("unemployment_registration", arrived=date(2025, 6, 13), rows=950)
    assert by_category(data_admin, today)["unemployment_registration"].warnings == []
    # a category whose only upload was refused has received a file, but no data
    rejected("disability_certificate", date(2025, 6, 2))
    assert by_category(data_admin, today)["disability_certificate"].warnings == [
        "最近一次上传被拒绝（2025-06-02），尚无成功导入的数据"
    ]
