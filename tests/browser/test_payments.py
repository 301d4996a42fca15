"""Issue 16 in the browser: a county supervisor generates November's roll, reviews and locks it,
imports the bank's return file with two failed lines, reads the accounting, and then finds the two
failures on those households' pages. (The roll pages are the payment-rolls part's.)"""

from datetime import date

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.conftest import VILLAGE_A, VILLAGE_B, beijing

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOVEMBER = date(2026, 11, 1)


def test_a_supervisor_locks_novembers_roll_and_imports_the_banks_return_file(
    pinned_clock, page, login, screenshot, tmp_path, settings, county_supervisor, caseworker_a
):
    from assistance.models import PaymentAccount, PaymentLine, PaymentRoll
    from households.models import Relation
    from tests.assistance.case_factories import family
    from tests.assistance.grant_factories import grant_for
    from tests.assistance.roll_factories import return_csv, return_row

    settings.MEDIA_ROOT = tmp_path / "media"
    pinned_clock.move_to(beijing("2026-11-26 09:30"))
    households = [family(VILLAGE_A if k % 2 == 0 else VILLAGE_B, head=f"发放户{k}") for k in range(4)]
    for k, household in enumerate(households):
        grant_for(caseworker_a, household, start_month=NOVEMBER, approved_on=date(2026, 10, 20))
        head = household.members.get(relation=Relation.HEAD)
        PaymentAccount.objects.create(
            person=head,
            kind="bank",
            bank_name="沧县农商银行",
            account_no=f"62170000{k:08d}",
            updated_by=caseworker_a,
        )

    # 资金发放: generate November's roll of 沧县, review it, lock it
    login(county_supervisor)
    page.goto(reverse("assistance:roll_list"))
    page.select_option("#roll-compute select[name=county]", "130921")
    page.fill("#roll-compute input[name=month]", "2026-11")
    page.click("#roll-compute button:has-text('生成花名册')")
    roll = PaymentRoll.objects.get(county_id="130921", month=NOVEMBER)
    page.wait_for_url(f"**{reverse('assistance:roll_detail', args=[roll.pk])}")
    expect(page.locator("#summary-lines")).to_have_text("4")
    screenshot("payments-roll-draft")
    page.click("#roll-lock button:has-text('锁定花名册')")
    expect(page.locator("#roll-status")).to_have_text("已锁定")

    # the bank's return file: two of the four lines failed
    lines = list(PaymentLine.objects.filter(roll=roll).select_related("recipient").order_by("pk"))
    assert len(lines) == 4
    rows = [
        return_row(lines[0]),
        return_row(lines[1], "发放失败", reason="账户已销户", day="2026-11-25"),
        return_row(lines[2]),
        return_row(lines[3], "失败", reason="户名不符", day="2026-11-25"),
    ]
    path = tmp_path / "沧县2026年11月发放回盘.csv"
    path.write_bytes(return_csv(rows, encoding="gbk"))
    page.click("#roll-return")
    page.set_input_files("#return-upload input[type=file]", str(path))
    page.click("#return-upload button[type=submit]")
    expect(page.locator("#return-sum")).to_contain_text(
        "已发放 2 + 发放失败 2 + 资金退回 0 + 未能对应 0 + 重复 0 + 拒绝 0 = 4 行"
    )
    screenshot("payments-bank-return")

    # the two failures, on the failures list and on each household's page
    page.click("text=查看发放失败待补发的明细")
    expect(page.locator("#failure-table tr[data-line]")).to_have_count(2)
    for line, note in ((lines[1], "账户已销户"), (lines[3], "户名不符")):
        page.goto(reverse("households:detail", args=[line.household_id]))
        row = page.locator(f"#household-payments tr[data-line='{line.pk}']")
        expect(row).to_have_class("table-danger")
        expect(row).to_contain_text("发放失败")
        expect(row).to_contain_text(note)
        expect(page.locator("#household-accounts")).to_contain_text(line.account_no[:4] + "********")
    screenshot("payments-household-failure")
    page.goto(reverse("households:detail", args=[lines[0].household_id]))
    expect(page.locator(f"#household-payments tr[data-line='{lines[0].pk}']")).to_contain_text("已发放")
