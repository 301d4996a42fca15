"""Department files for the demo: the civil-affairs roster, and the monthly files the four
departments send about the demo population.

Each department sends, early every month, one file with its records of the month before (medical
insurance on the 3rd, health on the 4th …): a record is known to the system only from its file's
arrival. A registration that ends after its month's file was sent is re-sent, ended, in a later
file (a correction). The files look like the real ones (Chinese headers, GBK from Excel, a BOM, an
.xlsx) and each carries a damaged row or two, so the batch reports show what rejections look like.
"""

import csv
import io
import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from django.utils import timezone
from openpyxl import Workbook

from households import clock, idcard
from households.models import Person
from imports.models import FeedCategory

HOSPITALS = [
    "沧州市中心医院",
    "沧州市人民医院",
    "沧县医院",
    "河间市人民医院",
    "青县人民医院",
    "沧州市第二医院",
]
COMMON_DIAGNOSES = [
    ("J18.900", "肺炎"),
    ("I10.X00", "高血压"),
    ("E11.900", "2型糖尿病"),
    ("K29.700", "胃炎"),
    ("M54.500", "腰痛"),
    ("J06.900", "急性上呼吸道感染"),
]
SERIOUS_DIAGNOSES = [
    ("C34.901", "肺癌"),
    ("C16.900", "胃癌"),
    ("I63.900", "脑梗死"),
    ("N18.500", "慢性肾脏病5期"),
    ("C50.900", "乳腺癌"),
    ("J44.900", "慢性阻塞性肺疾病"),
]
ROSTER_HEADER = [
    "身份证号",
    "姓名",
    "户主身份证号",
    "与户主关系",
    "村(社区)代码",
    "家庭住址",
    "城乡类别",
    "监测类别",
    "纳入日期",
    "状态",
    "退出日期",
    "家庭年收入（元）",
    "联系电话",
]
CHILD_DIAGNOSES = [("C91.000", "急性淋巴细胞白血病"), ("Q21.100", "房间隔缺损")]
MEDICAL_HEADER = [
    "结算流水号",
    "身份证号",
    "姓名",
    "结算日期",
    "定点医疗机构",
    "就诊类型",
    "主诊断编码",
    "主诊断名称",
    "医疗费用总额(元)",
    "统筹基金支付",
    "大病保险支付",
    "医疗救助支付",
    "个人负担",
]
DIAGNOSIS_HEADER = ["记录编号", "身份证号", "姓名", "诊断日期", "医疗机构", "诊断编码", "诊断名称"]
UNEMPLOYMENT_HEADER = ["登记编号", "身份证号", "姓名", "失业登记日期", "登记状态", "注销日期"]
DISABILITY_HEADER = ["残疾人证号", "身份证号", "姓名", "残疾类别", "残疾等级", "发证日期", "证件状态"]
# When each department's file about the previous month arrives: (day of the month, hour).
ARRIVALS = {
    FeedCategory.MEDICAL_SETTLEMENT: (3, 10),
    FeedCategory.DIAGNOSIS: (4, 15),
    FeedCategory.UNEMPLOYMENT_REGISTRATION: (6, 11),
    FeedCategory.DISABILITY_CERTIFICATE: (8, 9),
}
FILE_NAMES = {
    FeedCategory.MEDICAL_SETTLEMENT: "医保结算明细_{month}.csv",
    FeedCategory.DIAGNOSIS: "疾病诊断_{month}.csv",
    FeedCategory.UNEMPLOYMENT_REGISTRATION: "失业登记_{month}.csv",
    FeedCategory.DISABILITY_CERTIFICATE: "残疾人证_{month}.xlsx",
}


@dataclass(frozen=True)
class DemoFile:
    category: str
    path: Path
    arrives: datetime  # when the department's file reaches the data admin


def first_of_month(day: date) -> date:
    return day.replace(day=1)


def next_month(month: date) -> date:
    return (month + timedelta(days=32)).replace(day=1)


def arrival(category: str, month: date) -> datetime:
    """When the department's file about `month` arrives (early the month after)."""
    day, hour = ARRIVALS[category]
    return clock.at(next_month(month).replace(day=day), hour)


def _person_sample(rng: random.Random) -> list[tuple[str, str, date]]:
    people = list(Person.objects.order_by("id").values_list("id_number", "name", "birth_date"))
    rng.shuffle(people)
    return people


def _stranger_id(rng: random.Random) -> str:
    """A valid ID of someone outside the registry (departments send everyone, not only our people)."""
    first17 = f"130925{rng.randint(1950, 2000)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(1, 999):03d}"
    return first17 + idcard.check_char(first17)


def _day_in(rng: random.Random, today: date, days_back: int) -> date:
    return today - timedelta(days=rng.randint(1, days_back))


class _Months:
    """Rows of one department's files, by the month they are sent about."""

    def __init__(self):
        self.rows: dict[date, list[list]] = defaultdict(list)

    def add(self, day: date, row: list) -> None:
        self.rows[first_of_month(day)].append(row)


def _medical_rows(rng: random.Random, people, today: date) -> _Months:
    months, n = _Months(), 0

    def settle(id_number, name, day, code, diag, total, self_paid):
        nonlocal n
        n += 1
        fund = (total - self_paid) * Decimal("0.8")
        rest = total - self_paid - fund.quantize(Decimal("0.01"))
        months.add(
            day,
            [
                f"JS{day:%Y%m}{n:07d}",
                id_number,
                name,
                day.strftime("%Y/%m/%d"),
                rng.choice(HOSPITALS),
                rng.choice(["住院", "门诊", "门诊慢特病"]),
                code,
                diag,
                f"{total:,.2f}",
                f"{fund:.2f}",
                f"{rest:.2f}",
                "0",
                f"{self_paid:.2f}",
            ],
        )

    ordinary = people[: len(people) // 3]
    for id_number, name, _born in ordinary:
        for _ in range(rng.randint(1, 3)):
            total = Decimal(rng.randint(80, 3000))
            code, diag = rng.choice(COMMON_DIAGNOSES)
            settle(id_number, name, _day_in(rng, today, 360), code, diag, total, total * Decimal("0.3"))
    # About 3% pay a lot themselves over the year: the self-pay rule's candidates.
    for id_number, name, _born in people[len(people) // 3 : len(people) // 3 + len(people) // 33]:
        for _ in range(rng.randint(2, 5)):
            total = Decimal(rng.randint(8000, 30000))
            code, diag = rng.choice(COMMON_DIAGNOSES + SERIOUS_DIAGNOSES[2:3])
            settle(id_number, name, _day_in(rng, today, 360), code, diag, total, total * Decimal("0.35"))
    # About 1% fall seriously ill (one of the 30 diseases), children with child-only diseases.
    for id_number, name, born in people[-(len(people) // 100) :]:
        day = _day_in(rng, today, 330)
        child = (day - born).days < 18 * 365
        code, diag = rng.choice(CHILD_DIAGNOSES if child else SERIOUS_DIAGNOSES)
        total = Decimal(rng.randint(20000, 90000))
        settle(id_number, name, day, code, diag, total, total * Decimal("0.25"))
    for _ in range(300):
        total = Decimal(rng.randint(100, 5000))
        code, diag = rng.choice(COMMON_DIAGNOSES)
        settle(_stranger_id(rng), "", _day_in(rng, today, 360), code, diag, total, total * Decimal("0.3"))
    return months


def _damaged_medical_rows(rows: list[list], month: date, sent: datetime, index: int) -> list[list]:
    """What spreadsheets and old systems do to files: two damaged copies of the month's first row,
    a different kind of damage each month."""
    damage = [
        lambda r: r.__setitem__(1, "1.30921E+17"),  # ID turned into a number by Excel
        lambda r: r.__setitem__(1, r[1][:17] + ("0" if r[1][17] != "0" else "1")),  # check character
        lambda r: r.__setitem__(3, f"{month.year}/13/45"),  # no such date
        lambda r: r.__setitem__(8, "-120.00"),  # negative amount
        lambda r: r.__setitem__(5, "急诊"),  # not an allowed visit type
        lambda r: r.__setitem__(3, (sent.date() + timedelta(days=30)).isoformat()),  # in the future
    ]
    damaged = []
    for i in (2 * index % len(damage), (2 * index + 1) % len(damage)):
        row = list(rows[0])
        damage[i](row)
        row[0] = f"JSX{month:%Y%m}{i}"
        damaged.append(row)
    return damaged


def _diagnosis_rows(rng: random.Random, people, today: date) -> _Months:
    months = _Months()
    for i, (id_number, name, _born) in enumerate(people[200:260]):
        code, diag = rng.choice(SERIOUS_DIAGNOSES + COMMON_DIAGNOSES)
        day = _day_in(rng, today, 330)
        # The hospital wrote a different name for the first few: a name-check warning.
        written = name[0] + "某某" if i < 3 else name
        months.add(
            day, [f"BA{i:06d}", id_number, written, day.isoformat(), rng.choice(HOSPITALS), code, diag]
        )
    return months


def _unemployment_rows(rng: random.Random, people, today: date) -> _Months:
    months = _Months()
    for i, (id_number, name, born) in enumerate(people[300:480]):
        registered = _day_in(rng, today, 330)
        if (registered - born).days < 18 * 365:
            continue
        number = f"SY1309{i:08d}"
        if rng.random() < 0.25:
            ended = registered + timedelta(days=rng.randint(10, 60))
            if ended < arrival(FeedCategory.UNEMPLOYMENT_REGISTRATION, first_of_month(registered)).date():
                months.add(
                    registered, [number, id_number, name, registered.isoformat(), "已就业", ended.isoformat()]
                )
                continue
            # Found work after the month's file was sent: re-sent, ended, in the file of that month.
            months.add(ended, [number, id_number, name, registered.isoformat(), "已就业", ended.isoformat()])
        months.add(registered, [number, id_number, name, registered.isoformat(), "登记失业", ""])
    return months


def _disability_rows(rng: random.Random, people, today: date) -> _Months:
    months = _Months()
    for id_number, name, _born in people[500:620]:
        kind, grade = rng.randint(1, 7), rng.choice([1, 2, 2, 3, 4])
        status = "注销" if rng.random() < 0.05 else "有效"
        issued = _day_in(rng, today, 330)
        months.add(
            issued,
            [
                f"{id_number}{kind}{grade}",
                id_number,
                name,
                ["视力", "听力", "言语", "肢体", "智力", "精神", "多重"][kind - 1],
                ["一级", "二级", "三级", "四级"][grade - 1],
                issued,  # a native date cell
                status,
            ],
        )
    return months


def _write_csv(path: Path, header: list[str], rows: list[list[str]], encoding: str) -> None:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows([header, *rows])
    path.write_bytes(buffer.getvalue().encode(encoding))


def write_roster_file(directory: Path, rows: list[list[str]]) -> Path:
    """The civil-affairs roster export (UTF-8 with a BOM) of `rows`, in ROSTER_HEADER's order."""
    path = directory / "低收入人口名册.csv"
    _write_csv(path, ROSTER_HEADER, rows, "utf-8-sig")
    return path


def _write_month(directory: Path, category: str, month: date, rows: list[list], people, index: int) -> Path:
    """One department's file about `month`: its rows and a damaged row or two."""
    sent = arrival(category, month)
    path = directory / FILE_NAMES[category].format(month=f"{month:%Y-%m}")
    if category == FeedCategory.MEDICAL_SETTLEMENT:
        # The year's first month may have no settlement yet (the year opens on its last days): the
        # damaged rows are then copies of a plain one.
        code, diagnosis = COMMON_DIAGNOSES[0]
        plain = [
            f"JS{month:%Y%m}0000000",
            people[0][0],
            people[0][1],
            month.replace(day=15).strftime("%Y/%m/%d"),
            HOSPITALS[0],
            "门诊",
            code,
            diagnosis,
            "100.00",
            "56.00",
            "14.00",
            "0",
            "30.00",
        ]
        rows = rows + _damaged_medical_rows(rows or [plain], month, sent, index)
        _write_csv(path, MEDICAL_HEADER, rows, "gb18030")  # Excel on Windows
    elif category == FeedCategory.DIAGNOSIS:
        too_short = [
            "BA9" + f"{month:%Y%m}",
            "13092119800517",
            "王五",
            f"{month:%Y-%m}-10",
            "沧县医院",
            "C34.9",
            "肺癌",
        ]
        _write_csv(path, DIAGNOSIS_HEADER, [*rows, too_short], "utf-8-sig")  # the ID is too short
    elif category == FeedCategory.UNEMPLOYMENT_REGISTRATION:
        no_such_day = [
            "SY1309999" + f"{month:%Y%m}",
            people[0][0],
            people[0][1],
            f"{month.year}-02-30",
            "登记失业",
            "",
        ]
        _write_csv(path, UNEMPLOYMENT_HEADER, [*rows, no_such_day], "utf-8")
    else:
        book = Workbook(write_only=True)
        sheet = book.create_sheet("残疾人证")
        sheet.append(DISABILITY_HEADER)
        for row in rows:
            sheet.append(row)
        # No such grade.
        sheet.append(
            [f"{people[1][0]}45", people[1][0], people[1][1], "肢体", "五级", month.replace(day=20), "有效"]
        )
        book.save(path)
    return path


def write_demo_feeds(
    directory: Path, *, first_day: date, until: datetime, seed: int = 2025
) -> list[DemoFile]:
    """Write each department's monthly files about the months from `first_day`'s on, those that
    arrive by `until`, into `directory`; in order of arrival."""
    rng = random.Random(seed)
    people = _person_sample(rng)
    today = timezone.localdate(until)
    by_category = {
        FeedCategory.MEDICAL_SETTLEMENT: _medical_rows(rng, people, today),
        FeedCategory.DIAGNOSIS: _diagnosis_rows(rng, people, today),
        FeedCategory.UNEMPLOYMENT_REGISTRATION: _unemployment_rows(rng, people, today),
        FeedCategory.DISABILITY_CERTIFICATE: _disability_rows(rng, people, today),
    }
    directory.mkdir(parents=True, exist_ok=True)
    files = []
    for category, months in by_category.items():
        month, index = first_of_month(first_day), 0
        while arrival(category, month) <= until:
            path = _write_month(directory, category, month, months.rows.get(month, []), people, index)
            files.append(DemoFile(category, path, arrival(category, month)))
            month, index = next_month(month), index + 1
    return sorted(files, key=lambda f: f.arrives)
