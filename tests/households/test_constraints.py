import pytest

from households.models import Household, Person, Region
from monitoring.models import MonitoringRecord, MonitoringStatus
from tests.factories import HouseholdFactory, MonitoringRecordFactory, PersonFactory, make_id_number, region
from tests.helpers import violates

pytestmark = pytest.mark.django_db


def test_cangzhou_and_its_16_county_level_divisions_are_seeded(django_db_setup):
    city = Region.objects.get(code="130900")
    assert city.name == "沧州市"
    counties = Region.objects.filter(parent=city)
    assert counties.count() == 16
    assert counties.get(code="130930").name == "孟村回族自治县"
    assert city.prefix == "1309"


def test_region_codes_must_be_6_9_or_12_digits():
    assert violates(lambda: Region.objects.create(code="13092", name="x", level="county"))
    assert violates(lambda: Region.objects.create(code="13092110a", name="x", level="town"))


def test_person_id_number_is_unique_and_well_formed():
    person = PersonFactory()
    assert violates(
        lambda: Person.objects.create(
            id_number=person.id_number, name="重复", birth_date=person.birth_date, sex="M"
        )
    )
    assert violates(
        lambda: Person.objects.create(
            id_number="13092119800517123x", name="小写", birth_date=person.birth_date, sex="M"
        )
    )


def test_household_key_is_unique():
    household = HouseholdFactory()
    assert violates(
        lambda: Household.objects.create(
            head_id_number=household.head_id_number, region=region("130921"), area_type="rural"
        )
    )


def test_monitoring_record_needs_exit_date_exactly_when_exited():
    record = MonitoringRecordFactory()
    record.status = MonitoringStatus.EXITED
    assert violates(lambda: record.save())
    record.refresh_from_db()
    assert violates(lambda: MonitoringRecord.objects.filter(pk=record.pk).update(exit_date=record.since))


def test_one_monitoring_record_per_person():
    record = MonitoringRecordFactory()
    assert violates(
        lambda: MonitoringRecord.objects.create(
            person=record.person,
            household=record.household,
            region_code=record.region_code,
            category="tekun",
            since=record.since,
        )
    )


def test_make_id_number_gives_unique_valid_ids():
    from households import idcard

    ids = {make_id_number() for _ in range(50)}
    assert len(ids) == 50 and all(idcard.is_valid(i) for i in ids)
