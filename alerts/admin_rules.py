"""Admin for rule versions and monitoring runs."""
