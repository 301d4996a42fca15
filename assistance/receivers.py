"""What the assistance app does when something happens in the apps below it."""

from django.db import transaction

from alerts.services.triage import TriageError
from assistance.errors import AssistanceError


def application_for_closed_alert(sender, *, alert, actor, **kwargs) -> None:
    """An alert closed with an enrolling outcome goes to an application (created, or joined to the
    household's open one); if that is refused, so is the close, with the reason."""
    from assistance.services import application_from_alert

    try:
        application_from_alert(actor=actor, alert=alert)
    except AssistanceError as exc:
        raise TriageError(exc.message) from exc


def calendar_changed(sender, **kwargs) -> None:
    """A holiday or make-up day was entered, corrected or removed: due dates again, after commit."""
    from assistance.tasks import refresh_due_dates

    transaction.on_commit(refresh_due_dates.delay)
