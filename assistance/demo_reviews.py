"""Reviews for the demo (seed_demo): the year's routine reviews kept on time, today's review tasks,
and a few of them decided by the caseworker they went to (else a supervisor of the county), one of
each outcome."""

from datetime import timedelta

from django.db.models import Min, Q

from assistance.errors import AssistanceError
from assistance.models import Grant, GrantStatus, Review, ReviewStatus
from assistance.services.grants import first_of_month, next_month
from assistance.services.reviews import review_decide, reviews_generate
from households import clock
from households.models import Role, User

DECISIONS = [
    {"outcome": "keep", "note": "入户核实，家庭收入和成员无变化，维持原待遇。", "next_interval_months": None},
    {"outcome": "adjust", "note": "子女外出务工，家庭人均收入提高，下调保障金额。", "new_amount": "420.00"},
    {"outcome": "gradual_exit", "note": "户主稳定就业，收入超过标准，给予渐退期。", "gradual_exit_months": 3},
    {"outcome": "stop", "note": "全家已迁往外省居住，停发并退出。", "exit_reason": "moved_away"},
]


def _decider(review: Review):
    if review.assigned_to_id and review.assigned_to.is_active:
        return review.assigned_to
    county = review.region_id[:6]
    return (
        User.objects.filter(role=Role.SUPERVISOR, is_active=True)
        .filter(Q(scope_id=county) | Q(scope__level="city"))
        .order_by("-scope_id")
        .first()
    )


def _keep_past_reviews(stdout) -> int:
    """The year lived month by month: on each month's first day the nightly job generates the
    reviews coming due, and the caseworker keeps each grant on its due day (a routine review finds
    nothing new). What is due in the last fortnight stays open for the demo's users."""
    today = clock.today()
    first = Grant.objects.aggregate(m=Min("approved_on"))["m"]
    if first is None:
        return 0
    kept, month = 0, next_month(first_of_month(first))
    while month <= today:
        with clock.simulated(min(clock.at(month, 4), clock.now())):
            reviews_generate(today=month)
        due = Review.objects.filter(
            status=ReviewStatus.OPEN,
            grant__status=GrantStatus.ACTIVE,
            due_on__lt=min(next_month(month), today - timedelta(days=14)),
        ).order_by("due_on", "id")
        for review in due:
            actor = _decider(review)
            day = max(review.due_on, month)
            if actor is None or clock.at(day, 10) > clock.now():
                continue
            with clock.simulated(clock.at(day, 10)):
                review_decide(
                    actor=actor,
                    review_id=review.pk,
                    lock_version=review.lock_version,
                    outcome="keep",
                    note="入户复核，家庭人口、收入和财产状况无明显变化，维持原待遇。",
                )
            kept += 1
        month = next_month(month)
    stdout.write(f"复核：往期到期复核 {kept} 条已按期办结（维持）\n")
    return kept


def demo_reviews(*, stdout) -> dict:
    """The year's routine reviews kept on their due days; then today's reviews generated and the
    first few open ones decided (keep, adjust, 渐退期, stop)."""
    kept = _keep_past_reviews(stdout)
    counts = reviews_generate(today=clock.today())
    stdout.write(
        f"复核任务：定期 {counts['scheduled']} 条，特困成年 {counts['turns_adult']} 条；"
        f"渐退期届满停发 {counts['gradual_exit_ended']} 户\n"
    )
    open_reviews = (
        Review.objects.filter(status=ReviewStatus.OPEN, grant__status=GrantStatus.ACTIVE)
        .select_related("assigned_to", "grant")
        .order_by("due_on", "id")
    )
    decided = 0
    for review, decision in zip(list(open_reviews[: len(DECISIONS)]), DECISIONS, strict=False):
        actor = _decider(review)
        if actor is None:
            continue
        try:
            review_decide(actor=actor, review_id=review.pk, lock_version=review.lock_version, **decision)
        except AssistanceError as exc:
            stdout.write(f"复核 #{review.pk} 未办理：{exc.message}\n")
            continue
        decided += 1
    stdout.write(f"已办结复核 {decided} 条\n")
    return {**counts, "decided": decided, "kept_on_time": kept}
