"""Fixtures for the imports tests: departments, a private MEDIA_ROOT, loading helpers, a superuser."""

import io

import pytest

from households.models import Role
from imports import services
from imports.departments import seed_departments
from imports.models import Department
from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    # Uploaded files are stored by batch_submit; keep them out of the worktree.
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def superuser(regions):
    return UserFactory(username="root", role=Role.CASEWORKER, is_superuser=True, scope=None)


@pytest.fixture(autouse=True)
def departments(db):
    # Seeded by a data migration, but a transactional (browser) test empties every table and the
    # test database is reused, so seed them again (idempotent).
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
