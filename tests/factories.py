"""factory_boy factories shared by every app's tests."""

import random
from datetime import date, timedelta

import factory
from factory.django import DjangoModelFactory

from households import clock, idcard
from households.models import AreaType, Household, Person, Region, RegionLevel, Relation, Role, User
from monitoring.models import MonitoringCategory, MonitoringRecord

_rng = random.Random(7)
_used: set[str] = set()


def make_id_number(area: str = "130921", born: date | None = None, sex: str | None = None) -> str:
    """A fresh valid 18-character resident ID (unique within the test session).

    Without `born` the person is born on 1980-05-17, or a later day once that day's 999 sequence
    numbers are used up (a whole run makes more people than one birthday holds)."""
    day = born or date(1980, 5, 17)
    while True:
        seqs = [s for s in range(1, 1000) if sex is None or (s % 2 == 1) == (sex == "M")]
        _rng.shuffle(seqs)
        for seq in seqs:
            first17 = f"{area}{day:%Y%m%d}{seq:03d}"
            value = first17 + idcard.check_char(first17)
            if value not in _used:
                _used.add(value)
                return value
        if born is not None:
            raise RuntimeError(f"no unused resident ID left for {area} born {born}")
        day += timedelta(days=1)


def make_id_with_wrong_check_char() -> str:
    """A resident ID whose check character is wrong (a fresh valid one with another last character)."""
    valid = make_id_number()
    return valid[:17] + ("1" if valid[17] != "1" else "2")


def region(code: str, name: str | None = None) -> Region:
    """Get or create a region and its missing ancestors (codes nest 6 → 9 → 12 digits)."""
    parent = None
    if len(code) > 6:
        parent = region(code[: len(code) - 3])
    elif code != "130900":
        parent = Region.objects.get_or_create(
            code="130900", defaults={"name": "沧州市", "level": RegionLevel.CITY}
        )[0]
    level = {6: RegionLevel.COUNTY, 9: RegionLevel.TOWN, 12: RegionLevel.VILLAGE}[len(code)]
    if code == "130900":
        level = RegionLevel.CITY
    obj, _ = Region.objects.get_or_create(
        code=code, defaults={"name": name or f"区域{code}", "level": level, "parent": parent}
    )
    return obj


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("name", locale="zh_CN")
    role = Role.CASEWORKER
    password = factory.PostGenerationMethodCall("set_password", "pw-12345678")

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class HouseholdFactory(DjangoModelFactory):
    class Meta:
        model = Household

    head_id_number = factory.LazyFunction(make_id_number)
    region = factory.LazyFunction(lambda: region("130921101201"))
    address = factory.Faker("address", locale="zh_CN")
    area_type = AreaType.RURAL


class PersonFactory(DjangoModelFactory):
    class Meta:
        model = Person

    household = factory.SubFactory(HouseholdFactory)
    id_number = factory.LazyAttribute(
        lambda o: o.household.head_id_number if o.relation == Relation.HEAD else make_id_number()
    )
    name = factory.Faker("name", locale="zh_CN")
    relation = Relation.HEAD
    birth_date = factory.LazyAttribute(lambda o: idcard.describe(o.id_number).birth_date)
    sex = factory.LazyAttribute(lambda o: idcard.describe(o.id_number).sex)


class MonitoringRecordFactory(DjangoModelFactory):
    class Meta:
        model = MonitoringRecord

    person = factory.SubFactory(PersonFactory)
    household = factory.LazyAttribute(lambda o: o.person.household)
    region_code = factory.LazyAttribute(lambda o: o.person.household.region_id)
    category = MonitoringCategory.DIBAO
    since = date(2024, 1, 1)


def household_with_head(region_code: str, name: str = "张三", **kwargs) -> Household:
    """A household in `region_code` whose head is a person called `name`."""
    household = HouseholdFactory(region=region(region_code), **kwargs)
    PersonFactory(household=household, name=name, relation=Relation.HEAD)
    return household


def rule_version(rule: str, version: int = 1, params: dict | None = None):
    from alerts.models import RuleVersion

    obj, _ = RuleVersion.objects.get_or_create(rule=rule, version=version, defaults={"params": params or {}})
    return obj


class AlertFactory(DjangoModelFactory):
    """An alert about a monitored person; its household and region follow the person."""

    class Meta:
        model = "alerts.Alert"

    rule = "high_medical_self_pay"
    rule_version = factory.LazyAttribute(lambda o: rule_version(o.rule))
    person = factory.LazyAttribute(lambda o: MonitoringRecordFactory().person)
    household = factory.LazyAttribute(lambda o: o.person.household)
    region = factory.LazyAttribute(lambda o: o.person.household.region)
    dedupe_key = factory.Sequence(lambda n: f"test:{n}")
    raised_on = factory.LazyFunction(clock.today)
    deadline = factory.LazyAttribute(lambda o: o.raised_on + timedelta(days=15))
    evidence = factory.LazyAttribute(
        lambda o: {
            "summary": "近365天个人自付 23,410.50 元，达到阈值 10,000 元",
            "values": {},
            "sources": [],
        }
    )
