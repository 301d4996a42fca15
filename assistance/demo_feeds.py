"""Department files for the demo: the civil-affairs roster, and what the four departments would send
about the demo population.

The files look like the real ones (Chinese headers, GBK from Excel, a BOM, an .xlsx) and carry a
few damaged rows, so the batch reports of the demo show what rejections look like.
"""

import csv
import io
import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook

from households import idcard
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


@dataclass(frozen=True)
class DemoFile:
    category: str
    path: Path


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


def _medical_rows(rng: random.Random, people, today: date) -> list[list[str]]:
    rows, n = [], 0

    def settle(id_number, name, day, code, diag, total, self_paid):
        nonlocal n
        n += 1
        fund = (total - self_paid) * Decimal("0.8")
        rest = total - self_paid - fund.quantize(Decimal("0.01"))
        rows.append(
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
            ]
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
        child = (today - born).days < 18 * 365
        code, diag = rng.choice(CHILD_DIAGNOSES if child else SERIOUS_DIAGNOSES)
        total = Decimal(rng.randint(20000, 90000))
        settle(id_number, name, _day_in(rng, today, 330), code, diag, total, total * Decimal("0.25"))
    for _ in range(300):
        total = Decimal(rng.randint(100, 5000))
        code, diag = rng.choice(COMMON_DIAGNOSES)
        settle(_stranger_id(rng), "", _day_in(rng, today, 360), code, diag, total, total * Decimal("0.3"))
    # What spreadsheets and old systems do to files: a few damaged rows.
    sample = rows[:6]
    damaged = [list(r) for r in sample]
    damaged[0][1] = "1.30921E+17"  # ID turned into a number by Excel
    damaged[1][1] = damaged[1][1][:17] + ("0" if damaged[1][1][17] != "0" else "1")  # check digit
    damaged[2][3] = "2025/13/45"  # no such date
    damaged[3][8] = "-120.00"  # negative amount
    damaged[4][5] = "急诊"  # not an allowed visit type
    damaged[5][3] = (today + timedelta(days=30)).isoformat()  # in the future
    for i, row in enumerate(damaged):
        row[0] = f"JSX{i:06d}"
    return rows + damaged


def _write_csv(path: Path, header: list[str], rows: list[list[str]], encoding: str) -> None:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows([header, *rows])
    path.write_bytes(buffer.getvalue().encode(encoding))


def write_roster_file(directory: Path, rows: list[list[str]]) -> Path:
    """The civil-affairs roster export (UTF-8 with a BOM) of `rows`, in ROSTER_HEADER's order."""
    path = directory / "低收入人口名册.csv"
    _write_csv(path, ROSTER_HEADER, rows, "utf-8-sig")
    return path


def write_demo_feeds(directory: Path, *, today: date, seed: int = 2025) -> list[DemoFile]:
    """Write one file per department category about the demo population into `directory`."""
    rng = random.Random(seed)
    people = _person_sample(rng)
    directory.mkdir(parents=True, exist_ok=True)
    files = []

    medical = directory / "医保结算明细.csv"
    header = [
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
    _write_csv(medical, header, _medical_rows(rng, people, today), "gb18030")  # Excel on Windows
    files.append(DemoFile(FeedCategory.MEDICAL_SETTLEMENT, medical))

    diagnosis = directory / "疾病诊断.csv"
    rows = []
    for i, (id_number, name, _born) in enumerate(people[200:260]):
        code, diag = rng.choice(SERIOUS_DIAGNOSES + COMMON_DIAGNOSES)
        rows.append(
            [
                f"BA{i:06d}",
                id_number,
                name,
                _day_in(rng, today, 120).isoformat(),
                rng.choice(HOSPITALS),
                code,
                diag,
            ]
        )
    for row in rows[:3]:
        row[2] = row[2][0] + "某某"  # the hospital wrote a different name: a name-check warning
    rows.append(
        ["BA999999", "13092119800517", "王五", "2025-01-01", "沧县医院", "C34.9", "肺癌"]
    )  # ID too short
    _write_csv(
        diagnosis,
        ["记录编号", "身份证号", "姓名", "诊断日期", "医疗机构", "诊断编码", "诊断名称"],
        rows,
        "utf-8-sig",
    )
    files.append(DemoFile(FeedCategory.DIAGNOSIS, diagnosis))

    unemployment = directory / "失业登记.csv"
    rows = []
    for i, (id_number, name, born) in enumerate(people[300:480]):
        if (today - born).days < 18 * 365:
            continue
        status = rng.choice(["登记失业", "登记失业", "登记失业", "已就业"])
        registered = _day_in(rng, today, 330)
        ended = (registered + timedelta(days=rng.randint(10, 60))).isoformat() if status == "已就业" else ""
        if ended and ended > today.isoformat():
            ended = today.isoformat()
        rows.append([f"SY1309{i:08d}", id_number, name, registered.isoformat(), status, ended])
    rows.append(["SY130999999999", people[0][0], people[0][1], "2025-02-30", "登记失业", ""])  # no such date
    _write_csv(
        unemployment, ["登记编号", "身份证号", "姓名", "失业登记日期", "登记状态", "注销日期"], rows, "utf-8"
    )
    files.append(DemoFile(FeedCategory.UNEMPLOYMENT_REGISTRATION, unemployment))

    disability = directory / "残疾人证.xlsx"
    book = Workbook(write_only=True)
    sheet = book.create_sheet("残疾人证")
    sheet.append(["残疾人证号", "身份证号", "姓名", "残疾类别", "残疾等级", "发证日期", "证件状态"])
    for id_number, name, _born in people[500:620]:
        kind, grade = rng.randint(1, 7), rng.choice([1, 2, 2, 3, 4])
        status = "注销" if rng.random() < 0.05 else "有效"
        sheet.append(
            [
                f"{id_number}{kind}{grade}",
                id_number,
                name,
                ["视力", "听力", "言语", "肢体", "智力", "精神", "多重"][kind - 1],
                ["一级", "二级", "三级", "四级"][grade - 1],
                _day_in(rng, today, 330),  # a native date cell
                status,
            ]
        )
    sheet.append(
        [f"{people[1][0]}45", people[1][0], people[1][1], "肢体", "五级", today - timedelta(days=3), "有效"]
    )
    book.save(disability)
    files.append(DemoFile(FeedCategory.DISABILITY_CERTIFICATE, disability))
    return files
