"""Idle sessions end after 30 minutes without a request of the user's own; htmx polling does not
count; the user signs in again with a message and comes back to the page they were on."""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client

from tests.conftest import PINNED_AT, beijing
from tests.factories import UserFactory
from tests.helpers import page_text
from tests.imports.factories import BatchFactory

pytestmark = pytest.mark.django_db

T0 = beijing(PINNED_AT)  # where every test's clock stands (tests/conftest.py); `at` moves from it
MESSAGE = "您已超过 30 分钟没有操作，为保护数据已自动退出，请重新登录。"


def at(minutes: float):
    return time_machine.travel(T0 + timedelta(minutes=minutes), tick=False)


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_a_session_used_now_and_then_stays_open(client_for, caseworker_a):
    client = client_for(caseworker_a)
    for minute in (0, 29, 58, 87):
        with at(minute):
            assert client.get("/households/").status_code == 200, minute


def test_thirty_minutes_idle_signs_out_with_a_message_and_back_to_the_page(client_for, caseworker_a):
    client = client_for(caseworker_a)
    with at(0):
        client.get("/")
    with at(31):
        response = client.get("/households/", {"q": "王"})
        assert response.status_code == 302
        assert response["Location"] == "/login/?next=/households/%3Fq%3D%25E7%258E%258B"
        assert not signed_in(client)
        login_page = client.get(response["Location"])
    assert MESSAGE in page_text(login_page)
    assert 'name="next" value="/households/?q=%E7%8E%8B"' in login_page.content.decode()


def test_the_import_progress_poll_does_not_keep_the_session_alive(client_for, data_admin):
    batch = BatchFactory(status="running", uploaded_by=data_admin, started_at=T0, finished_at=None)
    client = client_for(data_admin)
    page = f"/imports/{batch.pk}/"
    with at(0):
        assert client.get(page).status_code == 200
    poll = {"HX-Request": "true", "HX-Current-URL": f"http://testserver{page}"}
    for minute in range(1, 31):
        with at(minute):
            assert client.get(f"{page}progress/", headers=poll).status_code == 200, minute
    with at(30.5):
        response = client.get(f"{page}progress/", headers=poll)
    # htmx takes the whole page to sign in (a redirect would be swapped into the progress bar)
    assert response.status_code == 200
    assert response["HX-Redirect"] == f"/login/?next=/imports/{batch.pk}/"
    assert not signed_in(client)


def test_an_htmx_form_post_after_the_timeout_returns_to_its_page(client_for, caseworker_a):
    client = client_for(caseworker_a)
    with at(0):
        client.get("/alerts/inbox/")
    with at(45):
        response = client.post(
            "/alerts/inbox/bulk-assign/",
            {"alerts": ["1"]},
            headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/alerts/inbox/?rule=x"},
        )
    assert response["HX-Redirect"] == "/login/?next=/alerts/inbox/%3Frule%3Dx"


def test_the_timeout_is_a_setting(client_for, caseworker_a, settings):
    settings.SESSION_IDLE_TIMEOUT = timedelta(minutes=5)
    client = client_for(caseworker_a)
    with at(0):
        client.get("/")
    with at(4):
        assert client.get("/").status_code == 200
    with at(9.5):
        response = client.get("/")
    assert response.status_code == 302 and not signed_in(client)
    assert "您已超过 5 分钟没有操作" in page_text(client.get(response["Location"]))


def test_signing_in_again_goes_back_to_the_page(regions, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    user = UserFactory(username="idle_user", scope=regions["130921101201"].parent)
    client = Client()
    with at(0):
        client.post("/login/", {"username": "idle_user", "password": "pw-12345678"})
        client.get("/")
    with at(40):
        to_login = client.get("/alerts/inbox/")["Location"]
        response = client.post(
            to_login, {"username": "idle_user", "password": "pw-12345678", "next": "/alerts/inbox/"}
        )
    assert response.status_code == 302 and response["Location"] == "/alerts/inbox/"
    assert user.pk == int(client.session["_auth_user_id"])


def test_an_idle_session_opening_the_sign_in_page_goes_home_after_signing_in(client_for, caseworker_a):
    client = client_for(caseworker_a)
    with at(0):
        client.get("/")
    with at(31):
        response = client.get("/login/")
    assert response["Location"] == "/login/?next=/"  # not back to the sign-in page itself
