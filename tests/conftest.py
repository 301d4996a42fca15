"""Personas (STYLE.md): caseworkers of two towns of 沧县, a county and a city supervisor, a data admin."""

from pathlib import Path

import pytest

from households.models import Role
from tests.factories import UserFactory, region

TOWN_A = "130921101"  # 沧县 旧州镇
TOWN_B = "130921102"  # 沧县 兴济镇
VILLAGE_A = TOWN_A + "201"
VILLAGE_B = TOWN_B + "201"
OTHER_COUNTY_VILLAGE = "130984101201"  # 河间市


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    # Transactional tests (browser, Celery) empty every table when they finish, which also removes
    # what data migrations seeded; with --reuse-db that would leak into the next run.
    with django_db_blocker.unblock():
        _seed_reference_data()


def _seed_reference_data():
    from households.divisions import seed_cangzhou
    from households.models import Region
    from imports.departments import seed_departments
    from imports.models import Department

    seed_cangzhou(Region)
    seed_departments(Department)


@pytest.fixture(scope="session")
def redis_url():
    """A real Redis for the Celery integration tests (see tests/redis_server.py)."""
    from tests.redis_server import test_redis

    try:
        with test_redis() as url:
            yield url
    except RuntimeError as exc:
        pytest.fail(str(exc))


@pytest.fixture
def cangzhou(db):
    """The seeded divisions and departments again, for tests that run after a transactional test
    emptied them."""
    _seed_reference_data()


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    # Tests render templates without running collectstatic first.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def regions(db, cangzhou):
    return {code: region(code) for code in (VILLAGE_A, VILLAGE_B, OTHER_COUNTY_VILLAGE)}


@pytest.fixture
def caseworker_a(regions):
    return UserFactory(username="caseworker_a", role=Role.CASEWORKER, scope=region(TOWN_A))


@pytest.fixture
def caseworker_b(regions):
    return UserFactory(username="caseworker_b", role=Role.CASEWORKER, scope=region(TOWN_B))


@pytest.fixture
def county_supervisor(regions):
    return UserFactory(username="supervisor_county", role=Role.SUPERVISOR, scope=region("130921"))


@pytest.fixture
def city_supervisor(regions):
    return UserFactory(username="supervisor_city", role=Role.SUPERVISOR, scope=region("130900"))


@pytest.fixture
def data_admin(regions):
    return UserFactory(username="data_admin", role=Role.DATA_ADMIN, scope=region("130900"))


@pytest.fixture
def client_for(client):
    """Log a persona in and return the test client: `client_for(caseworker_a)`."""

    def login(user):
        client.force_login(user)
        return client

    return login


def pytest_configure(config):
    # Whitenoise warns on every request when collectstatic has never run; tests serve static files
    # through the finders, so an empty folder is all it needs.
    from django.conf import settings

    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
