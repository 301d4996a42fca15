"""Signals the apps above this one listen to (they may not be imported from here: layers)."""

from django.dispatch import Signal

# Sent by `alert_close` inside its transaction, after the alert is closed: `alert`, `actor`.
# The assistance app turns an enrolling outcome into an application; a receiver that refuses
# raises TriageError, and the close is undone with its message.
alert_closed = Signal()
