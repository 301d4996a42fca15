"""Follow-ups (回访) for the demo: generated as of today from the paid one-off payments and the
visits' follow-up dates of the demo's year, and a few of those due recorded by the caseworkers they
went to, one of each result. Deterministic (rows in due-date and id order). Not wired into
`seed_demo` yet: the lead calls it after the demo's rolls and bank returns exist."""

from assistance.models import FollowUp, FollowUpResult, FollowUpStatus
from assistance.services.followups import followup_record, followups_generate
from households import clock

# (result, what the caseworker wrote): one of each, in turn.
RECORDED = [
    (FollowUpResult.RESOLVED, "入户回访，见到户主本人。救助金已用于住院费用，目前已出院，生活可以维持。"),
    (FollowUpResult.STILL_HARD, "电话回访并入户。主要劳动力仍在康复，收入不稳定，下月再回访。"),
    (FollowUpResult.NEW_APPLICATION, "入户回访。后续治疗费用较高，家庭人均收入低于低保标准，建议申请低保。"),
    (FollowUpResult.NOT_REACHED, "两次入户未见到本人，邻居称外出务工，已留联系卡。"),
]
DEMO_RECORDED = 8


def demo_followups(*, stdout) -> dict[str, int]:
    """Generates today's follow-ups, then records up to DEMO_RECORDED of the open ones already due
    (the earliest first) as their assigned caseworkers. Returns what was generated and recorded."""
    today = clock.today()
    counts = followups_generate(today=today)
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
    counts["recorded"] = recorded
    stdout.write(
        f"回访：新生成 {counts['payment']} 条（一次性救助发放后）、{counts['visit']} 条（核查约定），"
        f"登记回访结果 {recorded} 条\n"
    )
    return counts
