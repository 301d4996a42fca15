"""The review list, a review's page with its decision form, and a grant's page with its exit form."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from assistance.models import GrantExit, Review
from assistance.services.reviews import reviews_generate
from households import clock
from monitoring.models import MonitoringRecord
from tests.assistance.grant_factories import grant_for
from tests.conftest import VILLAGE_B

pytestmark = [pytest.mark.django_db]


@pytest.fixture
def review(caseworker_a):
    grant = grant_for(caseworker_a, start_month=date(2026, 3, 1), approved_on=date(2026, 2, 10))
    reviews_generate(today=clock.today())
    return Review.objects.get(grant=grant)


def test_list_shows_overdue_reviews_in_scope(client_for, caseworker_a, caseworker_b, review):
    other = grant_for(
        caseworker_b, household=None, start_month=date(2026, 3, 1), approved_on=date(2026, 2, 10)
    )
    assert review.due_on == date(2027, 2, 10)
    page = client_for(caseworker_a).get(reverse("assistance:review_list"))
    text = page.content.decode()
    assert page.status_code == 200
    assert f'data-review="{review.pk}"' in text and "逾期19天" in text
    assert "table-danger" in text
    # filters: reason, mine (nobody is responsible for the village: unassigned), done
    assert (
        f'data-review="{review.pk}"'
        not in client_for(caseworker_a)
        .get(reverse("assistance:review_list"), {"reason": "turns_adult"})
        .content.decode()
    )
    assert (
        "没有复核任务"
        in client_for(caseworker_a).get(reverse("assistance:review_list"), {"mine": "1"}).content.decode()
    )
    assert (
        "没有复核任务"
        in client_for(caseworker_a)
        .get(reverse("assistance:review_list"), {"status": "done"})
        .content.decode()
    )
    assert other.household.region_id.startswith("130921101")  # grant_for's default family is in 旧州镇


def test_other_town_sees_nothing(client_for, caseworker_b, review):
    assert (
        f'data-review="{review.pk}"'
        not in client_for(caseworker_b).get(reverse("assistance:review_list")).content.decode()
    )
    assert (
        client_for(caseworker_b).get(reverse("assistance:review_detail", args=[review.pk])).status_code == 404
    )
    assert (
        client_for(caseworker_b).get(reverse("assistance:grant_detail", args=[review.grant_id])).status_code
        == 404
    )


def test_review_page_masks_ids_and_decides(client_for, caseworker_a, review):
    client = client_for(caseworker_a)
    url = reverse("assistance:review_detail", args=[review.pk])
    page = client.get(url).content.decode()
    head = review.household.members.get(relation="head")
    assert head.masked_id in page and head.id_number not in page
    assert "复核结论" in page
    refused = client.post(
        url, {"lock_version": 0, "outcome": "gradual_exit", "gradual_exit_months": 9, "note": "务工"}
    )
    assert refused.status_code == 400 and "渐退期须为1至6个月" in refused.content.decode()
    missing_note = client.post(url, {"lock_version": 0, "outcome": "keep", "note": ""})
    assert "请填写复核情况" in missing_note.content.decode()
    done = client.post(
        url, {"lock_version": 0, "outcome": "keep", "note": "入户核实无变化", "next_interval_months": "6"}
    )
    assert done.status_code == 302
    review.refresh_from_db()
    assert (review.status, review.outcome, review.done_by) == ("done", "keep", caseworker_a)
    review.grant.refresh_from_db()
    assert review.grant.review_interval_months == 6 and review.grant.last_reviewed_on == clock.today()
    assert "提交复核结论" not in client.get(url).content.decode()


def test_grant_page_and_exit(client_for, caseworker_a, data_admin, review):
    grant = review.grant
    client = client_for(caseworker_a)
    url = reverse("assistance:grant_detail", args=[grant.pk])
    page = client.get(url).content.decode()
    assert "600.00" in page and "批准" in page and "办理退出" in page
    household_page = client.get(reverse("households:detail", args=[grant.household_id])).content.decode()
    assert url in household_page
    future = (clock.today() + timedelta(days=40)).isoformat()
    refused = client.post(url, {"reason": "death", "effective_on": future, "note": ""})
    assert refused.status_code == 400 and "退出生效日期须不晚于本月最后一天" in refused.content.decode()
    assert (
        client.post(
            url, {"reason": "voluntary", "effective_on": "2027-02-28", "note": "本人申请"}
        ).status_code
        == 302
    )
    exit_row = GrantExit.objects.get(grant=grant)
    assert (exit_row.reason, exit_row.decided_by) == ("voluntary", caseworker_a)
    assert MonitoringRecord.objects.filter(household=grant.household, status="exited").count() == 3
    page = client.get(url).content.decode()
    assert "本人申请退出" in page and "确认退出" not in page
    # the ended grant's open review leaves the list
    assert f'data-review="{review.pk}"' not in client.get(reverse("assistance:review_list")).content.decode()
    assert client_for(data_admin).get(url).status_code == 403


def test_out_of_county_grant_is_404_for_county_supervisor(client_for, county_supervisor, city_supervisor):
    from tests.assistance.case_factories import family
    from tests.conftest import OTHER_COUNTY_VILLAGE

    grant = grant_for(county_supervisor, family(OTHER_COUNTY_VILLAGE), start_month=date(2026, 3, 1))
    url = reverse("assistance:grant_detail", args=[grant.pk])
    assert client_for(county_supervisor).get(url).status_code == 404
    assert client_for(city_supervisor).get(url).status_code == 200
    assert VILLAGE_B


def test_turns_adult_review_page_does_not_give_back_the_birth_date(client_for, caseworker_a):
    from households.models import Relation
    from tests.assistance.case_factories import family
    from tests.factories import PersonFactory, make_id_number

    household = family(members=1)
    minor = PersonFactory(
        household=household, relation=Relation.CHILD, id_number=make_id_number(born=date(2009, 3, 20))
    )
    grant_for(
        caseworker_a, household, program_code="tekun_dispersed", person=minor, start_month=date(2027, 3, 1)
    )
    reviews_generate(today=clock.today())
    review = Review.objects.get(reason="turns_adult")
    page = (
        client_for(caseworker_a).get(reverse("assistance:review_detail", args=[review.pk])).content.decode()
    )
    assert minor.masked_id in page and "2027-03" in page
    assert "2027-03-20" not in page and "2009-03-20" not in page


def test_review_list_pages_by_due_date(client_for, caseworker_a, monkeypatch):
    from assistance import selectors_reviews

    monkeypatch.setattr(selectors_reviews, "PAGE_SIZE", 2)
    for month in (1, 2, 3):
        grant_for(caseworker_a, start_month=date(2026, month, 1), approved_on=date(2026, month, 10))
    reviews_generate(today=clock.today())
    client = client_for(caseworker_a)
    first = client.get(reverse("assistance:review_list")).content.decode()
    assert "2027-01-10" in first and "2027-02-10" in first and "2027-03-10" not in first
    last_shown = Review.objects.get(due_on=date(2027, 2, 10))
    assert f"after=2027-02-10_{last_shown.pk}" in first
    second = client.get(reverse("assistance:review_list"), {"after": f"2027-02-10_{last_shown.pk}"})
    text = second.content.decode()
    assert "2027-03-10" in text and "2027-01-10" not in text and 'id="next-page"' not in text
