"""Admin registrations of the alerts app, one module per area."""

from alerts import admin_rules, admin_triage  # noqa: F401
