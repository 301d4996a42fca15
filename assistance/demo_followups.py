"""Follow-ups (回访) for the demo, after the demo's rolls and bank returns exist (seed_demo): the
year's follow-ups from paid one-off payments and visits' follow-up dates, generated month by month
and recorded on their due days, then today's, a few of them recorded by the caseworkers they went
to, one of each result. Deterministic (rows in due-date and id order)."""

from collections import Counter
from datetime import timedelta

from assistance.models import FollowUp, FollowUpResult, FollowUpStatus
from assistance.services.followups import followup_record, followups_generate
from assistance.services.grants import first_of_month, next_month
from households import clock

# (result, what the caseworker wrote): one of each, in turn.
RECORDED = [
    (FollowUpResult.RESOLVED, "入户回访，见到户主本人。救助金已用于住院费用，目前已出院，生活可以维持。"),
    (FollowUpResult.STILL_HARD, "电话回访并入户。主要劳动力仍在康复，收入不稳定，下月再回访。"),
    (FollowUpResult.NEW_APPLICATION, "入户回访。后续治疗费用较高，家庭人均收入低于低保标准，建议申请低保。"),
    (FollowUpResult.NOT_REACHED, "两次入户未见到本人，邻居称外出务工，已留联系卡。"),
]
DEMO_RECORDED = 8


def _past_followups(stdout) -> tuple[Counter, int]:
    """The year lived month by month: on each month's first day the nightly job generates the
    follow-ups, and the caseworker calls on each household on its due day and finds the hardship
    eased. What is due in the last fortnight stays open for the demo's users."""
    today = clock.today()
    month = first_of_month(today - timedelta(days=365))
    generated, done = Counter(), 0
    while month <= today:
        with clock.simulated(min(clock.at(month, 4, 20), clock.now())):
            generated.update(followups_generate(today=month))
        due = FollowUp.objects.filter(
            status=FollowUpStatus.OPEN,
            assigned_to__isnull=False,
            due_on__lt=min(next_month(month), today - timedelta(days=14)),
        ).select_related("assigned_to")
        for followup in due.order_by("due_on", "id"):
            day = max(followup.due_on, month)
            if clock.at(day, 15) > clock.now():
                continue
            with clock.simulated(clock.at(day, 15)):
                followup_record(
                    actor=followup.assigned_to,
                    followup_id=followup.pk,
                    result=FollowUpResult.RESOLVED,
                    note="入户回访，救助金已用于看病和生活开支，目前生活可以维持。",
                )
            done += 1
        month = next_month(month)
    stdout.write(f"回访：往期回访 {done} 条已按期登记\n")
    return generated, done


def demo_followups(*, stdout) -> dict[str, int]:
    """Generates today's follow-ups, then records up to DEMO_RECORDED of the open ones already due
    (the earliest first) as their assigned caseworkers. Returns what was generated and recorded."""
    generated, past = _past_followups(stdout)
    today = clock.today()
    counts = dict(generated + Counter(followups_generate(today=today)))
    counts = {"payment": counts.get("payment", 0), "visit": counts.get("visit", 0)}
    due = (
        FollowUp.objects.filter(status=FollowUpStatus.OPEN, assigned_to__isnull=False, due_on__lte=today)
        .select_related("assigned_to")
        .order_by("due_on", "id")[:DEMO_RECORDED]
    )
    recorded = 0
    for n, followup in enumerate(due):
        result, note = RECORDED[n % len(RECORDED)]
        followup_record(actor=followup.assigned_to, followup_id=followup.pk, result=result, note=note)
        recorded += 1
    counts["recorded"] = recorded + past
    stdout.write(
        f"回访：新生成 {counts['payment']} 条（一次性救助发放后）、{counts['visit']} 条（核查约定），"
        f"登记回访结果 {recorded} 条\n"
    )
    return counts
