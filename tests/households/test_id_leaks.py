"""No full resident ID leaves the app, and none can be rebuilt from what one response shows.

A masked ID (130921********6194) hides exactly the eight birth-date digits, so a masked ID beside
the person's birth date (in any spelling) is a full ID. The crawl visits every GET route of the
role × URL matrix, the pages of a few demo-like households (realistic IDs, birth dates spread over
decades) and the downloads (rejected rows CSV, dashboard .xlsx, parsed to text), as every role but
the superuser, with hostile ID spellings planted in feed rows, batch errors and alert evidence.
Rows to correct are left out: they exist to hand the file's full IDs back (FULL_ID_DOWNLOADS).
"""

import html
import io
import re
import unicodedata
from datetime import date

import pytest
from django.urls import resolve, reverse
from openpyxl import load_workbook

from households import idcard
from households.models import Person, Relation
from imports.models import BatchStatus, FeedCategory
from tests.alerts.triage_factories import alert_in
from tests.config.test_url_matrix import ORDER, all_cases
from tests.config.url_world import ROLES, make_world
from tests.conftest import OTHER_COUNTY_VILLAGE, VILLAGE_A
from tests.factories import AlertFactory, HouseholdFactory, MonitoringRecordFactory, PersonFactory, region
from tests.imports.factories import BatchFactory, RejectedRowFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("regions")]

# The one download meant to carry full IDs: rows to correct, which data admins fix and upload
# again (data admins only, every download logged: tests/imports/test_rows_to_correct.py).
# The roll's finance export goes to the bank with full IDs and accounts (supervisors of the
# county, every download logged: issue 16, payment rolls).
FULL_ID_DOWNLOADS = {"imports:batch_rows_to_correct", "assistance:roll_export"}
BIRTH_DATES = [date(1980, 1, 2), date(1957, 11, 23), date(2009, 6, 30), date(1994, 10, 5)]


def _valid_id(area: str, born: date, seq: int) -> str:
    first17 = f"{area}{born:%Y%m%d}{seq:03d}"
    return first17 + idcard.check_char(first17)


def hostile_spellings(id_number: str) -> list[str]:
    """The ways people and spreadsheets write one ID: spaced, dashed, prefixed, full width."""
    a, b, c = id_number[:6], id_number[6:14], id_number[14:]
    full_width = id_number.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))
    return [
        f"{a} {b} {c}",
        f"{a}-{b}-{c}",
        f"ID{id_number}",
        f"SFZ:{id_number}",
        f"身份证号：{a} {b[:4]} {b[4:]} {c}",
        full_width,
        id_number.lower(),
    ]


def plant_demo_data(world) -> list[tuple[int, str]]:
    """Households in and out of the region whose members have varied birth dates, alerts about them,
    and a rejected batch whose rows, error and evidence spell their IDs in hostile ways. Returns the
    extra URLs to visit."""
    urls = []
    seq = 101
    for village in (VILLAGE_A, OTHER_COUNTY_VILLAGE):
        for born in BIRTH_DATES[:2]:
            head_id = _valid_id(village[:6], born, seq)
            household = HouseholdFactory(region=region(village), head_id_number=head_id)
            head = PersonFactory(household=household, id_number=head_id, relation=Relation.HEAD, name="齐天")
            child_id = _valid_id(village[:6], BIRTH_DATES[2], seq + 1)
            PersonFactory(household=household, id_number=child_id, relation=Relation.CHILD, name="齐小")
            seq += 2
            MonitoringRecordFactory(person=head)
            alert = AlertFactory(
                person=head,
                evidence={
                    "summary": f"医保结算 {hostile_spellings(head_id)[0]} 自付 23,410.50 元",
                    "values": {"身份证": hostile_spellings(head_id)[1]},
                    "sources": [],
                },
            )
            urls += [
                reverse("households:detail", args=[household.pk]),
                reverse("alerts:household_alerts", args=[household.pk]),
                reverse("alerts:alert_detail", args=[alert.pk]),
                reverse("admin:households_person_change", args=[head.pk]),
                reverse("admin:households_household_change", args=[household.pk]),
                reverse("admin:alerts_alert_change", args=[alert.pk]),
            ]
    alert_in(VILLAGE_A)  # one more alert, so lists have several rows
    people = list(Person.objects.values_list("id_number", "birth_date"))
    batch = BatchFactory(
        category=FeedCategory.MEDICAL_SETTLEMENT,
        status=BatchStatus.REJECTED,
        loaded=0,
        rejected=len(people),
        error_message=f"第3行身份证号 {hostile_spellings(people[0][0])[2]} 无法识别",
    )
    for n, (id_number, born) in enumerate(people):
        spelling = hostile_spellings(id_number)[n % 7]
        RejectedRowFactory(
            batch=batch,
            message=f"身份证号“{spelling}”校验位不正确",
            raw={
                "结算流水号": f"JS{n:08d}",
                "身份证号": spelling,
                "姓名": "张三",
                "备注": f"另见 {hostile_spellings(id_number)[(n + 3) % 7]}",
                "金额": "23410.50",
                "电话": "13812345678",
                # a file with a birth-date column (past the spec's header): a rebuilt ID if shown
                "出生日期": sorted(date_spellings(born))[n % 9],
            },
        )
    urls += [
        reverse("imports:batch_detail", args=[batch.pk]),
        reverse("imports:batch_rejects_csv", args=[batch.pk]),
        reverse("imports:batch_list"),
        reverse("admin:imports_rejectedrow_changelist") + f"?batch__id__exact={batch.pk}",
        reverse("admin:households_person_changelist"),
        reverse("admin:households_household_changelist"),
        reverse("admin:alerts_alert_changelist"),
        reverse("households:list") + "?q=齐天",
        reverse("alerts:inbox") + "?status=all",
    ]
    urls += [
        reverse("admin:imports_rejectedrow_change", args=[pk])
        for pk in batch.rejected_rows.values_list("pk", flat=True)[:7]
    ]
    return urls


def response_text(response) -> str:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if "spreadsheetml" in response.get("Content-Type", ""):
        book = load_workbook(io.BytesIO(body), read_only=True)
        return "\n".join(
            " ".join("" if v is None else str(v) for v in row)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
        )
    return html.unescape(body.decode("utf-8", errors="replace"))


def date_spellings(born: date) -> set[str]:
    y, m, d = born.year, born.month, born.day
    spellings = {f"{y}{m:02d}{d:02d}", f"{y}年{m}月{d}日", f"{y}年{m:02d}月{d:02d}日"}
    for sep in "-/.":
        spellings |= {f"{y}{sep}{m:02d}{sep}{d:02d}", f"{y}{sep}{m}{sep}{d}"}
    month = born.strftime("%B")
    spellings |= {f"{month} {d}, {y}", f"{month[:3]}. {d}, {y}", f"{d:02d}/{m:02d}/{y}", f"{m}/{d}/{y}"}
    return spellings


def leaks(text: str, people: list[tuple[str, date]]) -> list[str]:
    """Full IDs in the text (in any spelling), and masked IDs shown with their birth date."""
    folded = unicodedata.normalize("NFKC", text).upper()
    compact = re.sub(r"[\s\-_:：.,/]", "", folded)
    found = []
    for id_number, born in people:
        if id_number in compact:
            found.append(f"full ID {idcard.mask(id_number)}")
        elif idcard.mask(id_number) in folded and any(s.upper() in folded for s in date_spellings(born)):
            found.append(f"{idcard.mask(id_number)} beside its birth date {born}")
    return found


def test_the_leak_check_sees_what_it_must():
    """The detector itself: a masked ID with its birth date in any spelling is a leak; either alone,
    or an age, is not."""
    id_number = _valid_id("130921", date(1980, 1, 2), 619)
    people = [(id_number, date(1980, 1, 2))]
    masked = idcard.mask(id_number)
    for spelling in ("1980-01-02", "1980/1/2", "1980年1月2日", "19800102", "1980.01.02", "Jan. 2, 1980"):
        assert leaks(f"<td>{masked}</td><td>{spelling}</td>", people), spelling
    for spelling in hostile_spellings(id_number):
        assert leaks(f"备注：{spelling}。", people), spelling
    assert not leaks(f"<td>{masked}</td><td>46岁</td><td>1980年</td>", people)
    assert not leaks("出生日期 1980-01-02", people)


@pytest.mark.parametrize("role", [r for r in ORDER if r != "A"], ids=[ROLES[r] for r in ORDER if r != "A"])
def test_no_page_or_download_shows_or_rebuilds_a_full_id(role, client):
    world = make_world()
    extra = plant_demo_data(world)
    client.force_login(world.personas[role])
    people = list(Person.objects.values_list("id_number", "birth_date"))
    urls = [url for _label, method, url, _d, _q, *_ in all_cases(world) if method == "GET"]
    queries = {url: query for _label, method, url, _d, query, *_ in all_cases(world) if method == "GET"}
    visited, failures = 0, []
    for url in dict.fromkeys(urls + extra):
        if resolve(url.split("?")[0]).view_name in FULL_ID_DOWNLOADS:
            continue
        response = client.get(url, queries.get(url) or {})
        if response.status_code != 200:
            continue
        visited += 1
        for leak in leaks(response_text(response), people):
            failures.append(f"{url}: {leak}")
    assert visited >= 10, "the crawl saw too few pages to mean anything"
    assert not failures, f"{len(failures)} leaks:\n" + "\n".join(failures)
