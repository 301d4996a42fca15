"""Signing in: lockout after repeated failures (django-axes), password rules, idle sessions."""
