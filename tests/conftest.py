"""Personas (STYLE.md): caseworkers of two towns of 沧县, a county and a city supervisor, a data admin;
and the pinned clock every test runs under."""

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine

from households.models import Role
from tests.factories import UserFactory, region
from tests.instants import HOSTILE_INSTANTS

TOWN_A = "130921101"  # 沧县 旧州镇
TOWN_B = "130921102"  # 沧县 兴济镇
VILLAGE_A = TOWN_A + "201"
VILLAGE_B = TOWN_B + "201"
OTHER_COUNTY_VILLAGE = "130984101201"  # 河间市

BEIJING = ZoneInfo("Asia/Shanghai")
# CI also runs the whole suite with the machine's clock at one of them (`./dev test --at`).
PINNED_AT = HOSTILE_INSTANTS[0]


def beijing(when: str) -> datetime:
    """`"YYYY-MM-DD HH:MM"` read as Beijing time, an aware datetime."""
    return datetime.strptime(when, "%Y-%m-%d %H:%M").replace(tzinfo=BEIJING)


@pytest.fixture(autouse=True)
def pinned_clock():
    """Every test runs with the clock pinned at PINNED_AT, Beijing time, and standing still
    (time-machine, tick=False): `households.clock`, Django's `clock.now()` and the live server's
    thread all read it, so no test depends on the hour it runs at, and a test that needs another
    instant moves the clock it is given: `pinned_clock.move_to(beijing("2028-02-29 12:00"))`,
    `pinned_clock.shift(timedelta(days=1))`. Dates in tests come from `clock.today()`, never
    `date.today()` (the machine's UTC date). Processes a test starts (a Celery worker, Chromium,
    PostgreSQL) keep the machine's clock.
    """
    with time_machine.travel(beijing(PINNED_AT), tick=False) as traveller:
        yield traveller


@pytest.fixture(params=HOSTILE_INSTANTS)
def hostile_instant(request, pinned_clock) -> datetime:
    """Parametrises a test over HOSTILE_INSTANTS: the clock is pinned at each in turn."""
    instant = beijing(request.param)
    pinned_clock.move_to(instant)
    return instant


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    # Transactional tests (browser, Celery) empty every table when they finish, which also removes
    # what data migrations seeded; with --reuse-db that would leak into the next run.
    with django_db_blocker.unblock():
        _seed_reference_data()


def _seed_reference_data():
    from django.conf import settings

    from assistance.models import ApprovalStep, Program, Standard
    from assistance.seeds import seed as seed_assistance
    from households.divisions import seed_cangzhou
    from households.models import Region
    from imports.departments import seed_departments
    from imports.models import Department

    seed_cangzhou(Region)
    seed_departments(Department)
    seed_assistance(Program, ApprovalStep, Standard, settings.CITY_REGION_CODE)


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
    # Tasks run in the test's own process (an upload is loaded when its request ends) and the cache
    # starts empty every run. The real path, a web request that only enqueues and a worker process
    # that loads, is tests/imports/test_worker_process.py.
    from config.celery import app

    app.conf.update(task_always_eager=True, task_eager_propagates=True)
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
