"""Demo data: a synthetic slice of Cangzhou with towns, villages, households, people and staff.

Lives in the most downstream app because it fills every part of the system. Deterministic (fixed
random seed) and idempotent: it does nothing when demo households already exist.
"""

import random
from datetime import date, timedelta

from django.core.management.base import BaseCommand
from django.db import transaction
from faker import Faker

from alerts.models import Responsibility
from assistance.demo_history import build_demo_history
from households import idcard
from households.models import AreaType, Household, Person, Region, RegionLevel, Relation, Role, User
from monitoring.models import MonitoringCategory, MonitoringRecord

DEMO_PASSWORD = "demo-2025"
# county code → town names (each town gets villages below it)
DEMO_COUNTIES = {
    "130921": ["旧州镇", "兴济镇", "杜生镇"],
    "130902": ["建设北街道", "车站街道", "小赵庄乡"],
    "130984": ["瀛州镇", "米各庄镇", "沙洼乡"],
    "130922": ["清州镇", "金牛镇", "马厂镇"],
}
VILLAGES_PER_TOWN = 4
CATEGORY_WEIGHTS = [
    (MonitoringCategory.DIBAO, 45),
    (MonitoringCategory.TEKUN, 8),
    (MonitoringCategory.DIBAO_EDGE, 20),
    (MonitoringCategory.RIGID_EXPENSE, 10),
    (MonitoringCategory.RELAPSE_WATCH, 10),
    (MonitoringCategory.OTHER_LOW_INCOME, 7),
]


def make_id_number(rng: random.Random, area: str, born: date, used: set[str]) -> str:
    while True:
        first17 = f"{area}{born:%Y%m%d}{rng.randint(1, 999):03d}"
        value = first17 + idcard.check_char(first17)
        if value not in used:
            used.add(value)
            return value


class Command(BaseCommand):
    help = "填充演示数据：区划、家庭、人员、监测记录与各角色演示账号"

    def add_arguments(self, parser):
        parser.add_argument("--households", type=int, default=4000, help="家庭数量（默认 4000）")
        parser.add_argument("--seed", type=int, default=2025)

    @transaction.atomic
    def handle(self, *args, households: int, seed: int, **options):
        if Household.objects.exists():
            self.stdout.write("已有家庭数据，跳过演示数据生成。")
        else:
            self._registry(households, random.Random(seed), Faker("zh_CN"))
        self._users()
        build_demo_history(today=date.today(), stdout=self.stdout)

    def _regions(self) -> list[Region]:
        villages = []
        for county_code, towns in DEMO_COUNTIES.items():
            county = Region.objects.get(code=county_code)
            for t, town_name in enumerate(towns, start=1):
                town, _ = Region.objects.get_or_create(
                    code=f"{county_code}{100 + t:03d}",
                    defaults={"name": town_name, "level": RegionLevel.TOWN, "parent": county},
                )
                for v in range(1, VILLAGES_PER_TOWN + 1):
                    suffix = "社区" if "街道" in town_name else "村"
                    village, _ = Region.objects.get_or_create(
                        code=f"{town.code}{200 + v:03d}",
                        defaults={
                            "name": f"{town_name[:2]}第{v}{suffix}",
                            "level": RegionLevel.VILLAGE,
                            "parent": town,
                        },
                    )
                    villages.append(village)
        return villages

    def _registry(self, count: int, rng: random.Random, fake: Faker) -> None:
        Faker.seed(rng.randint(0, 10**6))
        villages = self._regions()
        used: set[str] = set()
        today = date.today()
        households, people, plans = [], [], []
        for _ in range(count):
            village = rng.choice(villages)
            county = village.code[:6]
            head_born = date(rng.randint(1940, 1995), rng.randint(1, 12), rng.randint(1, 28))
            head_id = make_id_number(rng, county, head_born, used)
            urban = "街道" in village.parent.name
            household = Household(
                head_id_number=head_id,
                region=village,
                address=f"{village.parent.parent.name}{village.parent.name}{village.name}{rng.randint(1, 120)}号",
                area_type=AreaType.URBAN if urban else AreaType.RURAL,
                annual_income=rng.randint(2000, 30000),
            )
            households.append(household)
            surname = fake.last_name()
            members = [(head_id, surname + fake.first_name(), Relation.HEAD, head_born)]
            if rng.random() < 0.7:
                born = head_born + timedelta(days=rng.randint(-1500, 1500))
                members.append((make_id_number(rng, county, born, used), fake.name(), Relation.SPOUSE, born))
            for _child in range(rng.choice([0, 0, 1, 1, 2, 3])):
                born = date(
                    min(head_born.year + rng.randint(20, 35), today.year - 1),
                    rng.randint(1, 12),
                    rng.randint(1, 28),
                )
                members.append(
                    (
                        make_id_number(rng, county, born, used),
                        surname + fake.first_name(),
                        Relation.CHILD,
                        born,
                    )
                )
            category = rng.choices(
                [c for c, _ in CATEGORY_WEIGHTS], weights=[w for _, w in CATEGORY_WEIGHTS]
            )[0]
            since = today - timedelta(days=rng.randint(30, 2000))
            plans.append((household, members, category, since))
        Household.objects.bulk_create(households, batch_size=2000)
        for household, members, _category, _since in plans:
            for id_number, name, relation, born in members:
                info = idcard.describe(id_number)
                people.append(
                    Person(
                        id_number=id_number,
                        name=name,
                        birth_date=born,
                        sex=info.sex,
                        household=household,
                        relation=relation,
                        phone=f"13{rng.randint(100000000, 999999999)}",
                    )
                )
        Person.objects.bulk_create(people, batch_size=5000)
        by_id = {p.id_number: p for p in people}
        records = [
            MonitoringRecord(
                person=by_id[id_number],
                household=household,
                region_code=household.region_id,
                category=category,
                since=since,
            )
            for household, members, category, since in plans
            for id_number, *_ in members
        ]
        MonitoringRecord.objects.bulk_create(records, batch_size=5000)
        self.stdout.write(
            f"已生成 {len(households)} 户家庭、{len(people)} 名人员、{len(records)} 条监测记录。"
        )

    def _users(self) -> None:
        demo_users = [
            ("admin", "系统管理员", Role.DATA_ADMIN, "130900", True),
            ("shuju", "数据管理员", Role.DATA_ADMIN, "130900", False),
            ("dudao", "市局督导", Role.SUPERVISOR, "130900", False),
            ("dudao_cx", "沧县督导", Role.SUPERVISOR, "130921", False),
            ("jingban_a", "旧州镇经办人", Role.CASEWORKER, "130921101", False),
            ("jingban_b", "兴济镇经办人", Role.CASEWORKER, "130921102", False),
        ]
        for username, full_name, role, scope, superuser in demo_users:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "first_name": full_name,
                    "role": role,
                    "scope_id": scope,
                    "is_staff": True,
                    "is_superuser": superuser,
                },
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save(update_fields=["password"])
        self._town_caseworkers()

    def _town_caseworkers(self) -> None:
        """Every demo town gets a responsible caseworker, so new alerts are assigned automatically."""
        named = {"130921101": "jingban_a", "130921102": "jingban_b"}
        for county_code, towns in DEMO_COUNTIES.items():
            for t, town_name in enumerate(towns, start=1):
                code = f"{county_code}{100 + t:03d}"
                username = named.get(code, f"jingban_{code}")
                user, created = User.objects.get_or_create(
                    username=username,
                    defaults={"first_name": f"{town_name}经办人", "role": Role.CASEWORKER, "scope_id": code},
                )
                if created:
                    user.set_password(DEMO_PASSWORD)
                    user.save(update_fields=["password"])
                Responsibility.objects.get_or_create(region_id=code, defaults={"caseworker": user})
