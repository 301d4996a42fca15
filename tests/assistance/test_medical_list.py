"""The monthly list to medical insurance: its content, its bytes and versions, sending, overdue."""

import hashlib
import io
from datetime import date

import pytest
from django.conf import settings
from openpyxl import load_workbook

from assistance.errors import AssistanceError
from assistance.models import ExchangeStatus, MedicalInsuranceList
from assistance.selectors_exchanges import overdue_medical_lists
from assistance.services.exchanges import (
    csv_rows,
    medical_list_acknowledge,
    medical_list_produce,
    medical_list_send,
    xlsx_bytes,
)
from assistance.tasks import produce_medical_lists
from households.models import Region, RegionLevel
from monitoring.models import MonitoringRecordHistory
from tests.assistance.medical_list_helpers import enter, leave, person_in
from tests.conftest import OTHER_COUNTY_VILLAGE, VILLAGE_B, beijing

pytestmark = pytest.mark.django_db

FEB = date(2027, 2, 1)
CITY = "130900"


def rows_of(medical_list) -> dict[str, list[str]]:
    """The file's rows by name (every test person has a distinct name)."""
    header, *rows = csv_rows(medical_list.csv_content)
    assert header == ["身份证号", "姓名", "区划代码", "人员类别", "变动类型", "生效日期", "资助参保类别"]
    return {row[1]: row for row in rows}


def produce(clock_, period=FEB, region_code=CITY, when="2027-03-01 01:00", **kwargs):
    clock_.move_to(beijing(when))
    return medical_list_produce(period=period, region_code=region_code, **kwargs)


@pytest.fixture
def february(regions, pinned_clock):
    """A month of changes: who entered, left, changed category, came and went, in two counties."""
    people = {}

    def person(name):
        village = OTHER_COUNTY_VILLAGE if name.startswith("河间") else VILLAGE_B
        people[name] = person_in(village, name=name)
        return people[name]

    enter(pinned_clock, person("新低保"), "dibao", date(2027, 2, 10), "2027-02-10 09:00")
    enter(pinned_clock, person("新特困"), "tekun", date(2027, 2, 3), "2027-02-03 09:00")
    enter(pinned_clock, person("一月纳入"), "dibao", date(2027, 1, 20), "2027-01-20 09:00")
    enter(pinned_clock, person("退出者"), "tekun", date(2026, 5, 1), "2026-05-01 09:00")
    leave(pinned_clock, people["退出者"], date(2027, 2, 15), "2027-02-15 10:00")
    enter(pinned_clock, person("转类别"), "relapse_watch", date(2026, 8, 1), "2026-08-01 09:00")
    enter(pinned_clock, person("转类别"), "dibao", date(2027, 2, 20), "2027-02-20 09:00")
    enter(pinned_clock, person("来去匆匆"), "dibao", date(2027, 2, 5), "2027-02-05 09:00")
    leave(pinned_clock, people["来去匆匆"], date(2027, 2, 25), "2027-02-25 09:00")
    enter(pinned_clock, person("边缘户"), "dibao_edge", date(2027, 2, 12), "2027-02-12 09:00")
    enter(pinned_clock, person("其他低收入"), "other_low_income", date(2027, 2, 12), "2027-02-12 09:30")
    # Beijing month bounds: 23:59 on the 28th is February, 00:10 on 1 March is not.
    enter(pinned_clock, person("月末深夜"), "dibao", date(2027, 2, 28), "2027-02-28 23:59")
    enter(pinned_clock, person("三月凌晨"), "dibao", date(2027, 3, 1), "2027-03-01 00:10")
    enter(pinned_clock, person("河间新增"), "tekun", date(2027, 2, 8), "2027-02-08 09:00")
    return people


def test_the_month_new_and_exited_people_with_category_date_and_subsidy(february, pinned_clock):
    medical_list, created = produce(pinned_clock)
    rows = rows_of(medical_list)
    assert created and medical_list.version == 1
    assert set(rows) == {
        "新低保",
        "新特困",
        "退出者",
        "转类别",
        "边缘户",
        "其他低收入",
        "月末深夜",
        "河间新增",
    }
    new_dibao = february["新低保"]
    assert rows["新低保"] == [
        new_dibao.id_number,
        "新低保",
        VILLAGE_B,
        "低保",
        "新增",
        "2027-02-10",
        "定额资助",
    ]
    assert rows["新特困"][3:] == ["特困", "新增", "2027-02-03", "全额资助"]
    assert rows["退出者"][3:] == ["特困", "退出", "2027-02-15", "全额资助"]
    # a change of category is one 新增 row in the new category
    assert rows["转类别"][3:] == ["低保", "新增", "2027-02-20", "定额资助"]
    assert rows["边缘户"][3:] == ["低保边缘", "新增", "2027-02-12", "部分资助"]
    assert rows["其他低收入"][3:] == ["其他低收入", "新增", "2027-02-12", "不资助"]
    assert rows["河间新增"][2] == OTHER_COUNTY_VILLAGE
    assert (medical_list.rows_new, medical_list.rows_exit) == (7, 1)
    assert medical_list.status == ExchangeStatus.PRODUCED and medical_list.produced_by is None


def test_a_person_who_came_and_went_in_the_month_is_on_neither_list(february, pinned_clock):
    medical_list, _ = produce(pinned_clock)
    assert "来去匆匆" not in rows_of(medical_list)
    # ...but their exit-and-return in the same category is no change either
    leave(pinned_clock, february["新低保"], date(2027, 3, 5), "2027-03-05 09:00")
    enter(pinned_clock, february["新低保"], "dibao", date(2027, 3, 20), "2027-03-20 09:00")
    march, _ = produce(pinned_clock, period=date(2027, 3, 1), when="2027-04-01 01:00")
    assert "新低保" not in rows_of(march)


def test_a_county_list_has_only_the_county_people(february, pinned_clock, settings):
    settings.MEDICAL_LIST_PER_COUNTY = True
    cangxian, _ = produce(pinned_clock, region_code="130921")
    hejian, _ = produce(pinned_clock, region_code="130984")
    assert "河间新增" not in rows_of(cangxian) and "新低保" in rows_of(cangxian)
    assert set(rows_of(hejian)) == {"河间新增"}


def test_the_file_is_csv_with_bom_and_crlf_in_a_fixed_order(february, pinned_clock):
    medical_list, _ = produce(pinned_clock)
    content = bytes(medical_list.csv_content)
    assert content.startswith("\ufeff身份证号,姓名,区划代码".encode())
    assert content.count(b"\r\n") == 9 and b"\n" not in content.replace(b"\r\n", b"")
    assert medical_list.sha256 == hashlib.sha256(content).hexdigest()
    keys = [(r[2], r[4] == "退出", r[0]) for r in csv_rows(content)[1:]]
    assert keys == sorted(keys)


def test_producing_again_gives_the_same_bytes_and_no_new_version(february, pinned_clock, data_admin):
    first, created = produce(pinned_clock)
    again, created_again = produce(pinned_clock, when="2027-03-03 15:00", actor=data_admin)
    assert created and not created_again
    assert again.pk == first.pk and bytes(again.csv_content) == bytes(first.csv_content)
    assert MedicalInsuranceList.objects.count() == 1


def test_a_renamed_person_and_a_late_change_make_new_versions(february, pinned_clock, data_admin):
    first, _ = produce(pinned_clock)
    person = february["新低保"]
    person.name = "新低保改"
    person.save(update_fields=["name"])
    second, created = produce(pinned_clock, when="2027-03-02 10:00", actor=data_admin)
    assert created and second.version == 2 and second.produced_by == data_admin
    assert "新低保改" in rows_of(second)
    first.refresh_from_db()
    assert first.status == ExchangeStatus.SUPERSEDED
    # a change written late but dated in February (a correction of the history)
    late = person_in(VILLAGE_B, name="补录")
    enter(pinned_clock, late, "tekun", date(2027, 2, 26), "2027-03-02 11:00")
    MonitoringRecordHistory.objects.filter(record__person=late).update(changed_at=beijing("2027-02-26 09:00"))
    third, created = produce(pinned_clock, when="2027-03-02 12:00")
    assert created and third.version == 3 and third.rows_new == second.rows_new + 1
    assert list(MedicalInsuranceList.objects.order_by("version").values_list("status", flat=True)) == [
        ExchangeStatus.SUPERSEDED,
        ExchangeStatus.SUPERSEDED,
        ExchangeStatus.PRODUCED,
    ]


def test_the_subsidy_class_comes_from_settings(february, pinned_clock, settings):
    settings.MEDICAL_LIST_SUBSIDY_CLASS = {**settings.MEDICAL_LIST_SUBSIDY_CLASS, "dibao": "全额资助"}
    medical_list, _ = produce(pinned_clock)
    assert rows_of(medical_list)["新低保"][6] == "全额资助"


def test_the_xlsx_is_the_stored_csv_and_the_same_bytes_at_every_download(february, pinned_clock):
    medical_list, _ = produce(pinned_clock)
    first = xlsx_bytes(medical_list)
    pinned_clock.move_to(beijing("2027-03-04 16:45"))
    assert xlsx_bytes(medical_list) == first
    sheet = load_workbook(io.BytesIO(first)).active
    cells = [[c if c is not None else "" for c in row] for row in sheet.iter_rows(values_only=True)]
    assert cells == csv_rows(medical_list.csv_content)
    assert isinstance(cells[1][0], str) and len(cells[1][0]) == 18


def test_only_ended_months_of_the_city_or_a_county(regions, pinned_clock):
    with pytest.raises(AssistanceError, match="尚未结束"):
        medical_list_produce(period=date(2027, 3, 1), region_code=CITY)
    with pytest.raises(AssistanceError, match="名单按全市生成"):
        medical_list_produce(period=FEB, region_code="130921")  # lists are not per county here


def test_per_county_only_counties(regions, pinned_clock, settings):
    settings.MEDICAL_LIST_PER_COUNTY = True
    for code in ("130900", "130921101"):
        with pytest.raises(AssistanceError, match="不是本市的县"):
            medical_list_produce(period=FEB, region_code=code)


def test_sending_and_acknowledging_record_who_and_when(february, pinned_clock, data_admin):
    medical_list, _ = produce(pinned_clock)
    pinned_clock.move_to(beijing("2027-03-03 10:00"))
    with pytest.raises(AssistanceError, match="尚未报送"):
        medical_list_acknowledge(actor=data_admin, list_id=medical_list.pk, note="收到", on=date(2027, 3, 3))
    sent = medical_list_send(actor=data_admin, list_id=medical_list.pk)
    assert sent.status == ExchangeStatus.SENT and sent.sent_by == data_admin
    assert sent.sent_at == beijing("2027-03-03 10:00")
    with pytest.raises(AssistanceError, match="不能重复报送"):
        medical_list_send(actor=data_admin, list_id=medical_list.pk)
    with pytest.raises(AssistanceError, match="确认日期"):
        medical_list_acknowledge(actor=data_admin, list_id=medical_list.pk, note="收到", on=date(2027, 3, 2))
    pinned_clock.move_to(beijing("2027-03-04 09:00"))
    done = medical_list_acknowledge(
        actor=data_admin, list_id=medical_list.pk, note="回执 YB-0302", on=date(2027, 3, 3)
    )
    assert (done.status, done.acknowledgement, done.acknowledged_on) == (
        ExchangeStatus.ACKNOWLEDGED,
        "回执 YB-0302",
        date(2027, 3, 3),
    )
    assert done.acknowledged_by == data_admin and done.acknowledged_at == beijing("2027-03-04 09:00")


def test_a_superseded_version_cannot_be_sent(february, pinned_clock, data_admin):
    first, _ = produce(pinned_clock)
    february["新特困"].name = "改名"
    february["新特困"].save(update_fields=["name"])
    produce(pinned_clock, when="2027-03-02 09:00")
    with pytest.raises(AssistanceError, match="已被新版本取代"):
        medical_list_send(actor=data_admin, list_id=first.pk)


def test_overdue_after_the_fifth_until_sent(february, pinned_clock, data_admin, county_supervisor):
    assert overdue_medical_lists(user=data_admin, today=date(2027, 3, 6))[0].latest is None  # not produced
    medical_list, _ = produce(pinned_clock)
    assert overdue_medical_lists(user=data_admin, today=date(2027, 3, 5)) == []
    overdue = overdue_medical_lists(user=data_admin, today=date(2027, 3, 6))
    assert [(o.period, o.region.code, o.latest) for o in overdue] == [(FEB, CITY, medical_list)]
    assert overdue_medical_lists(user=county_supervisor, today=date(2027, 3, 6)) == []  # the city's list
    medical_list_send(actor=data_admin, list_id=medical_list.pk)
    assert overdue_medical_lists(user=data_admin, today=date(2027, 3, 6)) == []


def test_the_beat_entry_produces_the_previous_month_on_the_first(february, pinned_clock):
    entry = settings.CELERY_BEAT_SCHEDULE["medical-insurance-monthly-list"]
    assert entry["task"] == "assistance.tasks.produce_medical_lists"
    schedule = entry["schedule"]
    assert (schedule.day_of_month, schedule.hour, schedule.minute) == ({1}, {1}, {0})
    assert settings.CELERY_TIMEZONE == "Asia/Shanghai"
    pinned_clock.move_to(beijing("2027-03-01 01:00"))
    assert produce_medical_lists() == 1
    assert produce_medical_lists() == 0  # idempotent
    medical_list = MedicalInsuranceList.objects.get()
    assert (medical_list.period, medical_list.region_id, medical_list.produced_by) == (FEB, CITY, None)


def test_per_county_the_job_makes_one_list_a_county(february, pinned_clock, settings):
    settings.MEDICAL_LIST_PER_COUNTY = True
    pinned_clock.move_to(beijing("2027-03-01 01:00"))
    counties = Region.objects.filter(level=RegionLevel.COUNTY, code__startswith="1309").count()
    assert produce_medical_lists() == counties
    hejian = MedicalInsuranceList.objects.get(region_id="130984")
    assert set(rows_of(hejian)) == {"河间新增"}


def test_the_demo_produces_each_month_and_sends_all_but_the_last(february, pinned_clock):
    from io import StringIO

    from assistance.demo_exchanges import demo_exchanges
    from households.models import Role
    from tests.factories import UserFactory, region

    shuju = UserFactory(username="shuju", role=Role.DATA_ADMIN, scope=region(CITY))
    pinned_clock.move_to(beijing("2027-03-07 09:00"))
    out = StringIO()
    assert demo_exchanges(stdout=out, first_month=date(2026, 12, 1)) == 3
    lists = list(MedicalInsuranceList.objects.order_by("period"))
    assert [(m.period, m.status) for m in lists] == [
        (date(2026, 12, 1), ExchangeStatus.ACKNOWLEDGED),
        (date(2027, 1, 1), ExchangeStatus.ACKNOWLEDGED),
        (FEB, ExchangeStatus.PRODUCED),
    ]
    assert lists[0].sent_by == shuju and lists[0].sent_at == beijing("2027-01-03 10:00")
    assert lists[1].rows_new == 1 and lists[2].rows_new == 7
    assert "2027-02" in out.getvalue()
