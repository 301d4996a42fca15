"""The demo's monthly lists to medical insurance (seed_demo, after `build_demo_history`).

For each month of the demo year, from the first whole month after the year opened (the opening
month's list would be the whole roster loaded that day, not changes) to the month before today's:
the list as the monthly job produces it at 01:00 on the 1st, sent by the demo data admin (shuju) on
the 3rd at 10:00 and acknowledged on the 4th at 15:00. The last month's list is produced only: a
data admin signing in after the due day sees it overdue. Every step at its moment (clock.simulated),
never after the real now.
"""

from datetime import datetime, timedelta

from assistance.models import ExchangeStatus
from assistance.services.exchanges import (
    list_regions,
    medical_list_acknowledge,
    medical_list_produce,
    medical_list_send,
)
from assistance.services.grants import first_of_month, next_month, previous_month
from households import clock
from households.models import User

DATA_ADMIN = "shuju"


def _at(moment: datetime):
    """A simulated moment, or the real now if the moment has not come yet."""
    return clock.simulated(min(moment, clock.now()))


def demo_exchanges(*, stdout, first_month=None) -> int:
    """Produce (and, but for the last, send and acknowledge) the demo year's lists; how many."""
    admin = User.objects.get(username=DATA_ADMIN)
    today = clock.today()
    period = first_month or next_month(first_of_month(today - timedelta(days=365)))
    last = previous_month(today)
    made = 0
    while period <= last:
        due_month = next_month(period)
        for region in list_regions():
            with _at(clock.at(due_month, 1)):
                medical_list, _created = medical_list_produce(period=period, region_code=region.code)
            made += 1
            stdout.write(
                f"医保资助参保名单 {period:%Y-%m} {region.name}：新增 {medical_list.rows_new}，"
                f"退出 {medical_list.rows_exit}"
            )
            if period == last or medical_list.status != ExchangeStatus.PRODUCED:
                continue
            with _at(clock.at(due_month.replace(day=3), 10)):
                medical_list_send(actor=admin, list_id=medical_list.pk)
            with _at(clock.at(due_month.replace(day=4), 15)):
                medical_list_acknowledge(
                    actor=admin,
                    list_id=medical_list.pk,
                    note=f"医保局已接收，回执编号 YB{period:%Y%m}-{region.code}",
                    on=due_month.replace(day=4),
                )
        period = due_month
    return made
