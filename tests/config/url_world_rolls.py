"""The URL matrix world's payment objects (issue 16, payment rolls): per side a grant whose
recipient has an account, last month's roll locked and this month's roll as a draft."""

from assistance.services.grants import first_of_month, previous_month
from assistance.services.rolls import account_set, roll_compute, roll_lock
from households import clock
from tests.assistance.case_factories import family
from tests.assistance.grant_factories import grant_for


def payment_rolls(side, supervisor) -> None:
    month = first_of_month(clock.today())
    county = side.village[:6]
    side.paid_grant = grant_for(supervisor, family(side.village), start_month=previous_month(month))
    side.account = account_set(
        actor=supervisor,
        person=side.paid_grant.application.applicant,
        kind="bank",
        bank_name="农业银行",
        account_no="6228480012345678",
    )
    locked = roll_compute(actor=supervisor, county_code=county, month=previous_month(month))
    side.locked_roll = roll_lock(actor=supervisor, roll_id=locked.pk, lock_version=locked.lock_version)
    side.draft_roll = roll_compute(actor=supervisor, county_code=county, month=month)
