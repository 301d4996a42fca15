"""The demo's payment rolls: an account for every grant recipient who has none (fake, deterministic
numbers), then for every county with grants a roll per month from the earliest grant's start
through last month, computed and locked by the county's supervisor (dudao_cx in 沧县, else the
city's dudao, else any supervisor over the county), and this month's roll computed as a draft.
Everything goes through `assistance.services.rolls` (one statement per roll)."""

import random
from collections.abc import Callable

from django.db.models import Min, Q

from assistance.models import AccountKind, Grant, PaymentAccount, PaymentRoll, RollStatus
from assistance.services.grants import first_of_month, next_month
from assistance.services.rolls import roll_compute, roll_lock
from households import clock
from households.models import Role, User

BANKS = ["中国农业银行沧州分行", "中国邮政储蓄银行沧州分行", "沧州银行", "河北省农村信用社"]
COUNTY_SUPERVISORS = {"130921": "dudao_cx"}


def _supervisor(county: str) -> User | None:
    preferred = [COUNTY_SUPERVISORS.get(county), "dudao"]
    for username in filter(None, preferred):
        user = User.objects.filter(username=username, role=Role.SUPERVISOR, is_active=True).first()
        if user is not None and (user.scope_prefix or "") in ("", county, county[:4]):
            return user
    return (
        User.objects.filter(role=Role.SUPERVISOR, is_active=True)
        .filter(Q(scope_id=county) | Q(scope__level="city"))
        .order_by("id")
        .first()
    )


def _accounts(actor: User, rng: random.Random) -> int:
    """An account for every recipient (per-person grant's person, else the applicant) without one."""
    recipients = set()
    for person_id, applicant_id in Grant.objects.values_list("person_id", "application__applicant_id"):
        recipients.add(person_id or applicant_id)
    have = set(PaymentAccount.objects.filter(person_id__in=recipients).values_list("person_id", flat=True))
    accounts = []
    for person_id in sorted(recipients - have):
        card = rng.random() < 0.4
        prefix = "6217" if card else rng.choice(["6228", "6221", "6230"])
        accounts.append(
            PaymentAccount(
                person_id=person_id,
                kind=AccountKind.SOCIAL_SECURITY_CARD if card else AccountKind.BANK,
                bank_name=rng.choice(BANKS),
                account_no=prefix + "".join(str(rng.randint(0, 9)) for _ in range(15)),
                updated_by=actor,
            )
        )
    PaymentAccount.objects.bulk_create(accounts)
    return len(accounts)


def demo_payments(*, stdout, after_lock: Callable[[PaymentRoll], None] | None = None) -> None:
    rng = random.Random(16)
    this_month = first_of_month(clock.today())
    counties = sorted({code[:6] for code in Grant.objects.values_list("region_id", flat=True).distinct()})
    fallback = _supervisor(counties[0]) if counties else None
    if fallback is None:
        stdout.write("发放：没有救助待遇或督导账号，跳过\n")
        return
    made = _accounts(fallback, rng)
    stdout.write(f"发放：登记发放账户 {made} 个\n")
    for county in counties:
        actor = _supervisor(county)
        if actor is None:
            stdout.write(f"发放：{county} 没有督导账号，跳过\n")
            continue
        earliest = Grant.objects.filter(region__code__startswith=county).aggregate(m=Min("start_month"))["m"]
        month, locked = first_of_month(earliest), 0
        while month < this_month:
            roll = PaymentRoll.objects.filter(county_id=county, month=month).first()
            if roll is None or roll.status == RollStatus.DRAFT:
                roll = roll_compute(actor=actor, county_code=county, month=month)
                roll_lock(actor=actor, roll_id=roll.pk, lock_version=roll.lock_version)
                locked += 1
                if after_lock is not None:  # the bank's answer, before the next month is computed
                    after_lock(PaymentRoll.objects.select_related("county", "locked_by").get(pk=roll.pk))
            month = next_month(month)
        draft = roll_compute(actor=actor, county_code=county, month=this_month)
        stdout.write(
            f"发放：{county} 锁定花名册 {locked} 期，{this_month:%Y-%m} 待审核花名册 {draft.line_count} 条明细\n"
        )
