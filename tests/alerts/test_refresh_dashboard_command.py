from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from alerts.models import DashboardRefresh
from tests.conftest import VILLAGE_A
from tests.factories import AlertFactory, MonitoringRecordFactory


@pytest.mark.django_db
def test_refresh_dashboard_builds_summaries_for_the_given_day(regions):
    MonitoringRecordFactory(household__region=regions[VILLAGE_A])
    AlertFactory(region=regions[VILLAGE_A])
    out = StringIO()
    call_command("refresh_dashboard", "--as-of", "2026-11-20", stdout=out)
    refresh = DashboardRefresh.objects.get()
    assert str(refresh.as_of) == "2026-11-20"
    assert refresh.row_count > 0
    assert "看板汇总已生成" in out.getvalue()


@pytest.mark.django_db
def test_refresh_dashboard_rejects_a_bad_date_in_chinese():
    with pytest.raises(CommandError, match="日期格式应为"):
        call_command("refresh_dashboard", "--as-of", "20-11-2026")
    assert not DashboardRefresh.objects.exists()
