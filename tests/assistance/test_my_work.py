"""The "my work" home page: each role's counts count what waits on the user in their region (not
what lies outside it), and each links to a list filtered to show exactly those items."""

import re
from datetime import date, timedelta

import pytest
from django.urls import NoReverseMatch, reverse

from alerts.models import AlertStatus
from alerts.selectors.dashboard import MONTHLY_FEEDS
from assistance.models import (
    Application,
    FollowUp,
    MedicalInsuranceList,
    PaymentLine,
    PaymentRoll,
    Review,
)
from households import clock
from households.models import Role
from imports.models import BatchStatus, FeedCategory, ImportBatch
from tests.alerts.triage_factories import alert_in, overdue_alert_in
from tests.assistance.case_factories import application_at, family
from tests.assistance.followup_factories import line_for, open_followup
from tests.assistance.grant_factories import grant_for
from tests.conftest import OTHER_COUNTY_VILLAGE, TOWN_A, VILLAGE_A, VILLAGE_B, beijing
from tests.factories import UserFactory, region
from tests.imports.factories import BatchFactory

pytestmark = pytest.mark.django_db


def figures(response) -> dict[str, tuple[str, str]]:
    """{figure key: (count shown, link)} of the home page."""
    html = response.content.decode()
    found = {}
    for match in re.finditer(
        r'<(?:a|div) class="card[^"]*"(?: href="([^"]*)")? data-figure="([^"]+)">\s*<div class="card-body[^"]*">\s*'
        r'<div class="[^"]*figure-count[^"]*">([^<]+)</div>',
        html,
    ):
        found[match.group(2)] = (
            match.group(3).strip(),
            match.group(1).replace("&amp;", "&") if match.group(1) else "",
        )
    return found


def url_or_blank(name: str) -> str:
    try:
        return reverse(name)
    except NoReverseMatch:
        return ""


def count(page, key: str) -> str:
    return figures(page)[key][0]


def follow(client, page, key: str) -> str:
    return client.get(figures(page)[key][1]).content.decode()


def test_a_caseworker_sees_their_alerts_overdue_and_due_soon(caseworker_a, caseworker_b, client_for):
    today = clock.today()
    overdue = overdue_alert_in(VILLAGE_A, name="逾期甲", status=AlertStatus.ASSIGNED, assignee=caseworker_a)
    overdue_alert_in(VILLAGE_A, name="别人的", status=AlertStatus.ASSIGNED, assignee=caseworker_b)
    overdue_alert_in(VILLAGE_A, name="无人认领")
    soon = alert_in(
        VILLAGE_A,
        name="将到期",
        status=AlertStatus.ASSIGNED,
        assignee=caseworker_a,
        raised_on=today - timedelta(days=12),
        deadline=today + timedelta(days=3),
    )
    alert_in(
        VILLAGE_A,
        name="还早",
        status=AlertStatus.ASSIGNED,
        assignee=caseworker_a,
        raised_on=today,
        deadline=today + timedelta(days=4),
    )
    client = client_for(caseworker_a)
    page = client.get(reverse("home"))
    assert count(page, "alerts_overdue") == "1"
    assert count(page, "alerts_due_soon") == "1"

    listed = follow(client, page, "alerts_overdue")
    assert overdue.person.name in listed and "别人的" not in listed and "无人认领" not in listed
    listed = follow(client, page, "alerts_due_soon")
    assert soon.person.name in listed and "还早" not in listed and overdue.person.name not in listed


def test_a_caseworker_sees_their_follow_ups_and_reviews(caseworker_a, caseworker_b, client_for):
    mine = open_followup(VILLAGE_A, caseworker_a)
    late = open_followup(VILLAGE_A, caseworker_a, due_on=clock.today() - timedelta(days=2))
    FollowUp.objects.filter(pk__in=[mine.pk, late.pk]).update(assigned_to=caseworker_a)
    theirs = open_followup(VILLAGE_B, caseworker_b)
    FollowUp.objects.filter(pk=theirs.pk).update(assigned_to=caseworker_b)
    grant = grant_for(caseworker_a, start_month=date(2026, 3, 1))
    Review.objects.create(
        grant=grant,
        household=grant.household,
        region_id=grant.region_id,
        reason="scheduled",
        due_on=clock.today() + timedelta(days=20),
        assigned_to=caseworker_a,
    )
    client = client_for(caseworker_a)
    page = client.get(reverse("home"))
    assert count(page, "followups_open") == "2"
    assert count(page, "followups_overdue") == "1"
    assert count(page, "reviews_open") == "1"

    listed = follow(client, page, "followups_open")
    assert f'data-followup="{mine.pk}"' in listed and f'data-followup="{late.pk}"' in listed
    listed = follow(client, page, "followups_overdue")
    assert f'data-followup="{late.pk}"' in listed and f'data-followup="{mine.pk}"' not in listed
    assert count(client_for(caseworker_b).get(reverse("home")), "followups_open") == "1"


def test_a_caseworker_sees_the_applications_at_town_steps(caseworker_a, caseworker_b, client_for):
    at_town = application_at("home_visit", family(VILLAGE_A), caseworker_a)
    application_at("confirm", family(VILLAGE_A), caseworker_a)  # the county's to decide
    application_at("accept", family(VILLAGE_B), caseworker_b)  # another town
    client = client_for(caseworker_a)
    page = client.get(reverse("home"))
    assert count(page, "applications_town") == "1"
    listed = follow(client, page, "applications_town")
    assert f'data-application="{at_town.pk}"' in listed
    assert listed.count("data-application=") == 1


def test_a_county_supervisor_sees_decisions_overdue_work_and_payments(
    caseworker_a, county_supervisor, client_for
):
    out_caseworker = UserFactory(
        username="cw_out", role=Role.CASEWORKER, scope=region(OTHER_COUNTY_VILLAGE[:9])
    )
    confirm = application_at("confirm", family(VILLAGE_A), caseworker_a)
    application_at("confirm", family(OTHER_COUNTY_VILLAGE), out_caseworker)
    town_step = application_at("accept", family(VILLAGE_A), caseworker_a)
    Application.objects.filter(pk=town_step.pk).update(current_due_on=clock.today() - timedelta(days=1))
    late = overdue_alert_in(VILLAGE_B, name="兴济逾期")
    overdue_alert_in(OTHER_COUNTY_VILLAGE, name="河间逾期")
    temp = grant_for(caseworker_a, program_code="temp_expenditure", start_month=date(2027, 2, 1))
    line_for(temp, status="failed")  # to pay again: counted
    # a failure already paid again in a locked roll (January's) is not counted
    locked = PaymentRoll.objects.create(county_id="130921", month=date(2027, 1, 1), computed_at=clock.now())
    paid_again = line_for(grant_for(caseworker_a, start_month=date(2027, 1, 1)), status="paid")
    PaymentRoll.objects.filter(pk=locked.pk).update(
        status="locked", locked_at=clock.now(), locked_by=county_supervisor
    )
    reissued = grant_for(caseworker_a, program_code="temp_emergency", start_month=date(2027, 2, 1))
    PaymentLine.objects.filter(pk=line_for(reissued, status="failed").pk).update(reissued_in=paid_again)
    out_grant = grant_for(
        out_caseworker,
        family(OTHER_COUNTY_VILLAGE),
        program_code="temp_expenditure",
        start_month=date(2027, 2, 1),
    )
    line_for(out_grant, status="returned")
    assert PaymentRoll.objects.filter(status="draft").count() == 2  # 沧县's and 河间市's February
    client = client_for(county_supervisor)
    page = client.get(reverse("home"))
    assert count(page, "applications_county") == "1"
    assert count(page, "alerts_overdue") == "1"
    assert count(page, "applications_overdue") == "1"
    assert count(page, "rolls_draft") == "1"
    assert count(page, "payment_failures") == "1"
    assert locked.pk

    listed = follow(client, page, "applications_county")
    assert f'data-application="{confirm.pk}"' in listed and listed.count("data-application=") == 1
    listed = follow(client, page, "applications_overdue")
    assert f'data-application="{town_step.pk}"' in listed and listed.count("data-application=") == 1
    listed = follow(client, page, "alerts_overdue")
    assert late.person.name in listed and "河间逾期" not in listed
    # the roll and failure pages are other parts' (linked when installed)
    assert figures(page)["payment_failures"][1] in ("", url_or_blank("assistance:payment_failures"))
    assert figures(page)["rolls_draft"][1] in ("", url_or_blank("assistance:roll_list"))


def test_a_city_supervisor_counts_every_county(caseworker_a, city_supervisor, client_for):
    out_caseworker = UserFactory(
        username="cw_out", role=Role.CASEWORKER, scope=region(OTHER_COUNTY_VILLAGE[:9])
    )
    application_at("confirm", family(VILLAGE_A), caseworker_a)
    application_at("confirm", family(OTHER_COUNTY_VILLAGE), out_caseworker)
    assert count(client_for(city_supervisor).get(reverse("home")), "applications_county") == "2"


def test_a_data_admin_sees_feeds_and_lists_due(data_admin, client_for, pinned_clock):
    BatchFactory(status=BatchStatus.FAILED)
    old = BatchFactory(status=BatchStatus.FAILED)
    ImportBatch.objects.filter(pk=old.pk).update(created_at=clock.now() - timedelta(days=8))
    refused = BatchFactory(status=BatchStatus.REJECTED, category=FeedCategory.DIAGNOSIS)
    loaded = BatchFactory(status=BatchStatus.SUCCEEDED, category=FeedCategory.ROSTER, loaded=5)
    client = client_for(data_admin)
    page = client.get(reverse("home"))
    assert count(page, "batches_failed") == "1"
    assert count(page, "batches_rejected") == "1"
    assert count(page, "batches_running") == "0"
    # the roster arrived this month; the bank's return files are not a monthly department feed
    assert count(page, "feeds_missing") == str(len(MONTHLY_FEEDS) - 1)
    assert count(page, "medical_lists_overdue") == "0"  # due by the 5th: today is the 1st
    listed = follow(client, page, "batches_rejected")
    assert refused.file_name in listed and loaded.file_name not in listed

    pinned_clock.move_to(beijing("2027-03-06 09:00"))
    client = client_for(data_admin)  # signed in again: the session went idle meanwhile
    page = client.get(reverse("home"))
    assert count(page, "medical_lists_overdue") == "1"
    assert "2027-02 的名单" in page.content.decode()
    MedicalInsuranceList.objects.create(
        period=date(2027, 2, 1),
        region_id="130900",
        csv_content=b"",
        sha256="0" * 64,
        produced_at=clock.now(),
        status="sent",
        sent_at=clock.now(),
        sent_by=data_admin,
    )
    assert count(client.get(reverse("home")), "medical_lists_overdue") == "0"


def test_a_system_admin_keeps_the_menu_cards(client_for, regions):
    admin = UserFactory(username="sys", role=Role.SYSTEM_ADMIN, scope=region("130900"))
    page = client_for(admin).get(reverse("home")).content.decode()
    assert "我的待办" not in page and 'data-figure="' not in page
    assert reverse("admin:index") in page


def test_out_of_scope_work_is_not_counted_for_a_village_caseworker(caseworker_a, client_for):
    village_worker = UserFactory(username="cw_village", role=Role.CASEWORKER, scope=region(VILLAGE_A))
    application_at("accept", family(VILLAGE_A), caseworker_a)
    application_at("accept", family(TOWN_A + "202"), caseworker_a)  # another village of the town
    assert count(client_for(village_worker).get(reverse("home")), "applications_town") == "1"


def test_a_temporary_aid_above_the_towns_limit_waits_on_the_county(
    caseworker_a, county_supervisor, client_for
):
    big = application_at("confirm", family(VILLAGE_A), caseworker_a, "temp_expenditure")
    Application.objects.filter(pk=big.pk).update(computation={"approval_level": "county"})
    small = application_at("confirm", family(VILLAGE_A), caseworker_a, "temp_expenditure")
    Application.objects.filter(pk=small.pk).update(computation={"approval_level": "town"})
    client = client_for(county_supervisor)
    page = client.get(reverse("home"))
    assert count(page, "applications_county") == "1"
    assert f'data-application="{big.pk}"' in follow(client, page, "applications_county")
    town = client_for(caseworker_a)
    page = town.get(reverse("home"))
    assert count(page, "applications_town") == "1"
    assert f'data-application="{small.pk}"' in follow(town, page, "applications_town")
