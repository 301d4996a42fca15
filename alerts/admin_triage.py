"""Admin for alerts and their triage."""
