"""公示 pages: the list (villages waiting, notices published), publishing, the notice page with its
objections, the printed notice (nothing but the notice's own columns), the standing list, and
region scoping of every page."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from assistance import services
from assistance.models import Notice, Objection, ObjectionStatus
from assistance.services.grants import grant_create
from households import clock
from households.models import Relation
from imports.models import Diagnosis, FeedCategory
from tests.assistance.case_factories import application_at, family, fresh
from tests.conftest import VILLAGE_A, VILLAGE_B, beijing
from tests.factories import HouseholdFactory, PersonFactory, make_id_number, region
from tests.imports.factories import BatchFactory

pytestmark = pytest.mark.django_db

DIAGNOSIS = "慢性肾功能衰竭"


@pytest.fixture
def workday(pinned_clock):
    pinned_clock.move_to(beijing("2026-06-08 09:00"))
    return pinned_clock


def minor_headed_family(code: str = VILLAGE_A):
    household = HouseholdFactory(
        region=region(code),
        area_type="rural",
        head_id_number=make_id_number(born=date(2013, 9, 1)),
        address="旧州镇东街十八号",
    )
    PersonFactory(household=household, name="赵小宝", relation=Relation.HEAD)
    PersonFactory(household=household, name="赵爷爷", relation=Relation.OTHER)
    return household


def publish(client, code=VILLAGE_A, **data):
    return client.post(reverse("assistance:notice_publish"), {"village": code, **data})


@pytest.fixture
def published(workday, caseworker_a, client_for):
    """Two applications of VILLAGE_A on a notice published through the page."""
    adult = application_at("notice", family(head="王建国"), caseworker_a)
    minor = application_at("notice", minor_headed_family(), caseworker_a)
    response = publish(client_for(caseworker_a))
    notice = Notice.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "assistance:notice_detail", args=[notice.pk]
    )
    return notice, adult, minor


def test_the_list_shows_villages_waiting_and_publishes_their_notice(workday, caseworker_a, client_for):
    application_at("notice", family(), caseworker_a)
    application_at("notice", family(), caseworker_a)
    client = client_for(caseworker_a)
    page = client.get(reverse("assistance:notice_list")).content.decode()
    assert f'data-village="{VILLAGE_A}"' in page and "发布公示" in page
    assert "<td>2</td>" in page

    response = publish(client, starts_on=(clock.today() + timedelta(days=1)).isoformat())
    notice = Notice.objects.get()
    assert notice.starts_on == clock.today() + timedelta(days=1) and notice.entries.count() == 2
    page = client.get(reverse("assistance:notice_list")).content.decode()
    assert f'data-village="{VILLAGE_A}"' not in page
    assert f'data-notice="{notice.pk}"' in page and "未开始" in page
    assert response.status_code == 302


def test_publishing_with_nothing_waiting_says_so(workday, caseworker_a, client_for):
    client = client_for(caseworker_a)
    response = publish(client)
    assert response.status_code == 302 and response["Location"] == reverse("assistance:notice_list")
    page = client.get(response["Location"]).content.decode()
    assert "该村（社区）没有待公示的申请。" in page
    assert not Notice.objects.exists()


def test_the_list_counts_lines_and_pending_objections_and_shows_the_period_state(
    published, caseworker_a, client_for
):
    notice, adult, _minor = published
    Objection.objects.create(
        entry=notice.entries.get(application=adult),
        received_on=clock.today(),
        content="有车",
        recorded_by=caseworker_a,
    )
    client = client_for(caseworker_a)
    page = client.get(reverse("assistance:notice_list")).content.decode()
    row = page.split(f'data-notice="{notice.pk}"')[1].split("</tr>")[0]
    assert "<td>2</td>" in row and 'text-bg-warning">1<' in row and "公示中" in row


def test_the_period_ends(published, caseworker_a, client_for, pinned_clock):
    notice, *_ = published
    pinned_clock.shift(timedelta(days=7))
    page = client_for(caseworker_a).get(reverse("assistance:notice_list")).content.decode()
    assert "已期满" in page.split(f'data-notice="{notice.pk}"')[1].split("</tr>")[0]


def test_the_printed_notice_shows_only_the_notice_columns(published, caseworker_a, client_for, settings):
    settings.NOTICE_HOTLINE = "0317-1234567"
    notice, adult, minor = published
    for person in adult.household.members.all():
        Diagnosis.objects.create(
            id_number=person.id_number,
            name=person.name,
            batch=BatchFactory(category=FeedCategory.DIAGNOSIS, loaded=1),
            record_id=f"BA{person.pk}",
            diagnosed_on=clock.today(),
            diagnosis_code="N18",
            diagnosis_name=DIAGNOSIS,
        )
    response = client_for(caseworker_a).get(reverse("assistance:notice_print", args=[notice.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert f"{notice.village.name}最低生活保障等救助对象公示</h1>" in page
    assert "公示期：2026年6月8日 至 2026年6月14日" in page
    for column in ("序号", "户主（申请人）", "保障人数", "拟救助金额", "救助项目"):
        assert column in page
    assert "王建国" in page and "赵某" in page and "赵小宝" not in page
    assert "500.00/月" in page and "农村低保" in page
    assert "监督电话" in page and "0317-1234567" in page
    assert "print-notice.css" in page and "<nav" not in page and "base.html" not in page
    for household in (adult.household, minor.household):
        for person in household.members.all():
            assert person.id_number not in page
            assert person.masked_id not in page
        assert household.address not in page
    assert DIAGNOSIS not in page and "N18" not in page
    assert "患病" not in page and "残疾" not in page


def test_the_notice_page_records_and_dismisses_an_objection(published, caseworker_a, client_for):
    notice, adult, _minor = published
    entry = notice.entries.get(application=adult)
    client = client_for(caseworker_a)
    detail = reverse("assistance:notice_detail", args=[notice.pk])
    page = client.get(detail).content.decode()
    assert "王建国" in page and "赵某" in page and "登记异议" in page

    url = reverse("assistance:objection_record", args=[entry.pk])
    response = client.post(url, {"received_on": clock.today().isoformat(), "content": "", "raised_by": ""})
    assert response.status_code == 400 and "该字段是必填项" in response.content.decode()
    response = client.post(
        url, {"received_on": clock.today().isoformat(), "content": "其子在城里有房", "raised_by": ""}
    )
    assert response.status_code == 302 and response["Location"] == detail
    objection = Objection.objects.get()
    page = client.get(detail).content.decode()
    assert "其子在城里有房" in page and "匿名" in page and "登记处理结果" in page

    decide = reverse("assistance:objection_decide", args=[objection.pk])
    assert client.post(decide, {"decision": "dismissed", "finding": ""}).status_code == 400
    response = client.post(decide, {"decision": "dismissed", "finding": "房屋系其子自有，不计入"})
    assert response.status_code == 302
    objection.refresh_from_db()
    assert objection.status == ObjectionStatus.DISMISSED
    page = client.get(detail).content.decode()
    assert "异议不成立" in page and "房屋系其子自有" in page
    assert fresh(adult).current_step_code == "notice"


def test_an_upheld_objection_shows_the_application_back_at_investigation(published, caseworker_a, client_for):
    notice, adult, _minor = published
    entry = notice.entries.get(application=adult)
    client = client_for(caseworker_a)
    client.post(
        reverse("assistance:objection_record", args=[entry.pk]),
        {"received_on": clock.today().isoformat(), "content": "有营运车辆", "raised_by": "村民张某"},
    )
    objection = Objection.objects.get()
    response = client.post(
        reverse("assistance:objection_decide", args=[objection.pk]),
        {"decision": "upheld", "finding": "核实属实"},
    )
    assert response.status_code == 302
    assert fresh(adult).current_step_code == "home_visit"
    page = client.get(reverse("assistance:notice_detail", args=[notice.pk])).content.decode()
    assert "异议成立" in page and "已退回入户调查" in page and "入户调查" in page and "第2轮" in page
    assert "村民张某" in page


def test_the_standing_list_shows_the_village_dibao_households(workday, caseworker_a, client_for):
    granted = application_at("confirm", family(head="刘长顺"), caseworker_a)
    grant_create(application=granted, actor=caseworker_a, today=clock.today(), reason="批准")
    minor = application_at("confirm", minor_headed_family(), caseworker_a)
    grant_create(application=minor, actor=caseworker_a, today=clock.today(), reason="批准")
    other = application_at("confirm", family(head="孙不在"), caseworker_a, "temp_expenditure")
    grant_create(application=other, actor=caseworker_a, today=clock.today(), reason="批准")
    client = client_for(caseworker_a)
    url = reverse("assistance:standing_list")
    page = client.get(url).content.decode()
    assert f"?village={VILLAGE_A}" in page and "<td>2</td>" in page
    page = client.get(url, {"village": VILLAGE_A}).content.decode()
    assert "刘长顺" in page and "赵某" in page and "孙不在" not in page
    assert "500.00" in page and "2026年7月" in page
    printed = client.get(url, {"village": VILLAGE_A, "print": "1"}).content.decode()
    assert "最低生活保障对象长期公示名单" in printed and "<nav" not in printed and "12349" in printed
    for person in granted.household.members.all():
        assert person.id_number not in printed


def test_pages_of_another_region_are_missing(published, caseworker_b, data_admin, client_for):
    notice, adult, _minor = published
    entry = notice.entries.get(application=adult)
    client = client_for(caseworker_b)
    assert client.get(reverse("assistance:notice_detail", args=[notice.pk])).status_code == 404
    assert client.get(reverse("assistance:notice_print", args=[notice.pk])).status_code == 404
    assert client.get(reverse("assistance:standing_list"), {"village": VILLAGE_A}).status_code == 404
    response = client.post(
        reverse("assistance:objection_record", args=[entry.pk]),
        {"received_on": clock.today().isoformat(), "content": "x"},
    )
    assert response.status_code == 404
    assert publish(client, VILLAGE_A).status_code == 404
    page = client.get(reverse("assistance:notice_list")).content.decode()
    assert f'data-notice="{notice.pk}"' not in page
    # caseworker_b's own village is fine (and empty)
    assert client.get(reverse("assistance:standing_list"), {"village": VILLAGE_B}).status_code == 200
    assert not Objection.objects.exists()
    assert client_for(data_admin).get(reverse("assistance:notice_list")).status_code == 403


def test_a_one_off_amount_on_a_notice_is_not_a_monthly_amount(workday, caseworker_a, client_for):
    # the hardship fund has a 公示 step; its committee amount is paid once
    fund = application_at("notice", family(VILLAGE_A), caseworker_a, "hardship_fund")
    notice = services.notice_publish(actor=caseworker_a, village_code=VILLAGE_A)
    client = client_for(caseworker_a)
    printed = client.get(reverse("assistance:notice_print", args=[notice.pk])).content.decode()
    assert f"{fund.proposed_amount}（一次性）" in printed and f"{fund.proposed_amount}/月" not in printed
    detail = client.get(reverse("assistance:notice_detail", args=[notice.pk])).content.decode()
    assert f"{fund.proposed_amount} 元（一次性）" in detail
