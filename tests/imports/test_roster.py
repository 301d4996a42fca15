"""roster: households, persons and monitoring records (with history) from civil affairs' roster."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from households import clock
from households.models import Household, Person, Region
from imports.models import FeedRecordChange, NameMismatch, RosterEntry
from monitoring.models import MonitoringRecord, MonitoringRecordHistory
from tests.imports.helpers import assert_accounted, csv_bytes, id18, outcomes

pytestmark = pytest.mark.django_db

HEADER = [
    "公民身份号码", "姓名", "户主身份证号", "与户主关系", "村(社区)代码", "家庭住址", "户籍性质",
    "人员类别", "认定日期", "状态", "退出日期", "家庭年收入（元）", "联系电话",
]  # fmt: skip
HEAD = id18(born=date(1970, 1, 1), seq=41)
SPOUSE = id18(born=date(1972, 2, 2), seq=42)
CHILD = id18(born=date(2000, 3, 3), seq=43)
OTHER_HEAD = id18(area="130984", born=date(1960, 1, 1), seq=45)


def person_row(id_number, name, head=HEAD, relation="配偶", region="130921101201", category="低保",
               since="2023-01-01", status="", exit_date="", income="", address="", phone=""):  # fmt: skip
    return [
        id_number,
        name,
        head,
        relation,
        region,
        address,
        "农村",
        category,
        since,
        status,
        exit_date,
        income,
        phone,
    ]


def roster_file():
    return csv_bytes(
        [
            HEADER,
            person_row(
                HEAD, "张大", relation="户主", income="12,000", address="旧州镇某村1号", phone="13800000000"
            ),
            person_row(SPOUSE, "李二"),
            person_row(CHILD, "张小", relation="子", status="退出", exit_date="2024-05-01"),
            person_row(OTHER_HEAD, "王外", head=OTHER_HEAD, relation="本人", region="999921101201"),  # 5
            person_row(id18(seq=46), "赵某", relation="户主"),  # 6: head relation but not the head's ID
            person_row(id18(seq=47), "钱某", status="退出"),  # 7: no exit date
            person_row(id18(seq=48), "孙某", exit_date="2024-01-01"),  # 8: exit date while 在册
            person_row(id18(seq=49), "周某", region="131021101201"),  # 9: outside the city
            person_row(id18(seq=50), "吴某", region="130999101201"),  # 10: no such county
            person_row(id18(seq=51), "郑某", since="2024-01-01", status="退出", exit_date="2023-01-01"),  # 11
            person_row(id18(seq=52), "冯某", category="五保"),  # 12
        ],
        encoding="gbk",
    )


def test_roster_creates_households_persons_records_and_regions(load, data_admin):
    batch = load("roster", roster_file(), "名册.csv", user=data_admin)

    assert_accounted(batch)
    assert (batch.loaded, batch.rejected) == (3, 8)
    assert outcomes(batch) == {
        5: "region_outside_city",
        6: "head_relation",
        7: "exit_date_missing",
        8: "exit_date_not_exited",
        9: "region_outside_city",
        10: "region_unknown",
        11: "exit_before_since",
        12: "enum",
    }

    household = Household.objects.get(head_id_number=HEAD)
    assert household.region_id == "130921101201"
    assert household.annual_income == Decimal("12000.00") and household.address == "旧州镇某村1号"
    assert household.area_type == "rural"
    members = {p.id_number: p for p in Person.objects.filter(household=household)}
    assert set(members) == {HEAD, SPOUSE, CHILD}
    assert (members[HEAD].relation, members[HEAD].sex, members[HEAD].birth_date) == (
        "head",
        "M",
        date(1970, 1, 1),
    )
    assert members[CHILD].relation == "child" and members[HEAD].phone == "13800000000"

    child_record = MonitoringRecord.objects.get(person=members[CHILD])
    assert (child_record.status, child_record.exit_date, child_record.category) == (
        "exited", date(2024, 5, 1), "dibao",
    )  # fmt: skip
    assert child_record.region_code == "130921101201" and child_record.source_batch_id == batch.pk
    history = MonitoringRecordHistory.objects.get(record=child_record)
    assert history.before is None and history.after["status"] == "exited"
    assert history.batch_id == batch.pk and history.changed_by_id == data_admin.pk
    # The roster's own table keeps what was sent.
    assert RosterEntry.objects.count() == 3
    # The village of the file exists now, under its town and the seeded county.
    assert Region.objects.get(code="130921101201").parent.parent_id == "130921"


def test_roster_resent_with_changes_corrects_and_records_history(load, data_admin):
    load("roster", roster_file(), user=data_admin)
    changed = csv_bytes(
        [
            HEADER,
            person_row(HEAD, "张大", relation="户主", income="", address="", phone="13800000000"),
            person_row(SPOUSE, "李二", category="特困供养", region="130921102201"),
            person_row(CHILD, "张小", relation="子", status="退出", exit_date="2024-05-01"),
        ]
    )
    batch = load("roster", changed, "名册2.csv", user=data_admin)

    assert_accounted(batch)
    # The head's row lost its income/address cells (kept in the registry) and the spouse changed.
    assert (batch.loaded, batch.corrected, batch.duplicate, batch.rejected) == (0, 2, 1, 0)
    household = Household.objects.get(head_id_number=HEAD)
    assert household.annual_income == Decimal("12000.00") and household.address == "旧州镇某村1号"
    spouse = MonitoringRecord.objects.get(person__id_number=SPOUSE)
    assert spouse.category == "tekun"
    last = MonitoringRecordHistory.objects.filter(record=spouse).order_by("-id").first()
    assert last.before["category"] == "dibao" and last.after["category"] == "tekun"
    assert last.batch_id == batch.pk


def test_roster_name_mismatch_is_loaded_and_flagged(load, data_admin):
    load("roster", roster_file())
    batch = load("roster", csv_bytes([HEADER, person_row(SPOUSE, "李三")]), "rename.csv")
    assert batch.name_mismatch == 1
    mismatch = NameMismatch.objects.get(batch=batch)
    assert (mismatch.row_number, mismatch.name_in_file, mismatch.name_in_registry) == (2, "李三", "李二")
    assert Person.objects.get(id_number=SPOUSE).name == "李三"  # the roster is the registry's source


def test_failing_roster_hook_leaves_nothing(load, monkeypatch, data_admin):
    from monitoring import roster

    def boom(*args, **kwargs):
        raise RuntimeError("hook failed")

    monkeypatch.setattr(roster, "_monitoring_records", boom)
    with pytest.raises(RuntimeError):
        load("roster", roster_file())
    assert not Household.objects.filter(head_id_number=HEAD).exists()
    assert not RosterEntry.objects.exists() and not Person.objects.filter(id_number=SPOUSE).exists()


def test_every_row_a_load_writes_carries_the_clocks_instant(load, data_admin, pinned_clock):
    """The database server's clock is months away from the pinned one: rows stamped by SQL's now()
    would show it."""

    first = clock.now()
    load("roster", roster_file(), user=data_admin)
    pinned_clock.shift(timedelta(days=3, hours=5))
    second = clock.now()
    changed = csv_bytes([HEADER, person_row(SPOUSE, "李二", category="特困供养", region="130921102201")])
    batch = load("roster", changed, "名册2.csv", user=data_admin)

    assert (batch.created_at, batch.started_at, batch.finished_at) == (second, second, second)
    spouse = Person.objects.get(id_number=SPOUSE)
    record = MonitoringRecord.objects.get(person=spouse)
    assert (spouse.created_at, record.created_at, record.updated_at) == (first, first, second)
    assert Household.objects.get(head_id_number=HEAD).created_at == first
    changes = MonitoringRecordHistory.objects.filter(record=record).order_by("id")
    assert [h.changed_at for h in changes] == [first, second]
    entry = RosterEntry.objects.get(id_number=SPOUSE)
    assert entry.updated_at == second
    assert FeedRecordChange.objects.get(batch=batch).changed_at == second
