"""The monthly list to medical insurance (FEEDS.md "Outbound", DOMAIN.md "Monthly lists").

What a month's list holds: every person whose monitoring record changed in the month (by the
history's `changed_at`, Beijing month bounds) and whose state at the end of the month differs from
their state at its start in a way the bureau acts on. Per person the month's first history row
gives the state before (its `before`), the last one the state after (its `after`):
- 新增: after is active and before was none, not active, or another category; the category is
  after's, the effective date after's `since` (a change of category is one 新增 row in the new one);
- 退出: before was active and after is not; the category is before's, the effective date after's
  `exit_date`.
A person who came and went within the month (not monitored at its start nor at its end) is on
neither list: the list reports the change between the month's start and its end, and for them
there is none. The same holds for a person who left and came back in the same category.

The person's region is the one the month's last `after` names (where they lived at the end of the
month or when they left): it decides the list (city, or county) and fills 区划代码. ID number and
name are the person's current ones, so a corrected name makes the month's list a new version.

The file is CSV, UTF-8 with BOM, CRLF line ends, rows in a fixed order; its SHA-256 decides
whether producing a month again is a new version. The xlsx is built from the stored CSV on
download, with fixed timestamps, so its bytes too depend only on the version.
"""

import csv
import hashlib
import io
import zipfile
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from assistance.errors import AssistanceError
from assistance.models import ExchangeStatus, MedicalInsuranceList
from assistance.services.grants import first_of_month, next_month, previous_month
from households import clock
from households.models import Region, RegionLevel

# The file's columns and words are the exchange format agreed with the bureau, not UI text: they
# stay Chinese whatever the user's language.
COLUMNS = ("身份证号", "姓名", "区划代码", "人员类别", "变动类型", "生效日期", "资助参保类别")
NEW, EXIT = "新增", "退出"
CATEGORY_WORDS = {
    "dibao": "低保",
    "tekun": "特困",
    "dibao_edge": "低保边缘",
    "rigid_expense": "刚性支出困难",
    "relapse_watch": "防止返贫监测",
    "other_low_income": "其他低收入",
}

# One set-based pass over the month's history rows.
LIST_SQL = """
WITH month AS (
    SELECT h.record_id,
           (array_agg(h.before ORDER BY h.changed_at, h.id))[1] AS b,
           (array_agg(h.after ORDER BY h.changed_at DESC, h.id DESC))[1] AS a
      FROM monitoring_monitoringrecordhistory h
     WHERE h.changed_at >= %(start)s AND h.changed_at < %(end)s
     GROUP BY h.record_id
),
rows AS (
    SELECT m.record_id, m.a ->> 'region_code' AS region_code,
           CASE WHEN m.a ->> 'status' = 'active'
                     AND (m.b IS NULL OR m.b ->> 'status' IS DISTINCT FROM 'active'
                          OR m.b ->> 'category' IS DISTINCT FROM m.a ->> 'category') THEN 'new'
                WHEN m.b ->> 'status' = 'active' AND m.a ->> 'status' IS DISTINCT FROM 'active' THEN 'exit'
           END AS change,
           CASE WHEN m.a ->> 'status' = 'active' THEN m.a ->> 'category' ELSE m.b ->> 'category' END AS category,
           CASE WHEN m.a ->> 'status' = 'active' THEN m.a ->> 'since' ELSE m.a ->> 'exit_date' END AS effective
      FROM month m
)
SELECT p.id_number, p.name, r.region_code, r.category, r.change, r.effective, p.id
  FROM rows r
  JOIN monitoring_monitoringrecord rec ON rec.id = r.record_id
  JOIN households_person p ON p.id = rec.person_id
 WHERE r.change IS NOT NULL AND r.region_code LIKE %(prefix)s
 ORDER BY r.region_code, r.change = 'exit', p.id_number, p.id
"""


@dataclass(frozen=True)
class ListRow:
    id_number: str
    name: str
    region_code: str
    category: str  # the monitoring category code
    change: str  # "new" or "exit"
    effective: str  # YYYY-MM-DD
    person_id: int

    def cells(self) -> list[str]:
        subsidy = settings.MEDICAL_LIST_SUBSIDY_CLASS.get(self.category, "")
        return [
            self.id_number,
            self.name,
            self.region_code,
            CATEGORY_WORDS.get(self.category, self.category),
            NEW if self.change == "new" else EXIT,
            self.effective,
            subsidy,
        ]


def list_rows(*, period: date, region_code: str) -> list[ListRow]:
    """The month's rows for the region (see the module docstring), in the file's order."""
    region = Region.objects.get(code=region_code)
    params = {
        "start": clock.at(period),
        "end": clock.at(next_month(period)),
        "prefix": region.prefix + "%",
    }
    with connection.cursor() as cursor:
        cursor.execute(LIST_SQL, params)
        return [ListRow(*row) for row in cursor.fetchall()]


def csv_bytes(rows: list[ListRow]) -> bytes:
    """The file: UTF-8 with BOM, CRLF line ends, every cell as text."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows(row.cells() for row in rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def csv_rows(content: bytes) -> list[list[str]]:
    """The stored file's rows (header first)."""
    return list(csv.reader(io.StringIO(bytes(content).decode("utf-8-sig"), newline="")))


def xlsx_bytes(medical_list: MedicalInsuranceList) -> bytes:
    """The version's CSV as an .xlsx workbook, byte-for-byte the same at every download: the
    workbook's properties and every zip entry carry the period's first day, not the time of writing."""
    from openpyxl import Workbook
    from openpyxl.writer.excel import ExcelWriter

    fixed = datetime(medical_list.period.year, medical_list.period.month, 1)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "名单"
    for row in csv_rows(medical_list.csv_content):
        sheet.append(row)  # every cell a string: an ID number never becomes a float
    workbook.properties.creator = "救助监测"
    workbook.properties.created = workbook.properties.modified = fixed
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(workbook, archive).save()  # (not openpyxl's save: it stamps `modified` with now)
    fixed_zip = io.BytesIO()
    with zipfile.ZipFile(raw) as source, zipfile.ZipFile(fixed_zip, "w", zipfile.ZIP_DEFLATED) as target:
        for info in sorted(source.infolist(), key=lambda i: i.filename):
            entry = zipfile.ZipInfo(info.filename, date_time=fixed.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            target.writestr(entry, source.read(info.filename))
    return fixed_zip.getvalue()


def _lock(period: date, region_code: str) -> None:
    """One producer at a time per (period, region): the version number is read, then written."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(hashtext(%s))", [f"medical_list:{region_code}:{period.isoformat()}"]
        )


def _check_period(period: date) -> None:
    if period.day != 1:
        raise AssistanceError(_("名单的所属月份须为某月1日。"))
    if period >= first_of_month(clock.today()):
        raise AssistanceError(
            _("只能生成已经结束的月份的名单：%(month)s尚未结束。")
            % {"month": f"{period.year}年{period.month}月"}
        )


@transaction.atomic
def medical_list_produce(*, period: date, region_code: str, actor=None) -> tuple[MedicalInsuranceList, bool]:
    """The list of `period` (a month's first day, an ended month) for `region_code` (the city, or
    a county when MEDICAL_LIST_PER_COUNTY: `list_regions`). Returns the latest version and False when the file would be the same bytes; else a
    new version (version + 1, earlier ones superseded) and True. `actor` None: the monthly task."""
    _check_period(period)
    region = next((r for r in list_regions() if r.code == region_code), None)
    if region is None:
        if settings.MEDICAL_LIST_PER_COUNTY:
            message = _("名单按县（市、区）生成，区划代码 %(code)s 不是本市的县（市、区）。")
        else:
            message = _("名单按全市生成（区划代码 %(city)s），不是 %(code)s。")
        raise AssistanceError(message % {"code": region_code, "city": settings.CITY_REGION_CODE})
    _lock(period, region_code)
    rows = list_rows(period=period, region_code=region_code)
    content = csv_bytes(rows)
    digest = hashlib.sha256(content).hexdigest()
    versions = MedicalInsuranceList.objects.filter(period=period, region=region)
    latest = versions.order_by("-version").first()
    if latest is not None and latest.sha256 == digest:
        return latest, False
    versions.exclude(status=ExchangeStatus.SUPERSEDED).update(status=ExchangeStatus.SUPERSEDED)
    created = MedicalInsuranceList.objects.create(
        period=period,
        region=region,
        version=(latest.version + 1) if latest else 1,
        rows_new=sum(1 for r in rows if r.change == "new"),
        rows_exit=sum(1 for r in rows if r.change == "exit"),
        csv_content=content,
        sha256=digest,
        produced_at=clock.now(),
        produced_by=actor,
    )
    return created, True


def list_regions() -> list[Region]:
    """The regions lists are made for: the city, or each of its counties (MEDICAL_LIST_PER_COUNTY)."""
    city = Region.objects.get(code=settings.CITY_REGION_CODE)
    if not settings.MEDICAL_LIST_PER_COUNTY:
        return [city]
    return list(
        Region.objects.filter(level=RegionLevel.COUNTY, code__startswith=city.prefix).order_by("code")
    )


def medical_lists_produce_monthly(*, today: date) -> int:
    """The monthly job: the previous month's list of every list region; how many new versions."""
    period = previous_month(today)
    return sum(medical_list_produce(period=period, region_code=r.code)[1] for r in list_regions())


def _get_for_update(list_id: int) -> MedicalInsuranceList:
    medical_list = MedicalInsuranceList.objects.select_for_update().filter(pk=list_id).first()
    if medical_list is None:
        raise AssistanceError(_("名单不存在。"))
    if medical_list.status == ExchangeStatus.SUPERSEDED:
        raise AssistanceError(
            _("第%(version)s版已被新版本取代，请报送最新版本。") % {"version": medical_list.version}
        )
    return medical_list


@transaction.atomic
def medical_list_send(*, actor, list_id: int) -> MedicalInsuranceList:
    """Record that this version went to the medical-insurance bureau (who, when); once only."""
    medical_list = _get_for_update(list_id)
    if medical_list.status != ExchangeStatus.PRODUCED:
        when = timezone.localtime(medical_list.sent_at).strftime("%Y-%m-%d")
        raise AssistanceError(_("该名单已于%(when)s报送，不能重复报送。") % {"when": when})
    medical_list.status = ExchangeStatus.SENT
    medical_list.sent_at = clock.now()
    medical_list.sent_by = actor
    medical_list.save(update_fields=["status", "sent_at", "sent_by"])
    return medical_list


@transaction.atomic
def medical_list_acknowledge(*, actor, list_id: int, note: str, on: date) -> MedicalInsuranceList:
    """Record the bureau's acknowledgement of a sent version: its note and date, who recorded it, when."""
    medical_list = _get_for_update(list_id)
    note = (note or "").strip()
    if medical_list.status == ExchangeStatus.PRODUCED:
        raise AssistanceError(_("名单尚未报送，报送后才能登记对方确认。"))
    if medical_list.status == ExchangeStatus.ACKNOWLEDGED:
        raise AssistanceError(_("该名单已登记过对方确认，不能重复登记。"))
    if not note:
        raise AssistanceError(_("请填写对方确认说明（如回执编号、接收人）。"))
    if len(note) > 200:
        raise AssistanceError(_("对方确认说明最多200字。"))
    sent_on = timezone.localdate(medical_list.sent_at)
    if not sent_on <= on <= clock.today():
        raise AssistanceError(
            _("确认日期须在报送日期（%(sent)s）与今天之间。") % {"sent": sent_on.isoformat()}
        )
    medical_list.status = ExchangeStatus.ACKNOWLEDGED
    medical_list.acknowledgement = note
    medical_list.acknowledged_on = on
    medical_list.acknowledged_at = clock.now()
    medical_list.acknowledged_by = actor
    medical_list.save(
        update_fields=["status", "acknowledgement", "acknowledged_on", "acknowledged_at", "acknowledged_by"]
    )
    return medical_list
