"""Settings read from the environment."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def database_options(database_url: str) -> str:
    """The connection's libpq `options` as the settings build them from DATABASE_URL."""
    env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "config.settings"}
    code = "from django.conf import settings; print(settings.DATABASES['default']['OPTIONS']['options'])"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return result.stdout.strip()


def test_jit_is_switched_off_for_the_applications_connections():
    assert database_options("postgres://u@db.example:5432/jz") == "-c jit=off"


def test_options_given_in_database_url_are_kept():
    url = "postgres://u@db.example:5432/jz?options=-c%20statement_timeout%3D5000"
    assert database_options(url) == "-c statement_timeout=5000 -c jit=off"
