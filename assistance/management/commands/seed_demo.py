"""Demo data: a synthetic slice of Cangzhou and a year of work on it.

Towns and villages, the demo accounts (one caseworker responsible for each town) and the low-income
roster loaded through the roster import when the year opens, then the year itself lived through in
order: monthly department files, nightly monitoring runs, caseworkers' triage and applications taken
through their approval steps, each at its moment, up to the real now (assistance.demo_history,
assistance.demo_cases). Lives in the most downstream app because it fills
every part of the system. Deterministic (fixed random seed) and idempotent: the roster is skipped
when households exist, the year when department batches exist, and accounts are only added.
"""

import random
import tempfile
from datetime import date, timedelta
from pathlib import Path

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand
from django.db import transaction
from faker import Faker

from alerts.models import Responsibility
from assistance.demo_exchanges import demo_exchanges
from assistance.demo_feeds import write_roster_file
from assistance.demo_followups import demo_followups
from assistance.demo_history import DemoYear, build_demo_history, import_demo_file
from assistance.demo_payments import demo_payments
from assistance.demo_returns import demo_return
from assistance.demo_reviews import demo_reviews
from households import clock, idcard
from households.models import Household, Region, RegionLevel, Role, User
from imports.models import FeedCategory
from monitoring.models import MonitoringCategory

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


def _demo_user(username: str, password: str, **defaults) -> User:
    """The demo account `username`, created with `defaults` and the (hashed) demo password if missing."""
    defaults = {**defaults, "password": password, "date_joined": clock.now()}
    return User.objects.get_or_create(username=username, defaults=defaults)[0]


class Command(BaseCommand):
    help = "填充演示数据：区划、各角色演示账号、低收入人口名册，以及一年的部门数据导入、监测运行与预警办理"

    def add_arguments(self, parser):
        parser.add_argument("--households", type=int, default=4000, help="家庭数量（默认 4000）")
        parser.add_argument("--seed", type=int, default=2025)

    @transaction.atomic
    def handle(self, *args, households: int, seed: int, **options):
        fresh = not Household.objects.exists()
        year = DemoYear.ending_now()
        villages = self._regions()
        # The accounts and the roster are there when the demo's year opens.
        with clock.simulated(year.opening):
            self._users()
            if fresh:
                self._registry(villages, households, random.Random(seed), Faker("zh_CN"))
            else:
                self.stdout.write("已有家庭数据，跳过演示名册生成。")
        build_demo_history(year=year, stdout=self.stdout, seed=seed)
        # What happens to the year's grants after approval, as of now: rolls (locked through last
        # month) and the bank's returns, reviews, the monthly lists to medical insurance, follow-ups.
        demo_payments(stdout=self.stdout, after_lock=lambda roll: demo_return(roll, stdout=self.stdout))
        demo_reviews(stdout=self.stdout)
        demo_exchanges(stdout=self.stdout)
        demo_followups(stdout=self.stdout)

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

    def _registry(self, villages: list[Region], count: int, rng: random.Random, fake: Faker) -> None:
        """The registry arrives as the civil-affairs roster file does, through the roster import."""
        Faker.seed(rng.randint(0, 10**6))
        used: set[str] = set()
        today = clock.today()
        rows = []
        for _ in range(count):
            village = rng.choice(villages)
            county = village.code[:6]
            head_born = date(rng.randint(1940, 1995), rng.randint(1, 12), rng.randint(1, 28))
            head_id = make_id_number(rng, county, head_born, used)
            urban = "街道" in village.parent.name
            address = (
                f"{village.parent.parent.name}{village.parent.name}{village.name}{rng.randint(1, 120)}号"
            )
            surname = fake.last_name()
            members = [(head_id, surname + fake.first_name(), "户主")]
            if rng.random() < 0.7:
                born = head_born + timedelta(days=rng.randint(-1500, 1500))
                members.append((make_id_number(rng, county, born, used), fake.name(), "配偶"))
            for _child in range(rng.choice([0, 0, 1, 1, 2, 3])):
                born = date(
                    min(head_born.year + rng.randint(20, 35), today.year - 1),
                    rng.randint(1, 12),
                    rng.randint(1, 28),
                )
                members.append((make_id_number(rng, county, born, used), surname + fake.first_name(), "子女"))
            category = rng.choices(
                [c for c, _ in CATEGORY_WEIGHTS], weights=[w for _, w in CATEGORY_WEIGHTS]
            )[0]
            since = today - timedelta(days=rng.randint(30, 2000))
            # A few households left monitoring (income rose, moved away) since they were enrolled.
            exit_date = (
                since + timedelta(days=rng.randint(1, (today - since).days)) if rng.random() < 0.03 else None
            )
            income = rng.randint(2000, 30000)
            for id_number, name, relation in members:
                rows.append(
                    [
                        id_number,
                        name,
                        head_id,
                        relation,
                        village.code,
                        address,
                        "城镇" if urban else "农村",
                        MonitoringCategory(category).label,
                        since.isoformat(),
                        "退出" if exit_date else "在册",
                        exit_date.isoformat() if exit_date else "",
                        f"{income}.00" if relation == "户主" else "",
                        f"13{rng.randint(100000000, 999999999)}",
                    ]
                )
        # What the civil-affairs system exports now and then: a row the import must refuse.
        broken = list(rows[0])
        broken[0], broken[4] = broken[0][:-1] + ("0" if broken[0][-1] != "0" else "1"), "110101"
        rows.append(broken)
        with tempfile.TemporaryDirectory() as folder:
            path = write_roster_file(Path(folder), rows)
            import_demo_file(category=FeedCategory.ROSTER, path=path, stdout=self.stdout)

    def _users(self) -> None:
        demo_users = [
            ("admin", "系统管理员", Role.SYSTEM_ADMIN, "130900"),
            ("shuju", "数据管理员", Role.DATA_ADMIN, "130900"),
            ("dudao", "市局督导", Role.SUPERVISOR, "130900"),
            ("dudao_cx", "沧县督导", Role.SUPERVISOR, "130921"),
            ("jingban_a", "旧州镇经办人", Role.CASEWORKER, "130921101"),
            ("jingban_b", "兴济镇经办人", Role.CASEWORKER, "130921102"),
            ("jingban_cun", "旧州第1村经办人", Role.CASEWORKER, "130921101201"),
        ]
        password = make_password(DEMO_PASSWORD)  # hashed once: the hasher is slow on purpose
        for username, full_name, role, scope in demo_users:
            _demo_user(username, password, first_name=full_name, role=role, scope_id=scope)
        self._town_caseworkers(password)

    def _town_caseworkers(self, password: str) -> None:
        """Every demo town gets a responsible caseworker, so new alerts are assigned automatically."""
        named = {"130921101": "jingban_a", "130921102": "jingban_b"}
        for county_code, towns in DEMO_COUNTIES.items():
            for t, town_name in enumerate(towns, start=1):
                code = f"{county_code}{100 + t:03d}"
                username = named.get(code, f"jingban_{code}")
                user = _demo_user(
                    username, password, first_name=f"{town_name}经办人", role=Role.CASEWORKER, scope_id=code
                )
                Responsibility.objects.get_or_create(region_id=code, defaults={"caseworker": user})
