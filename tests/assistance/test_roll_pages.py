"""Roll pages: list, compute, detail (masked), lock, the finance export (full, logged), accounts."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from assistance.models import PaymentAccount, PaymentAdjustment, PaymentRoll
from assistance.services.rolls import account_set, roll_compute, roll_lock
from households.models import Role
from households.readlog.models import ReadAction, ReadLogEntry
from tests.assistance.case_factories import family
from tests.assistance.grant_factories import grant_for
from tests.conftest import OTHER_COUNTY_VILLAGE, TOWN_A, VILLAGE_B
from tests.factories import UserFactory, region

pytestmark = pytest.mark.django_db

MAR = date(2027, 3, 1)
ACCOUNT = "6217000012345678"


@pytest.fixture
def grants(caseworker_a, county_supervisor):
    a = grant_for(caseworker_a, start_month=MAR, amount="600.00")
    b = grant_for(caseworker_a, family(VILLAGE_B, head="李四"), start_month=MAR, amount="400.00")
    for g in (a, b):
        account_set(
            actor=county_supervisor,
            person=g.application.applicant,
            kind="bank",
            bank_name="农行",
            account_no=ACCOUNT,
        )
    return a, b


def locked_roll(actor):
    roll = roll_compute(actor=actor, county_code="130921", month=MAR)
    return roll_lock(actor=actor, roll_id=roll.pk, lock_version=roll.lock_version)


def test_list_and_compute(client_for, county_supervisor, grants):
    client = client_for(county_supervisor)
    page = client.get(reverse("assistance:roll_list")).content.decode()
    assert 'id="roll-compute"' in page and "生成花名册" in page and 'name="month"' in page
    assert '<option value="130921">' in page and "130984" not in page
    response = client.post(reverse("assistance:roll_compute"), {"county": "130921", "month": "2027-03"})
    roll = PaymentRoll.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "assistance:roll_detail", args=[roll.pk]
    )
    assert roll.line_count == 2 and roll.total == Decimal("1000.00")
    assert "2027-03" in client.get(reverse("assistance:roll_list")).content.decode()
    response = client.post(
        reverse("assistance:roll_compute"), {"county": "130921", "month": "2027/3"}, follow=True
    )
    assert "发放月份应写作" in response.content.decode()


def test_detail_masks_and_locks(client_for, county_supervisor, grants):
    a, _b = grants
    roll = roll_compute(actor=county_supervisor, county_code="130921", month=MAR)
    client = client_for(county_supervisor)
    page = client.get(reverse("assistance:roll_detail", args=[roll.pk])).content.decode()
    person = a.application.applicant
    assert person.masked_id in page and person.id_number not in page
    assert "6217********5678" in page and ACCOUNT not in page
    assert 'id="roll-lock"' in page and "锁定花名册" in page and "重新生成" in page
    assert 'id="summary-total">1000.00<' in page
    client.post(reverse("assistance:roll_lock", args=[roll.pk]), {"lock_version": roll.lock_version})
    roll.refresh_from_db()
    assert roll.status == "locked" and roll.locked_by == county_supervisor
    page = client.get(reverse("assistance:roll_detail", args=[roll.pk])).content.decode()
    assert 'id="roll-lock"' not in page and "roll-export-csv" in page


def test_town_supervisor_sees_own_town_lines_only(client_for, county_supervisor, grants):
    roll = roll_compute(actor=county_supervisor, county_code="130921", month=MAR)
    town_supervisor = UserFactory(username="sup_town", role=Role.SUPERVISOR, scope=region(TOWN_A))
    page = client_for(town_supervisor).get(reverse("assistance:roll_detail", args=[roll.pk])).content.decode()
    assert "王建国" in page and "李四" not in page and 'id="roll-lock"' not in page
    response = client_for(town_supervisor).post(
        reverse("assistance:roll_lock", args=[roll.pk]), {"lock_version": roll.lock_version}
    )
    roll.refresh_from_db()
    assert response.status_code == 302 and roll.status == "draft"


def test_lock_refused_without_account_shows_message(client_for, county_supervisor, caseworker_a):
    grant_for(caseworker_a, start_month=MAR)
    roll = roll_compute(actor=county_supervisor, county_code="130921", month=MAR)
    response = client_for(county_supervisor).post(
        reverse("assistance:roll_lock", args=[roll.pk]), {"lock_version": roll.lock_version}, follow=True
    )
    assert "1 条明细缺少发放账户，请先登记" in response.content.decode()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_full_numbers_and_logged(client_for, county_supervisor, grants, fmt):
    a, _b = grants
    roll = locked_roll(county_supervisor)
    response = client_for(county_supervisor).get(
        reverse("assistance:roll_export", args=[roll.pk]), {"format": fmt}
    )
    assert response.status_code == 200
    if fmt == "csv":
        assert response.content.startswith(b"\xef\xbb\xbf")
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    else:
        sheet = load_workbook(io.BytesIO(response.content)).active
        rows = [[("" if v is None else str(v)) for v in row] for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == ["明细编号", "区划代码", "姓名", "身份证号", "账户类型", "开户银行", "账号",
                       "本月金额", "补发", "补发（此前失败）", "更正", "应发合计"]  # fmt: skip
    line = roll.lines.get(grant=a)
    row = next(r for r in rows if r[0] == str(line.pk))
    assert row[3] == a.application.applicant.id_number and row[6] == ACCOUNT
    assert Decimal(row[11]) == Decimal("600.00")
    entry = ReadLogEntry.objects.get(actions__contains=[ReadAction.DOWNLOAD])
    assert a.application.applicant_id in entry.person_ids and entry.row_count == 2


def test_export_refused_for_draft_and_town_caseworker(client_for, county_supervisor, caseworker_a, grants):
    roll = roll_compute(actor=county_supervisor, county_code="130921", month=MAR)
    url = reverse("assistance:roll_export", args=[roll.pk])
    assert client_for(county_supervisor).get(url).status_code == 302  # not locked yet
    assert client_for(caseworker_a).get(url).status_code == 403
    assert client_for(caseworker_a).get(reverse("assistance:roll_list")).status_code == 403
    assert not ReadLogEntry.objects.filter(actions__contains=[ReadAction.DOWNLOAD]).exists()


def test_out_of_scope_roll_is_404(client_for, city_supervisor, county_supervisor, caseworker_a):
    grant_for(caseworker_a, family(OTHER_COUNTY_VILLAGE), start_month=MAR)
    roll = roll_compute(actor=city_supervisor, county_code="130984", month=MAR)
    client = client_for(county_supervisor)
    for name in ("roll_detail", "roll_export"):
        assert client.get(reverse(f"assistance:{name}", args=[roll.pk])).status_code == 404
    assert (
        client.post(reverse("assistance:roll_lock", args=[roll.pk]), {"lock_version": 1}).status_code == 404
    )
    assert f'data-roll="{roll.pk}"' not in client.get(reverse("assistance:roll_list")).content.decode()
    assert (
        f'data-roll="{roll.pk}"'
        in client_for(city_supervisor).get(reverse("assistance:roll_list")).content.decode()
    )


def test_account_edit(client_for, caseworker_a, caseworker_b, grants):
    person = grants[0].application.applicant
    url = reverse("assistance:account_edit", args=[person.pk])
    page = client_for(caseworker_a).get(url).content.decode()
    assert "6217********5678" in page and ACCOUNT not in page
    response = client_for(caseworker_a).post(url, {"kind": "bank", "bank_name": "建行", "account_no": "12ab"})
    assert response.status_code == 400 and "8 至 32 位数字" in response.content.decode()
    response = client_for(caseworker_a).post(
        url, {"kind": "ss_card", "bank_name": "建行", "account_no": "6227001234567890123"}
    )
    assert response.status_code == 302
    assert PaymentAccount.objects.get(person=person).account_no == "6227001234567890123"
    assert client_for(caseworker_b).get(url).status_code == 404


def test_adjustment_add_page(client_for, county_supervisor, caseworker_a, grants):
    grant = grants[0]
    url = reverse("assistance:adjustment_add", args=[grant.pk])
    assert client_for(caseworker_a).post(url, {"amount": "50", "reason": "少发"}).status_code == 403
    client_for(county_supervisor).post(url, {"amount": "0", "reason": "少发"})
    assert not PaymentAdjustment.objects.exists()
    client_for(county_supervisor).post(url, {"amount": "50.00", "reason": "1月少发"})
    assert PaymentAdjustment.objects.get().amount == Decimal("50.00")
