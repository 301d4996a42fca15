"""Locked payment rolls written directly, for tests of what an exit or an adjustment reads from them."""

from datetime import date
from decimal import Decimal

from assistance.models import PaymentLine, PaymentRoll
from households import clock
from tests.factories import region


def locked_roll(actor, month: date, lines: list[tuple], county: str = "130921", line_status: str = "pending"):
    """A locked roll of `county` for `month` with one line per (grant, covers_from, covers_to,
    regular) — written as a draft, then locked (locked rolls refuse new lines)."""
    roll = PaymentRoll.objects.create(county=region(county), month=month, computed_at=clock.now())
    for grant, covers_from, covers_to, regular in lines:
        head = grant.household.members.order_by("id").first()
        PaymentLine.objects.create(
            roll=roll,
            grant=grant,
            household=grant.household,
            recipient=grant.person or head,
            region_id=grant.region_id,
            covers_from=covers_from,
            covers_to=covers_to,
            regular=Decimal(regular),
            total=Decimal(regular),
            status=line_status,
            result_on=None if line_status == "pending" else month,
        )
    PaymentRoll.objects.filter(pk=roll.pk).update(status="locked", locked_at=clock.now(), locked_by=actor)
    return roll
