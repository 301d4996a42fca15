"""Fixtures for the feed loader tests: departments, a private MEDIA_ROOT, loading helpers."""

import io

import pytest

from imports import services
from imports.departments import seed_departments
from imports.models import Department


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def departments(db):
    # Transactional tests empty the tables the data migration seeded.
    seed_departments(Department)


@pytest.fixture
def load(departments):
    """load(category, data: bytes, file_name) → the batch after batch_load (refreshed)."""

    def run(category: str, data: bytes, file_name: str = "feed.csv", user=None):
        submission = services.batch_submit(
            category=category, fileobj=io.BytesIO(data), file_name=file_name, user=user, start=False
        )
        batch = services.batch_load(batch_id=submission.batch.pk)
        batch.refresh_from_db()
        return batch

    return run
