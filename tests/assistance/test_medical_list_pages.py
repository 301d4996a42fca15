"""The monthly list's pages: the data admin's list and produce form, a version, downloads, sending."""

import io
from datetime import date

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from assistance.models import ExchangeStatus, MedicalInsuranceList
from assistance.services.exchanges import medical_list_produce, medical_list_send
from households.idcard import mask
from households.readlog.models import ReadAction, ReadLogEntry
from tests.assistance.medical_list_helpers import enter, leave, person_in
from tests.conftest import VILLAGE_A, beijing

pytestmark = pytest.mark.django_db

FEB = date(2027, 2, 1)


@pytest.fixture
def people(regions, pinned_clock):
    new = person_in(VILLAGE_A, name="李新增")
    gone = person_in(VILLAGE_A, name="张退出")
    enter(pinned_clock, gone, "tekun", date(2026, 6, 1), "2026-06-01 09:00")
    enter(pinned_clock, new, "dibao", date(2027, 2, 9), "2027-02-09 09:00")
    leave(pinned_clock, gone, date(2027, 2, 16), "2027-02-16 09:00")
    pinned_clock.move_to(beijing("2027-03-01 01:00"))
    return {"new": new, "gone": gone}


@pytest.fixture
def february(people):
    return medical_list_produce(period=FEB, region_code="130900")[0]


def test_the_list_shows_months_with_counts_status_and_the_overdue_badge(
    february, pinned_clock, client_for, data_admin
):
    client = client_for(data_admin)
    page = client.get(reverse("assistance:medical_list_list")).content.decode()
    assert "2027年2月" in page and "已生成" in page and "逾期未报送" not in page
    pinned_clock.move_to(beijing("2027-03-06 09:00"))
    page = client_for(data_admin).get(reverse("assistance:medical_list_list")).content.decode()
    assert page.count("overdue-badge") == 1  # February's list, not sent by the 5th
    # January's, sent in time, carries no badge beside February's overdue one
    january = medical_list_produce(period=date(2027, 1, 1), region_code="130900")[0]
    medical_list_send(actor=data_admin, list_id=january.pk)
    page = client_for(data_admin).get(reverse("assistance:medical_list_list")).content.decode()
    assert "2027年1月" in page and page.count("overdue-badge") == 1


def test_producing_from_the_page(people, client_for, data_admin):
    client = client_for(data_admin)
    url = reverse("assistance:medical_list_produce")
    response = client.post(url, {"period": "2027-02", "region": "130900"}, follow=True)
    medical_list = MedicalInsuranceList.objects.get()
    assert response.redirect_chain[-1][0] == reverse("assistance:medical_list_detail", args=[medical_list.pk])
    assert "已生成第1版名单" in response.content.decode()
    assert medical_list.produced_by == data_admin and (medical_list.rows_new, medical_list.rows_exit) == (
        1,
        1,
    )
    again = client.post(url, {"period": "2027-02", "region": "130900"}, follow=True).content.decode()
    assert "名单内容没有变化，仍为第1版" in again
    refused = client.post(url, {"period": "2027-03", "region": "130900"}, follow=True).content.decode()
    assert "尚未结束" in refused
    bad = client.post(url, {"period": "二月", "region": "130900"}, follow=True).content.decode()
    assert "所属月份格式应为" in bad
    assert MedicalInsuranceList.objects.count() == 1


def test_the_preview_masks_ids_and_the_page_logs_nothing(february, people, client_for, data_admin):
    page = (
        client_for(data_admin)
        .get(reverse("assistance:medical_list_detail", args=[february.pk]))
        .content.decode()
    )
    for person in people.values():
        assert person.id_number not in page
        assert mask(person.id_number) in page
    assert "李新增" in page and "张退出" in page and february.sha256 in page
    assert "标记为已报送" in page


def test_the_download_has_full_ids_and_is_logged(february, people, client_for, data_admin):
    client = client_for(data_admin)
    url = reverse("assistance:medical_list_download", args=[february.pk])
    response = client.get(url, {"format": "csv"})
    assert response.content == bytes(february.csv_content)
    assert people["new"].id_number.encode() in response.content
    assert "attachment" in response["Content-Disposition"]
    entry = ReadLogEntry.objects.get()
    assert entry.actions == [ReadAction.DOWNLOAD] and entry.user == data_admin
    assert sorted(entry.person_ids) == sorted(p.pk for p in people.values())
    assert sorted(entry.household_ids) == sorted(p.household_id for p in people.values())
    assert entry.row_count == 2


def test_two_xlsx_downloads_are_identical(february, people, pinned_clock, client_for, data_admin):
    url = reverse("assistance:medical_list_download", args=[february.pk])
    first = client_for(data_admin).get(url, {"format": "xlsx"}).content
    pinned_clock.move_to(beijing("2027-03-02 17:20"))
    second = client_for(data_admin).get(url, {"format": "xlsx"}).content
    assert first == second
    ids = [row[0] for row in load_workbook(io.BytesIO(first)).active.iter_rows(min_row=2, values_only=True)]
    assert sorted(ids) == sorted(p.id_number for p in people.values())
    assert ReadLogEntry.objects.count() == 2


def test_marking_sent_and_recording_the_acknowledgement(february, pinned_clock, client_for, data_admin):
    client = client_for(data_admin)
    detail = reverse("assistance:medical_list_detail", args=[february.pk])
    client.post(reverse("assistance:medical_list_send", args=[february.pk]))
    twice = client.post(reverse("assistance:medical_list_send", args=[february.pk]), follow=True)
    assert "不能重复报送" in twice.content.decode()
    ack = reverse("assistance:medical_list_ack", args=[february.pk])
    bad = client.post(ack, {"note": "收到", "acknowledged_on": "昨天"}, follow=True).content.decode()
    assert "请填写对方确认日期" in bad
    client.post(ack, {"note": "回执 YB-01", "acknowledged_on": "2027-03-01"})
    february.refresh_from_db()
    assert february.status == ExchangeStatus.ACKNOWLEDGED and february.sent_by == data_admin
    page = client.get(detail).content.decode()
    assert "回执 YB-01" in page and "对方已确认" in page


def test_other_roles_are_refused(february, client_for, city_supervisor, caseworker_a):
    for user in (city_supervisor, caseworker_a):
        client = client_for(user)
        assert client.get(reverse("assistance:medical_list_list")).status_code == 403
        assert client.get(reverse("assistance:medical_list_download", args=[february.pk])).status_code == 403


def test_the_dashboard_says_which_month_is_overdue(february, pinned_clock, client_for, data_admin):
    url = reverse("assistance:dashboard_figures")
    pinned_clock.move_to(beijing("2027-03-05 18:00"))
    assert "医保名单逾期未报送" not in client_for(data_admin).get(url).content.decode()
    pinned_clock.move_to(beijing("2027-03-06 09:00"))  # (signed in again: the session went idle)
    client = client_for(data_admin)
    assert "医保名单逾期未报送：2027年2月" in client.get(url).content.decode()
    medical_list_send(actor=data_admin, list_id=february.pk)
    assert "医保名单逾期未报送" not in client.get(url).content.decode()
