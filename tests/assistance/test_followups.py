"""Follow-ups (回访): made after a paid one-off payment and on a visit's follow-up date, once each,
routed to the responsible caseworker; recorded on their page, which leads to a new application."""

from datetime import date, timedelta

import pytest
from django.conf import settings
from django.http import Http404
from django.urls import reverse

from alerts.models import Responsibility
from assistance.errors import AssistanceError
from assistance.models import Application, FollowUp, FollowUpStatus, Program
from assistance.services.followups import followup_record, followups_generate
from households import clock
from tests.assistance.case_factories import family
from tests.assistance.followup_factories import line_for, open_followup, paid_one_off, visit_with_follow_up
from tests.assistance.grant_factories import grant_for
from tests.conftest import OTHER_COUNTY_VILLAGE, VILLAGE_A, VILLAGE_B
from tests.factories import region

pytestmark = pytest.mark.django_db


def test_a_paid_one_off_line_gets_one_follow_up_due_after_the_payment(caseworker_a, county_supervisor):
    Responsibility.objects.create(region=region(VILLAGE_A), caseworker=caseworker_a)
    paid_on = date(2027, 2, 20)
    line = paid_one_off(county_supervisor, result_on=paid_on)

    assert followups_generate(today=clock.today()) == {"payment": 1, "visit": 0}
    followup = FollowUp.objects.get(payment_line=line)
    assert followup.due_on == paid_on + timedelta(days=settings.FOLLOW_UP_AFTER_PAYMENT_DAYS)
    assert (followup.person, followup.household, followup.region_id) == (
        line.recipient,
        line.household,
        VILLAGE_A,
    )
    assert followup.assigned_to == caseworker_a
    assert followup.status == FollowUpStatus.OPEN

    assert followups_generate(today=clock.today()) == {"payment": 0, "visit": 0}
    assert FollowUp.objects.count() == 1


def test_the_special_fund_is_followed_up_too(county_supervisor):
    grant = grant_for(
        county_supervisor, program_code="hardship_fund", amount="20000.00", start_month=date(2027, 2, 1)
    )
    line_for(grant, result_on=date(2027, 2, 10))
    followups_generate(today=clock.today())
    assert FollowUp.objects.get().payment_line.grant == grant


def test_no_follow_up_for_a_monthly_grant_a_failed_or_pending_line(county_supervisor):
    monthly = grant_for(county_supervisor, program_code="rural_dibao", start_month=date(2027, 2, 1))
    line_for(monthly)
    failed = grant_for(county_supervisor, program_code="temp_expenditure", start_month=date(2027, 2, 1))
    line_for(failed, status="failed")
    pending = grant_for(county_supervisor, program_code="temp_emergency", start_month=date(2027, 2, 1))
    line_for(pending, status="pending")
    assert followups_generate(today=clock.today()) == {"payment": 0, "visit": 0}
    assert not FollowUp.objects.exists()


def test_a_visit_with_a_follow_up_date_gets_a_follow_up_on_that_day(caseworker_a, caseworker_b):
    Responsibility.objects.create(region=region(VILLAGE_A[:9]), caseworker=caseworker_a)
    due = clock.today() + timedelta(days=10)
    visit = visit_with_follow_up(VILLAGE_A, caseworker_a, due)
    other = visit_with_follow_up(VILLAGE_B, caseworker_b, due)  # 兴济镇: nobody responsible

    assert followups_generate(today=clock.today()) == {"payment": 0, "visit": 2}
    followup = FollowUp.objects.get(visit=visit)
    assert (followup.due_on, followup.person, followup.source) == (due, visit.alert.person, "visit")
    assert followup.assigned_to == caseworker_a  # the town's caseworker: no village responsibility
    assert FollowUp.objects.get(visit=other).assigned_to is None
    assert followups_generate(today=clock.today())["visit"] == 0


def test_recording_needs_a_result_and_a_note_and_is_done_once(caseworker_a):
    followup = open_followup(VILLAGE_A, caseworker_a)
    with pytest.raises(AssistanceError, match="回访情况"):
        followup_record(actor=caseworker_a, followup_id=followup.pk, result="resolved", note="  ")
    with pytest.raises(AssistanceError, match="回访结果“maybe”无效"):
        followup_record(actor=caseworker_a, followup_id=followup.pk, result="maybe", note="见到本人")

    done = followup_record(actor=caseworker_a, followup_id=followup.pk, result="still_hard", note="见到本人")
    assert (done.status, done.result, done.done_by, done.done_at) == (
        "done",
        "still_hard",
        caseworker_a,
        clock.now(),
    )
    with pytest.raises(AssistanceError, match="不能重复登记"):
        followup_record(actor=caseworker_a, followup_id=followup.pk, result="resolved", note="再次")


def test_outside_the_region_a_follow_up_does_not_exist(caseworker_a, caseworker_b, client_for):
    followup = open_followup(VILLAGE_A, caseworker_a)
    with pytest.raises(Http404):
        followup_record(actor=caseworker_b, followup_id=followup.pk, result="resolved", note="见到本人")
    client = client_for(caseworker_b)
    assert client.get(reverse("assistance:followup_detail", args=[followup.pk])).status_code == 404
    page = client.get(reverse("assistance:followup_list"))
    assert f'data-followup="{followup.pk}"' not in page.content.decode()


def test_the_list_shows_open_ones_overdue_in_red_mine_and_done(caseworker_a, county_supervisor, client_for):
    Responsibility.objects.create(region=region(VILLAGE_A), caseworker=caseworker_a)
    overdue = open_followup(VILLAGE_A, caseworker_a, due_on=clock.today() - timedelta(days=3))
    later = open_followup(VILLAGE_A, caseworker_a)
    unassigned = open_followup(OTHER_COUNTY_VILLAGE, county_supervisor)  # not in 沧县: not K's either
    FollowUp.objects.filter(pk=later.pk).update(assigned_to=None)

    page = client_for(caseworker_a).get(reverse("assistance:followup_list")).content.decode()
    assert f'<tr class="overdue-row table-danger" data-followup="{overdue.pk}"' in page
    assert "逾期3天" in page
    assert f'data-followup="{later.pk}"' in page
    assert f'data-followup="{unassigned.pk}"' not in page

    mine = client_for(caseworker_a).get(reverse("assistance:followup_list"), {"mine": "1"}).content.decode()
    assert f'data-followup="{overdue.pk}"' in mine
    assert f'data-followup="{later.pk}"' not in mine

    followup_record(actor=caseworker_a, followup_id=overdue.pk, result="resolved", note="已就业")
    done = (
        client_for(caseworker_a).get(reverse("assistance:followup_list"), {"status": "done"}).content.decode()
    )
    assert f'data-followup="{overdue.pk}"' in done and "困难已缓解" in done
    still_open = client_for(caseworker_a).get(reverse("assistance:followup_list")).content.decode()
    assert f'data-followup="{overdue.pk}"' not in still_open


def test_recording_on_the_page_and_the_new_application_link(caseworker_a, client_for):
    household = family(VILLAGE_A)
    line = paid_one_off(caseworker_a, household)
    followups_generate(today=clock.today())
    followup = FollowUp.objects.get(payment_line=line)
    url = reverse("assistance:followup_detail", args=[followup.pk])
    client = client_for(caseworker_a)

    page = client.get(url).content.decode()
    assert "登记回访结果" in page and "1500.00 元" in page
    refused = client.post(url, {"result": "new_application", "note": ""})
    assert refused.status_code == 400 and "请填写回访情况" in refused.content.decode()

    response = client.post(url, {"result": "new_application", "note": "医疗费用仍高，需再申请"})
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "需进一步救助" in page and "医疗费用仍高，需再申请" in page
    intake = f"{reverse('assistance:application_new')}?household={household.pk}&followup={followup.pk}"
    assert f'href="{intake.replace("&", "&amp;")}"' in page
    form = client.get(intake).content.decode()
    head = household.members.get(relation="head")
    assert head.name in form and f'name="followup" value="{followup.pk}"' in form

    response = client.post(
        reverse("assistance:application_new"),
        {
            "household": household.pk,
            "followup": followup.pk,
            "applicant": head.pk,
            "channel": "single_window",
            "request": "回访发现医疗费用仍高，申请低保",
            "action": "accept",
            "program": Program.objects.get(code="rural_dibao").pk,
        },
    )
    assert response.status_code == 302
    application = Application.objects.get(household=household, program__code="rural_dibao")
    assert FollowUp.objects.get(pk=followup.pk).new_application == application
    page = client.get(url).content.decode()
    assert f"#{application.pk} 农村低保" in page and "发起新申请" not in page


def test_no_new_application_link_for_other_results(caseworker_a, client_for):
    followup = open_followup(VILLAGE_A, caseworker_a)
    followup_record(actor=caseworker_a, followup_id=followup.pk, result="resolved", note="已缓解")
    page = client_for(caseworker_a).get(reverse("assistance:followup_detail", args=[followup.pk]))
    assert "发起新申请" not in page.content.decode()


def test_the_daily_beat_runs_the_task(caseworker_a):
    entry = settings.CELERY_BEAT_SCHEDULE["follow-ups-daily"]
    assert entry["task"] == "assistance.tasks.generate_followups"
    assert (entry["schedule"].hour, entry["schedule"].minute) == ({4}, {20})
    from assistance.tasks import generate_followups

    visit_with_follow_up(VILLAGE_A, caseworker_a, clock.today())
    assert generate_followups.delay().get() == {"payment": 0, "visit": 1}


def test_the_demo_generates_and_records_some(caseworker_a):
    import io

    from assistance.demo_followups import demo_followups

    Responsibility.objects.create(region=region(VILLAGE_A), caseworker=caseworker_a)
    for days in (3, 2, 1):
        visit_with_follow_up(VILLAGE_A, caseworker_a, clock.today() - timedelta(days=days))
    visit_with_follow_up(VILLAGE_A, caseworker_a, clock.today() + timedelta(days=5))  # not due yet
    out = io.StringIO()
    assert demo_followups(stdout=out) == {"payment": 0, "visit": 4, "recorded": 3}
    assert "登记回访结果 3 条" in out.getvalue()
    assert set(FollowUp.objects.filter(status="done").values_list("result", flat=True)) == {
        "resolved",
        "still_hard",
        "new_application",
    }
    assert FollowUp.objects.filter(status="done", done_by=caseworker_a).count() == 3
