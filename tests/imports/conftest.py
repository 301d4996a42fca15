import pytest

from households.models import Role
from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    # Uploaded files are stored by batch_submit; keep them out of the worktree.
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _departments(db):
    # Seeded by a data migration, but a transactional (browser) test empties every table and the
    # test database is reused, so seed them again (idempotent).
    from imports.departments import seed_departments
    from imports.models import Department

    seed_departments(Department)


@pytest.fixture
def superuser(regions):
    return UserFactory(username="root", role=Role.CASEWORKER, is_superuser=True, scope=None)
