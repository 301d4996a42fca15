"""A NUL or another control character in a request answers 400 with a Chinese message, never 500.

PostgreSQL cannot hold a NUL: before households.web.guards, `/households/?q=%00`, seventeen admin
list filters and an admin change URL reached a query with it and answered 500. The walk below
finds every parameter of every page the way a person (or a scanner) would: from the forms and
filter links of each page without URL arguments (every app list and every admin list), as every
role, and sends each one back with a NUL.
"""

import re
from html import unescape
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver

from households.models import Role
from imports.models import ImportBatch
from tests.alerts.triage_factories import alert_in
from tests.conftest import VILLAGE_A
from tests.factories import UserFactory, household_with_head, region
from tests.helpers import page_text
from tests.imports.factories import BatchFactory, RejectedRowFactory

pytestmark = pytest.mark.django_db

MESSAGE = "含有控制字符"
NOT_PARAMETERS = {"csrfmiddlewaretoken", "language", "next"}


def urls_without_arguments(patterns=None, prefix="/") -> list[str]:
    """Every URL of the site that takes no argument (app lists, admin lists, add pages …)."""
    found = []
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        route = str(entry.pattern)
        if isinstance(entry, URLResolver):
            if not re.search(r"[<(]", route):
                found += urls_without_arguments(entry.url_patterns, prefix + route.lstrip("^"))
        elif isinstance(entry, URLPattern) and not re.search(r"[<(\\]", route.strip("^$")):
            found.append(prefix + route.strip("^$"))
    return sorted(set(found))


def parameters_offered(html: str) -> set[str]:
    """The names a page sends back: its form fields and the parameters of its own links."""
    names = set(re.findall(r'<(?:input|select|textarea)[^>]*\bname="([^"]+)"', html))
    for href in re.findall(r'href="(\?[^"]*)"', html):
        names |= {name for name, _ in parse_qsl(urlsplit(unescape(href)).query, keep_blank_values=True)}
    return names - NOT_PARAMETERS


def assert_refused(response, what: str) -> None:
    assert response.status_code == 400, f"{what}: {response.status_code}"
    assert MESSAGE in page_text(response), what


@pytest.fixture
def rows(regions, caseworker_a):
    """A row for each kind of list, so that filters on related rows offer a value."""
    household_with_head(VILLAGE_A, name="王大")
    alert_in(VILLAGE_A, assignee=caseworker_a)
    RejectedRowFactory(batch=BatchFactory(rejected=1))


@pytest.fixture
def everyone(regions, caseworker_a, county_supervisor, city_supervisor, data_admin):
    superuser = UserFactory(username="root", is_superuser=True, role=Role.DATA_ADMIN, scope=region("130900"))
    return [superuser, data_admin, city_supervisor, county_supervisor, caseworker_a]


def test_every_parameter_of_every_list_with_a_nul_answers_400(client, rows, everyone):
    client.raise_request_exception = False
    urls = urls_without_arguments()
    assert "/households/" in urls and "/admin/households/region/" in urls
    probed = set()
    for user in everyone:
        client.force_login(user)
        for url in urls:
            if url.startswith(("/logout/", "/i18n/")):
                continue
            response = client.get(url)
            assert response.status_code < 500, url
            if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
                continue
            for name in parameters_offered(response.content.decode()) | {"q"}:
                assert_refused(client.get(url, {name: "\x00"}), f"{user.username} {url}?{name}")
                probed.add((url, name))
    # the places that answered 500 before, among many more
    for known in [
        ("/households/", "q"),
        ("/admin/households/region/", "level__exact"),
        ("/admin/households/user/", "role__exact"),
        ("/admin/imports/importbatch/", "status__exact"),
        ("/admin/imports/rejectedrow/", "reason_code"),
        ("/admin/alerts/alert/", "rule__exact"),
        ("/admin/alerts/alertevent/", "action__exact"),
    ]:
        assert known in probed, known
    assert len(probed) > 150


def test_other_control_characters_and_names_are_refused_too(client_for, caseworker_a):
    client = client_for(caseworker_a)
    response = client.get("/households/", {"q": "张\x01三"})
    assert_refused(response, "SOH")
    assert "预警处置" in page_text(response)  # in the layout, with the user's navigation
    assert_refused(client.get("/households/", {"q": "张\x7f"}), "DEL")
    assert_refused(client.get("/households/", {"q\x00": "张"}), "NUL in a name")
    assert_refused(client.get("/households/?q=%C2%85"), "C1 next line")


def test_tabs_and_line_breaks_are_ordinary_text(client_for, caseworker_a):
    household_with_head(VILLAGE_A, name="王大")
    client = client_for(caseworker_a)
    response = client.get("/households/", {"q": "王大\t\r\n"})  # pasted from a spreadsheet cell
    assert response.status_code == 200
    assert "王大" in page_text(response)


def test_a_nul_in_a_posted_field_answers_400_and_changes_nothing(client_for, caseworker_a, data_admin):
    alert = alert_in(VILLAGE_A)
    client = client_for(caseworker_a)
    response = client.post(
        f"/alerts/inbox/{alert.pk}/claim/", {"lock_version": alert.lock_version, "note": "好\x00"}
    )
    assert_refused(response, "claim")
    alert.refresh_from_db()
    assert alert.assignee is None

    client = client_for(data_admin)
    upload = SimpleUploadedFile("医保.csv", b"a,b\n1,2\n", content_type="text/csv")
    response = client.post("/imports/upload/", {"category": "medical\x00", "file": upload})
    assert_refused(response, "upload (multipart)")
    assert not ImportBatch.objects.exists()


def test_a_nul_in_a_url_or_in_the_session_cookie_answers_400(client_for, client, data_admin):
    client.raise_request_exception = False
    assert_refused(client.get("/admin/households/region/%00/change/"), "path")
    client.cookies["sessionid"] = "abcdefgh\x00ijklmnop"  # sent quoted, as "abcdefgh\000ijklmnop"
    response = client.get("/households/")
    assert_refused(response, "session cookie")
    assert response.cookies["sessionid"].value == ""  # deleted: the next request starts afresh
    assert client.get("/households/").status_code == 302  # to sign in
