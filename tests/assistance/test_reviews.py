"""Reviews (复核): scheduling across a year, turns-adult, the 渐退期 and its end, adjustments from
the next roll, the interval a new grant gets, the daily job."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.conf import settings

from alerts.models import Responsibility
from assistance.models import Grant, GrantAmount, GrantExit, Program, Review
from assistance.services import AssistanceError
from assistance.services.grants import review_interval_for
from assistance.services.reviews import review_decide, reviews_generate
from assistance.tasks import generate_reviews
from households import clock
from households.models import Relation
from monitoring.models import MonitoringRecord
from tests.alerts.feed_factories import DisabilityCertificateFactory
from tests.assistance.case_factories import family
from tests.assistance.grant_factories import grant_for
from tests.assistance.review_factories import locked_roll
from tests.conftest import TOWN_A, beijing
from tests.factories import PersonFactory, make_id_number, region

pytestmark = [pytest.mark.django_db]


def decide(actor, review, outcome="keep", note="入户核实，情况无变化", **kwargs):
    review.refresh_from_db()
    return review_decide(
        actor=actor,
        review_id=review.pk,
        lock_version=review.lock_version,
        outcome=outcome,
        note=note,
        **kwargs,
    )


def test_scheduling_across_a_year(caseworker_a, pinned_clock):
    pinned_clock.move_to(beijing("2026-01-10 09:00"))
    Responsibility.objects.create(region=region(TOWN_A), caseworker=caseworker_a)
    able = grant_for(caseworker_a, start_month=date(2026, 2, 1))
    Grant.objects.filter(pk=able.pk).update(review_interval_months=6)
    stable = grant_for(caseworker_a, start_month=date(2026, 2, 1))
    generated = {}
    for month in range(2, 14):
        year, m = 2026 + (month - 1) // 12, (month - 1) % 12 + 1
        pinned_clock.move_to(beijing(f"{year}-{m:02d}-01 04:00"))
        counts = reviews_generate(today=clock.today())
        generated[f"{year}-{m:02d}"] = counts["scheduled"]
        assert reviews_generate(today=clock.today())["scheduled"] == 0  # a re-run adds nothing
        if (year, m) == (2026, 7):
            review = Review.objects.get(grant=able)
            assert review.due_on == date(2026, 7, 10) and review.assigned_to == caseworker_a
            pinned_clock.move_to(beijing("2026-07-05 10:00"))
            decide(caseworker_a, review)
    assert generated == {
        "2026-02": 0,
        "2026-03": 0,
        "2026-04": 0,
        "2026-05": 0,
        "2026-06": 0,
        "2026-07": 1,
        "2026-08": 0,
        "2026-09": 0,
        "2026-10": 0,
        "2026-11": 0,
        "2026-12": 0,
        "2027-01": 2,
    }
    due = dict(Review.objects.filter(status="open").values_list("grant_id", "due_on"))
    # the 6-month grant: next due 6 months after the review was kept (2026-07-05), not after approval
    assert due == {able.pk: date(2027, 1, 5), stable.pk: date(2027, 1, 10)}
    able.refresh_from_db()
    assert able.last_reviewed_on == date(2026, 7, 5)


def test_turns_adult_review_due_on_the_18th_birthday(caseworker_a):
    household = family(members=2)
    minor = PersonFactory(
        household=household, relation=Relation.CHILD, id_number=make_id_number(born=date(2009, 3, 20))
    )
    adult = household.members.get(relation=Relation.HEAD)
    young = grant_for(
        caseworker_a, household, program_code="tekun_dispersed", person=minor, start_month=date(2027, 3, 1)
    )
    grant_for(caseworker_a, family(), program_code="tekun_dispersed", start_month=date(2027, 3, 1))
    assert adult.birth_date.year == 1980
    counts = reviews_generate(today=clock.today())  # 2027-03-01: the birthday is within the lead days
    assert counts["turns_adult"] == 1
    review = Review.objects.get(reason="turns_adult")
    assert (review.grant, review.due_on) == (young, date(2027, 3, 20))
    assert reviews_generate(today=clock.today())["turns_adult"] == 0


def test_gradual_exit_then_the_daily_job_ends_the_grant(caseworker_a, pinned_clock):
    grant = grant_for(caseworker_a, start_month=date(2026, 12, 1), approved_on=date(2026, 3, 1))
    reviews_generate(today=clock.today())
    review = Review.objects.get(grant=grant)
    with pytest.raises(AssistanceError, match="1至6个月"):
        decide(caseworker_a, review, "gradual_exit", gradual_exit_months=7)
    decide(caseworker_a, review, "gradual_exit", note="户主务工收入提高", gradual_exit_months=2)
    grant.refresh_from_db()
    assert grant.gradual_exit_until == date(2027, 4, 1)  # March (the next roll) and April
    pinned_clock.move_to(beijing("2027-04-30 04:00"))
    assert generate_reviews() == {"scheduled": 0, "turns_adult": 0, "gradual_exit_ended": 0}
    pinned_clock.move_to(beijing("2027-05-01 04:00"))
    assert generate_reviews()["gradual_exit_ended"] == 1
    grant.refresh_from_db()
    assert (grant.status, grant.end_month) == ("ended", date(2027, 4, 1))
    exit_row = GrantExit.objects.get(grant=grant)
    assert (exit_row.reason, exit_row.effective_on, exit_row.decided_by) == (
        "gradual_exit_ended",
        date(2027, 4, 30),
        None,
    )
    record = MonitoringRecord.objects.get(person=grant.household.members.first())
    assert (record.status, record.exit_date) == ("exited", date(2027, 4, 30))
    change = record.history.order_by("-id").first()
    assert change.changed_by is None and change.after["status"] == "exited"


def test_adjust_applies_from_the_next_roll(caseworker_a, county_supervisor):
    grant = grant_for(caseworker_a, start_month=date(2026, 12, 1), approved_on=date(2026, 3, 1))
    locked_roll(county_supervisor, date(2027, 3, 1), [(grant, date(2027, 3, 1), date(2027, 3, 1), "600")])
    reviews_generate(today=clock.today())
    review = Review.objects.get(grant=grant)
    with pytest.raises(AssistanceError, match="调整后的月金额"):
        decide(caseworker_a, review, "adjust", new_amount="-5")
    decide(county_supervisor, review, "adjust", note="家庭成员就业", new_amount="450", next_interval_months=6)
    grant.refresh_from_db()
    assert grant.amount == Decimal("450.00") and grant.review_interval_months == 6
    assert grant.last_reviewed_on == clock.today()
    latest = GrantAmount.objects.filter(grant=grant).order_by("-id").first()
    assert (latest.amount, latest.from_month, latest.reason) == (
        Decimal("450.00"),
        date(2027, 4, 1),
        "复核调整",
    )
    review.refresh_from_db()
    assert (review.status, review.outcome, review.done_by) == ("done", "adjust", county_supervisor)


def test_stop_and_refusals(caseworker_a, caseworker_b):
    grant = grant_for(caseworker_a, start_month=date(2026, 12, 1), approved_on=date(2026, 3, 1))
    reviews_generate(today=clock.today())
    review = Review.objects.get(grant=grant)
    with pytest.raises(AssistanceError, match="复核情况"):
        decide(caseworker_a, review, note="  ")
    with pytest.raises(AssistanceError, match="退出原因"):
        decide(caseworker_a, review, "stop")
    with pytest.raises(AssistanceError, match="已被他人办理"):
        review_decide(actor=caseworker_a, review_id=review.pk, lock_version=9, outcome="keep", note="x")
    with pytest.raises(Exception) as refused:
        decide(caseworker_b, review)
    assert refused.type.__name__ == "Http404"
    decide(
        caseworker_a,
        review,
        "stop",
        note="已迁往外省",
        exit_reason="moved_away",
        effective_on=date(2027, 2, 28),
    )
    exit_row = GrantExit.objects.get(grant=grant)
    assert (exit_row.reason, exit_row.review, exit_row.decided_by) == ("moved_away", review, caseworker_a)
    with pytest.raises(AssistanceError, match="已办结"):
        decide(caseworker_a, review)


def test_review_interval_at_grant_creation():
    program = Program.objects.get(code="rural_dibao")
    household = family(members=2)
    people = list(household.members.values_list("pk", flat=True))
    approved = clock.today()
    assert review_interval_for(program=program, person_ids=people, approved_on=approved) == 6
    for person in household.members.all():
        DisabilityCertificateFactory(id_number=person.id_number, grade=1, issued_on=date(2020, 1, 1))
    assert review_interval_for(program=program, person_ids=people, approved_on=approved) == 12
    tekun = Program.objects.get(code="tekun_dispersed")
    assert review_interval_for(program=tekun, person_ids=people[:1], approved_on=approved) == 12
    elder = PersonFactory(
        household=family(members=1), relation=Relation.CHILD, id_number=make_id_number(born=date(1950, 1, 1))
    )
    assert review_interval_for(program=program, person_ids=[elder.pk], approved_on=approved) == 12


def test_beat_schedule_runs_reviews_daily():
    entry = settings.CELERY_BEAT_SCHEDULE["grant-reviews-daily"]
    assert entry["task"] == "assistance.tasks.generate_reviews"
    assert (entry["schedule"].hour, entry["schedule"].minute) == ({4}, {0})
    assert timedelta(days=settings.REVIEW_LEAD_DAYS) == timedelta(days=30)


def test_demo_decides_one_of_each(caseworker_a, county_supervisor):
    import io

    from assistance.demo_reviews import demo_reviews

    for _ in range(4):
        grant_for(caseworker_a, start_month=date(2026, 4, 1), approved_on=date(2026, 3, 1))
    out = io.StringIO()
    assert demo_reviews(stdout=out)["decided"] == 4
    outcomes = sorted(Review.objects.filter(status="done").values_list("outcome", flat=True))
    assert outcomes == ["adjust", "gradual_exit", "keep", "stop"]
    assert "已办结复核 4 条" in out.getvalue()
