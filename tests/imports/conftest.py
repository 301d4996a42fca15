import pytest

from households.models import Role
from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    # Uploaded files are stored by batch_submit; keep them out of the worktree.
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def superuser(regions):
    return UserFactory(username="root", role=Role.CASEWORKER, is_superuser=True, scope=None)
