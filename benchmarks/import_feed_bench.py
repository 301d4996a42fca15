"""Department feed import: `import_feed` end to end on a 1,000,000-row medical_settlement CSV.

    .venv/bin/python benchmarks/import_feed_bench.py [--rows 1000000] [--sample 50000] [--db jz_imports_bench]

Creates the benchmark database (dropped again at the end unless --keep), migrates it, generates
the CSV into benchmarks/data/ (git-ignored; Chinese headers, UTF-8 with BOM, CRLF, ~0.5 % messy
rows that must be rejected), then times, each in a child process:
1. `manage.py import_feed medical_settlement <file>` on the empty table (wall time, rows/s and
   the child's peak RSS from wait4);
2. the same rows re-sent in a different file (every row a duplicate: the merge's compare path);
3. a django-import-export ModelResource in bulk mode (`use_bulk=True`, batch_size 1,000) on the
   first `--sample` rows, for comparison;
4. with --floor, what PostgreSQL alone needs to write the loaded rows, already clean and typed,
   into tables of the feed table's shape (see `floor`): the lower bound of any loader that keeps
   the rows in this table.
"""

import argparse
import os
import random
import shutil
import subprocess
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "benchmarks" / "data"
PYTHON = str(ROOT / ".venv" / "bin" / "python")
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
HEADER = (
    "结算流水号,身份证号,姓名,结算日期,定点医疗机构,就诊类型,主诊断编码,主诊断名称,"
    "医疗费用总额（元）,统筹基金支付,大病保险支付,医疗救助支付,个人负担"
)
INSTITUTIONS = [
    "沧州市人民医院",
    "沧州市中心医院",
    "沧县医院",
    "河间市人民医院",
    "任丘市人民医院",
    "黄骅市人民医院",
]
VISITS = ["住院", "门诊", "门诊慢特病", "药店购药"]
DIAGNOSES = [
    ("C34.901", "肺恶性肿瘤"),
    ("I10.x00", "高血压"),
    ("E11.900", "2型糖尿病"),
    ("N18.500", "慢性肾脏病5期"),
    ("J18.900", "肺炎"),
]
COUNTIES = [
    "130902",
    "130903",
    "130921",
    "130922",
    "130923",
    "130924",
    "130925",
    "130926",
    "130927",
    "130928",
]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英"


def id18(first17: str) -> str:
    return first17 + "10X98765432"[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]


def generate(path: Path, rows: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    people = []
    for i in range(max(rows // 5, 1)):
        born = date(1930, 1, 1) + timedelta(days=rng.randrange(0, 365 * 80))
        people.append(
            (
                id18(f"{rng.choice(COUNTIES)}{born:%Y%m%d}{i % 1000:03d}"),
                rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
            )
        )
    start = date(2025, 1, 1)
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        out.write(HEADER + "\r\n")
        for n in range(rows):
            pid, name = people[rng.randrange(len(people))]
            code, diag = DIAGNOSES[rng.randrange(len(DIAGNOSES))]
            total = rng.randrange(5000, 5_000_000) / 100
            fund = round(total * 0.6, 2)
            serious = round(total * 0.1, 2) if total > 20000 else 0
            assist = round(total * 0.1, 2)
            self_paid = round(total - fund - serious - assist, 2)
            day = start + timedelta(days=rng.randrange(0, 300))
            settle = f"{day:%Y-%m-%d}"
            r = n % 200
            if r == 7:
                pid = f"{pid[0]}.{pid[1:6]}E+17"  # spreadsheet-damaged
            elif r == 61:
                settle = f"{day:%Y}-13-01"
            elif r == 113:
                total, self_paid = -total, 0
            out.write(
                f"MS{n:09d},{pid},{name},{settle},{INSTITUTIONS[n % 6]},{VISITS[n % 4]},{code},{diag},"
                f'"{total:,.2f}",{fund:.2f},{serious:.2f},{assist:.2f},{self_paid:.2f}\r\n'
            )


def psql_argv(db: str, sql: str) -> list[str]:
    """The psql command line that runs `sql` in `db` on the machine's server."""
    return ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", db, "-qAtc", sql]


def psql(db: str, sql: str) -> None:
    subprocess.run(psql_argv(db, sql), check=True)


def run_child(args: list[str], env: dict) -> tuple[float, int, str]:
    """Run a child; return (wall seconds, peak RSS in MB, stdout)."""
    started = time.monotonic()
    proc = subprocess.Popen(
        args, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.monotonic() - started
    out += f"\n(child process CPU: user {usage.ru_utime:.1f} s, system {usage.ru_stime:.1f} s)"
    if proc.returncode:
        raise SystemExit(f"child failed ({proc.returncode}):\n{out}")
    return seconds, usage.ru_maxrss // 1024, out


IMPORT_EXPORT_CHILD = """
import sys, time, tablib, django
django.setup()
from import_export import resources, fields, widgets
from imports.models import MedicalSettlement, ImportBatch, Department
from imports.specs import get_spec

spec = get_spec("medical_settlement")
batch = ImportBatch.objects.create(category="medical_settlement", department=Department.objects.get(code="healthcare_security"),
                                   file_name="sample.csv", sha256="bench-import-export", status="failed")

class SettlementResource(resources.ModelResource):
    class Meta:
        model = MedicalSettlement
        import_id_fields = ("settlement_id",)
        fields = tuple(f.name for f in spec.fields) + ("batch",)
        use_bulk = True
        batch_size = 1000
        skip_unchanged = True
        skip_diff = True

labels = {f.label: f.name for f in spec.fields}
with open(sys.argv[1], encoding="utf-8-sig") as fh:
    data = tablib.Dataset().load(fh.read(), format="csv")
data.headers = [labels.get(h.replace("（元）", ""), h) for h in data.headers]
for money in ("total_cost",):
    idx = data.headers.index(money)
    data = tablib.Dataset(*[tuple(c.replace(",", "") if i == idx else c for i, c in enumerate(row)) for row in data], headers=data.headers)
data.append_col([batch.pk] * len(data), header="batch")
started = time.monotonic()
result = SettlementResource().import_data(data, dry_run=False, use_transactions=True, collect_failed_rows=True)
seconds = time.monotonic() - started
print(f"rows={len(data)} seconds={seconds:.2f} rows_per_s={len(data) / seconds:.0f} "
      f"errors={len(result.row_errors())} invalid={len(result.invalid_rows)} "
      f"in_table={MedicalSettlement.objects.count()}")
"""


FLOOR_TABLES = {
    # name: (CREATE statement, index statements run after the COPY)
    "bare": ("CREATE TABLE jz_floor (LIKE imports_medicalsettlement INCLUDING DEFAULTS)", []),
    "feed table shape": (
        "CREATE TABLE jz_floor (LIKE imports_medicalsettlement INCLUDING ALL); "
        "ALTER TABLE jz_floor ADD FOREIGN KEY (batch_id) REFERENCES imports_importbatch (id) "
        "DEFERRABLE INITIALLY DEFERRED",
        [],
    ),
    "bare, then its indexes built": (
        "CREATE TABLE jz_floor (LIKE imports_medicalsettlement INCLUDING DEFAULTS)",
        [
            "SET maintenance_work_mem = '512MB'; ALTER TABLE jz_floor ADD PRIMARY KEY (id); "
            "CREATE UNIQUE INDEX ON jz_floor (settlement_id); "
            "CREATE INDEX ON jz_floor (id_number, settle_date) INCLUDE (self_paid, diagnosis_code, id); "
            "CREATE INDEX ON jz_floor (batch_id)"
        ],
    ),
}


def floor(db: str) -> None:
    """Time COPY of the stored rows (clean, typed; no validation, no merge) into fresh tables, with
    one backend and with two in parallel (one per core): what writing the rows alone costs."""
    rows_file = DATA / "floor_rows.csv"
    psql(db, f"\\copy (SELECT * FROM imports_medicalsettlement) TO '{rows_file}' (FORMAT csv)")
    lines = rows_file.read_bytes().splitlines(keepends=True)
    halves = [DATA / "floor_rows_0.csv", DATA / "floor_rows_1.csv"]
    halves[0].write_bytes(b"".join(lines[: len(lines) // 2]))
    halves[1].write_bytes(b"".join(lines[len(lines) // 2 :]))
    rows = len(lines)
    del lines
    print(f"\n== floor: COPY of {rows:,} stored rows (clean and typed) into fresh tables")
    try:
        for name, (create, after) in FLOOR_TABLES.items():
            for files in ([rows_file], halves):
                psql(db, "DROP TABLE IF EXISTS jz_floor")
                psql(db, create)
                started = time.monotonic()
                copies = [
                    subprocess.Popen(psql_argv(db, f"\\copy jz_floor FROM '{f}' (FORMAT csv)")) for f in files
                ]
                if any(c.wait() for c in copies):
                    raise SystemExit("floor COPY failed")
                for sql in after:
                    psql(db, sql)
                seconds = time.monotonic() - started
                print(f"{name:30s} {len(files)} backend(s): {seconds:5.1f} s = {rows / seconds:9,.0f} rows/s")
    finally:
        psql(db, "DROP TABLE IF EXISTS jz_floor")
        for f in (rows_file, *halves):
            f.unlink(missing_ok=True)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--sample", type=int, default=50_000)
    parser.add_argument("--db", default="jz_imports_bench")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--skip-import-export", action="store_true", help="time import_feed only")
    parser.add_argument("--floor", action="store_true", help="also time COPY of the stored rows alone")
    args = parser.parse_args()

    DATA.mkdir(exist_ok=True)
    path = DATA / f"medical_settlement_{args.rows}.csv"
    if not path.exists():
        t = time.monotonic()
        generate(path, args.rows)
        print(
            f"generated {path.name}: {args.rows:,} rows, {path.stat().st_size / 1e6:.0f} MB in {time.monotonic() - t:.0f} s"
        )
    resent = DATA / f"medical_settlement_{args.rows}_resent.csv"
    if not resent.exists():
        resent.write_bytes(path.read_bytes().replace(b"\r\n", b"\n"))  # same rows, other bytes
    sample = DATA / f"medical_settlement_{args.sample}_sample.csv"
    with path.open(encoding="utf-8-sig") as src, sample.open("w", encoding="utf-8-sig") as dst:
        # Only the clean rows: one invalid row makes django-import-export roll back the whole import.
        for i, line in enumerate(src):
            if i > args.sample:
                break
            if i == 0 or (i - 1) % 200 not in (7, 61, 113):
                dst.write(line)

    media = DATA / "media"
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{args.db}",
        "CONN_MAX_AGE": "0",
        "MEDIA_ROOT": str(media),
    }
    env.pop("REDIS_URL", None)
    psql("postgres", f"DROP DATABASE IF EXISTS {args.db}")
    psql("postgres", f"CREATE DATABASE {args.db}")
    try:
        run_child([PYTHON, "manage.py", "migrate", "-v0"], env)
        print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        for label, file in (
            ("first load (empty table)", path),
            ("same rows re-sent (all duplicates)", resent),
        ):
            seconds, rss, out = run_child(
                [PYTHON, "manage.py", "import_feed", "medical_settlement", str(file), "--verbosity", "2"], env
            )
            print(f"\n== import_feed, {label}: {args.rows:,} rows, {file.stat().st_size / 1e6:.0f} MB")
            print(out.strip())
            print(
                f"wall {seconds:.1f} s (incl. Python start-up), {args.rows / seconds:,.0f} rows/s, peak RSS {rss} MB"
            )
            print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        if args.floor:
            floor(args.db)
        if args.skip_import_export:
            return
        psql(args.db, "TRUNCATE imports_medicalsettlement, imports_feedrecordchange")
        seconds, rss, out = run_child(
            [PYTHON, "-c", IMPORT_EXPORT_CHILD, str(sample)],
            {**env, "DJANGO_SETTINGS_MODULE": "config.settings", "PYTHONPATH": str(ROOT)},
        )
        print(
            f"\n== django-import-export (bulk mode) on {args.sample:,} rows: {out.strip()}  (child wall {seconds:.1f} s, peak RSS {rss} MB)"
        )
        print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    finally:
        shutil.rmtree(media, ignore_errors=True)
        if not args.keep:
            psql("postgres", f"DROP DATABASE IF EXISTS {args.db} WITH (FORCE)")


if __name__ == "__main__":
    main()
