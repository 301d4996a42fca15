"""Two people submit the same stale form at the same moment, on two real database connections."""

import threading

import pytest
from django.db import connection

from alerts.models import AlertEvent, AlertStatus, Outcome
from alerts.services import triage as svc
from tests.alerts.triage_factories import alert_in, visit_for
from tests.conftest import VILLAGE_A

pytestmark = pytest.mark.django_db(transaction=True)


def test_simultaneous_closes_one_wins_the_other_is_refused(caseworker_a, county_supervisor):
    alert = alert_in(VILLAGE_A, status=AlertStatus.VERIFYING, assignee=caseworker_a)
    visit_for(alert, caseworker_a)
    start = threading.Barrier(2)
    results: dict[str, object] = {}

    def submit(actor, outcome, note):
        try:
            start.wait(timeout=10)
            svc.alert_close(actor=actor, alert_id=alert.pk, lock_version=0, outcome=outcome, note=note)
            results[note] = "ok"
        except svc.StaleAlertError as exc:
            results[note] = exc.message
        finally:
            connection.close()

    threads = [
        threading.Thread(target=submit, args=(caseworker_a, Outcome.ENROL_DIBAO, "经办人办结")),
        threading.Thread(target=submit, args=(county_supervisor, Outcome.NOT_ELIGIBLE, "督导办结")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    assert sorted(v == "ok" for v in results.values()) == [False, True], results
    winner = next(note for note, v in results.items() if v == "ok")
    loser = next(v for v in results.values() if v != "ok")
    assert loser.startswith("该预警已被他人修改")
    alert.refresh_from_db()
    assert alert.close_note == winner and alert.lock_version == 1
    assert AlertEvent.objects.filter(alert=alert, action="close").count() == 1
