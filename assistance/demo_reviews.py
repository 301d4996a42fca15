"""Reviews for the demo (not wired here; the lead calls it): today's review tasks, and a few of them
decided by the caseworker they went to (else a supervisor of the county), one of each outcome."""

from django.db.models import Q

from assistance.errors import AssistanceError
from assistance.models import GrantStatus, Review, ReviewStatus
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


def demo_reviews(*, stdout) -> dict:
    """Generates today's reviews and decides the first few open ones (keep, adjust, 渐退期, stop)."""
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
    return {**counts, "decided": decided}
