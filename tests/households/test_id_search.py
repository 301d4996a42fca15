"""ID search cannot enumerate IDs: a full ID or name + last four only, and a per-user limit.

The attack of issue 13: search an ID prefix of 6+ digits and add one digit at a time, watching the
result narrow, until the full ID is known (43 requests for one ID). Every such request must be
refused, whatever the digits, and say what is allowed; repeated ID searches stop at the limit.
"""

import os
import subprocess
import sys
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from django.core.cache import cache
from django.urls import reverse

from households import clock, id_search, idcard
from households.models import Role
from tests.alerts.triage_factories import alert_in
from tests.conftest import BEIJING, PINNED_AT, VILLAGE_A
from tests.factories import UserFactory, region

pytestmark = pytest.mark.django_db

INBOX = reverse("alerts:inbox")
HOUSEHOLDS = reverse("households:list")
REFUSED = "不支持按身份证号的开头或片段搜索"
TOO_OFTEN = "身份证号搜索过于频繁"


@pytest.fixture(autouse=True)
def _fresh_counts():
    cache.clear()  # the throttle's counts live in the cache, which outlives a test's transaction
    yield
    cache.clear()


def _target():
    first17 = "13092119800102619"
    id_number = first17 + idcard.check_char(first17)
    alert = alert_in(VILLAGE_A, name="齐天")
    person = alert.person
    person.id_number, person.birth_date = id_number, date(1980, 1, 2)
    person.save(update_fields=["id_number", "birth_date"])
    alert_in(VILLAGE_A, name="齐地")  # someone else whose ID shares the village's area code
    return alert, id_number


def alert_ids(response) -> set[int]:
    return {a.pk for a in response.context["page"].alerts}


def household_rows(response) -> int:
    return len(response.context["households"])


def test_prefix_enumeration_is_refused_at_every_step(client_for, caseworker_a, county_supervisor, settings):
    settings.ID_SEARCH_LIMIT = 1000  # the refusals themselves are under test here, not the limit
    _alert, id_number = _target()
    wrong = id_number[:6] + "20" + id_number[8:]  # the same prefix with another birth year
    client = client_for(caseworker_a)
    for n in range(6, 18):
        for prefix in (id_number[:n], wrong[:n]):
            # (15 digits read as a first-generation ID: refused for its date, or another person's)
            refusal = REFUSED if n != 15 else "身份证号"
            response = client.get(INBOX, {"q": prefix, "status": "all"})
            assert alert_ids(response) == set(), prefix
            assert (
                refusal in response.content.decode() and "姓名 + 身份证号后四位" in response.content.decode()
            )
            response = client.get(HOUSEHOLDS, {"q": prefix})
            assert household_rows(response) == 0 and refusal in response.content.decode(), prefix
    # The same refusal whether the prefix is right or wrong: nothing narrows.
    right = client.get(INBOX, {"q": id_number[:14]}).context["page"].search_note
    assert right == client.get(INBOX, {"q": wrong[:14]}).context["page"].search_note
    # Spaced or prefixed fragments are fragments too.
    for fragment in (f"{id_number[:6]} {id_number[6:12]}", f"ID{id_number[:10]}", f"齐天 {id_number[:8]}"):
        assert alert_ids(client.get(INBOX, {"q": fragment, "status": "all"})) == set(), fragment
    # The admin lists refuse prefixes too (no prefix, substring or case-folded ID matching).
    admin = client_for(county_supervisor)
    for url in (reverse("admin:households_person_changelist"), reverse("admin:alerts_alert_changelist")):
        response = admin.get(url, {"q": id_number[:12]}, follow=True)
        assert response.context["cl"].result_count == 0, url
        assert REFUSED in response.content.decode()


def test_admin_lists_take_no_id_or_birth_date_filters_from_the_query_string(
    client_for, county_supervisor, data_admin
):
    """Django lets a list filter on any own field through its URL: not on IDs or birth dates."""
    _alert, id_number = _target()
    admin = client_for(county_supervisor)
    person_list = reverse("admin:households_person_changelist")
    assert admin.get(person_list, {"name": "齐天"}).context["cl"].result_count == 1  # other fields do
    for url, lookup in (
        (person_list, {"id_number__startswith": id_number[:12]}),
        (person_list, {"id_number": id_number}),
        (person_list, {"birth_date__year": "1980"}),
        (person_list, {"birth_date": "1980-01-02"}),
        (reverse("admin:households_household_changelist"), {"head_id_number__startswith": id_number[:8]}),
        (reverse("admin:alerts_alert_changelist"), {"person__id_number__startswith": id_number[:8]}),
    ):
        assert admin.get(url, lookup).status_code == 400, lookup
    data = client_for(data_admin)
    for model in ("medicalsettlement", "rosterentry", "namemismatch", "disabilitycertificate"):
        url = reverse(f"admin:imports_{model}_changelist")
        assert data.get(url, {"id_number__startswith": "130921"}).status_code == 400, model
    url = reverse("admin:imports_feedrecordchange_changelist")
    assert data.get(url, {"key__startswith": "130921"}).status_code == 400


def test_a_full_id_in_any_spelling_or_name_and_last_four_find_the_person(client_for, caseworker_a, settings):
    settings.ID_SEARCH_LIMIT = 1000
    alert, id_number = _target()
    client = client_for(caseworker_a)
    full_width = id_number.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    for query in (
        id_number,
        f"{id_number[:6]} {id_number[6:14]} {id_number[14:]}",
        f"{id_number[:6]}-{id_number[6:14]}-{id_number[14:]}",
        f"ID{id_number}",
        f"SFZ:{id_number}",
        full_width,
        f"齐天 {id_number[-4:]}",
        f"齐天{id_number[-4:]}",
        f"{id_number[-4:]} 齐天",
    ):
        assert alert_ids(client.get(INBOX, {"q": query, "status": "all"})) == {alert.pk}, query
        assert household_rows(client.get(HOUSEHOLDS, {"q": query})) == 1, query
    # the last four need the person's whole name; alone they are a fragment
    assert alert_ids(client.get(INBOX, {"q": f"齐地 {id_number[-4:]}", "status": "all"})) == set()
    assert alert_ids(client.get(INBOX, {"q": f"齐 {id_number[-4:]}", "status": "all"})) == set()
    assert REFUSED in client.get(INBOX, {"q": id_number[-4:]}).content.decode()
    # a full ID with a wrong check character says so
    bad = id_number[:17] + ("1" if id_number[17] != "1" else "2")
    assert "校验位不符" in client.get(INBOX, {"q": bad}).content.decode()
    # names without digits are no ID search and work as before
    assert len(alert_ids(client.get(INBOX, {"q": "齐", "status": "all"}))) == 2


def test_repeated_id_searches_are_throttled_per_user(client_for, caseworker_a, settings, pinned_clock):
    settings.ID_SEARCH_LIMIT = 5
    settings.ID_SEARCH_WINDOW_MINUTES = 10
    alert, id_number = _target()
    client = client_for(caseworker_a)
    for n in range(5):  # prefixes and full IDs alike count
        query = id_number if n % 2 else id_number[:8]
        assert TOO_OFTEN not in client.get(INBOX, {"q": query}).content.decode()
    response = client.get(INBOX, {"q": id_number, "status": "all"})
    html = response.content.decode()
    assert alert_ids(response) == set() and TOO_OFTEN in html and "每10分钟最多5次" in html
    window = 600
    reopens = datetime.fromtimestamp(clock.now().timestamp() // window * window + window, tz=BEIJING)
    assert f"请于{reopens:%H:%M}以后再试" in html
    assert TOO_OFTEN in client.get(HOUSEHOLDS, {"q": id_number}).content.decode()
    other = client_for(UserFactory(username="k2", role=Role.SUPERVISOR, scope=region("130921")))
    assert alert_ids(other.get(INBOX, {"q": id_number, "status": "all"})) == {alert.pk}  # own count
    client = client_for(caseworker_a)
    # names still work while ID search waits
    assert alert_ids(client.get(INBOX, {"q": "齐天", "status": "all"})) == {alert.pk}
    pinned_clock.shift(timedelta(seconds=window))
    assert alert_ids(client.get(INBOX, {"q": id_number, "status": "all"})) == {alert.pk}


@pytest.mark.parametrize(
    ("query", "kind"),
    [
        ("张三", id_search.NAME),
        ("", id_search.NAME),
        ("130921198001026190", id_search.REFUSED),  # wrong check character
        ("130921", id_search.REFUSED),
        ("1309211980", id_search.REFUSED),
        ("张三 1309", id_search.NAME_LAST4),
        ("张三 130921", id_search.REFUSED),
        ("6194", id_search.REFUSED),
        ("2026-01-02", id_search.REFUSED),
    ],
)
def test_parse_query(query, kind):
    assert id_search.parse_query(query).kind == kind
    assert id_search.parse_query(query).is_id_search == (kind != id_search.NAME)


def test_the_count_is_shared_between_processes(redis_url, settings):
    """With Redis (production) a search counted in another process counts here too."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_url}
    }
    settings.ID_SEARCH_LIMIT = 3
    other = type("U", (), {"pk": 987654})()  # the throttle needs only the user's pk
    cache.clear()
    script = (
        "import django, time_machine; django.setup();"
        "from households.id_search import count_id_search;"
        "from tests.conftest import beijing;"
        f"t = time_machine.travel(beijing({PINNED_AT!r}), tick=False); t.start();"
        "U = type('U', (), {'pk': 987654});"
        "print([count_id_search(U()) for _ in range(3)])"
    )
    env = {
        **os.environ,
        "REDIS_URL": redis_url,
        "ID_SEARCH_LIMIT": "3",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, cwd=root, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "['', '', '']"  # three allowed over there
    assert TOO_OFTEN in id_search.count_id_search(other)  # the fourth, here, is refused
