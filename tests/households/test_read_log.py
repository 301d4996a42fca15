"""The read log: which requests write a row, exactly one per request, and what the row says."""

import pytest
from django.db import connection
from django.http import HttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from households import clock
from households.models import Role
from households.readlog import services
from households.readlog.models import Channel, ReadAction, ReadLogEntry
from imports.models import FeedCategory
from tests.conftest import OTHER_COUNTY_VILLAGE, VILLAGE_A
from tests.factories import AlertFactory, PersonFactory, household_with_head
from tests.imports.factories import BatchFactory, RejectedRowFactory

pytestmark = pytest.mark.django_db


def only_entry() -> ReadLogEntry:
    entries = list(ReadLogEntry.objects.all())
    assert len(entries) == 1, [e.actions for e in entries]
    return entries[0]


def log_inserts(queries) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].startswith('INSERT INTO "readlog_readlogentry"')]


# --- pages of one household or person -----------------------------------------------------------


def test_a_household_page_view_is_one_row_with_who_when_where_and_whom(client_for, caseworker_a):
    household = household_with_head(VILLAGE_A)
    spouse = PersonFactory(household=household, relation="spouse")
    response = client_for(caseworker_a).get(reverse("households:detail", args=[household.pk]))
    assert response.status_code == 200
    entry = only_entry()
    assert entry.actions == [ReadAction.HOUSEHOLD_VIEW]
    assert entry.user == caseworker_a and entry.actor == "caseworker_a" and entry.role == Role.CASEWORKER
    assert entry.channel == Channel.WEB and entry.ip == "127.0.0.1" and entry.at == clock.now()
    assert entry.household_ids == [household.pk]
    assert sorted(entry.person_ids) == sorted([household.members.get(relation="head").pk, spouse.pk])
    assert entry.path == f"/households/{household.pk}/" and entry.status_code == 200


def test_a_household_outside_the_region_is_404_and_not_logged(client_for, caseworker_a):
    household = household_with_head(OTHER_COUNTY_VILLAGE)
    assert client_for(caseworker_a).get(reverse("households:detail", args=[household.pk])).status_code == 404
    assert not ReadLogEntry.objects.exists()


def test_the_triage_household_page_and_an_alert_page_are_logged(client_for, caseworker_a):
    alert = AlertFactory()
    client = client_for(caseworker_a)
    assert client.get(reverse("alerts:household_alerts", args=[alert.household_id])).status_code == 200
    assert client.get(reverse("alerts:alert_detail", args=[alert.pk])).status_code == 200
    household_view, person_view = ReadLogEntry.objects.order_by("id")
    assert household_view.actions == [ReadAction.HOUSEHOLD_VIEW]
    assert household_view.household_ids == [alert.household_id]
    assert person_view.actions == [ReadAction.PERSON_VIEW]
    assert (person_view.person_ids, person_view.household_ids) == ([alert.person_id], [alert.household_id])


@pytest.mark.parametrize("model", ["household", "person", "alert", "rosterentry"])
def test_admin_change_pages_of_people_and_households_are_logged(
    client_for, data_admin, city_supervisor, model
):
    alert = AlertFactory()
    person = alert.person
    if model == "rosterentry":
        from imports.models import RosterEntry

        obj = RosterEntry.objects.create(
            id_number=person.id_number,
            name=person.name,
            batch=BatchFactory(category=FeedCategory.ROSTER),
            household_id_number=person.household.head_id_number,
            relation="head",
            region_code=VILLAGE_A,
            area_type="rural",
            category="dibao",
            since=clock.today(),
        )
        app = "imports"
    else:
        obj = {"household": person.household, "person": person, "alert": alert}[model]
        app = "alerts" if model == "alert" else "households"
    user = city_supervisor if model == "alert" else data_admin
    response = client_for(user).get(reverse(f"admin:{app}_{model}_change", args=[obj.pk]))
    assert response.status_code == 200
    entry = only_entry()
    expected = ReadAction.HOUSEHOLD_VIEW if model == "household" else ReadAction.PERSON_VIEW
    assert entry.actions == [expected]
    assert entry.household_ids == [person.household_id] and entry.person_ids == [person.pk]


def test_browsing_lists_without_an_id_search_writes_nothing(client_for, city_supervisor):
    household_with_head(VILLAGE_A, name="王五")
    client = client_for(city_supervisor)
    assert client.get(reverse("households:list")).status_code == 200
    assert client.get(reverse("households:list"), {"q": "王"}).status_code == 200
    assert client.get(reverse("alerts:inbox"), {"q": "王"}).status_code == 200
    assert client.get(reverse("admin:households_person_changelist"), {"q": "王"}).status_code == 200
    assert not ReadLogEntry.objects.exists()


# --- ID searches --------------------------------------------------------------------------------


def test_an_id_search_is_logged_with_what_it_found_and_the_id_masked(client_for, city_supervisor):
    household = household_with_head(VILLAGE_A)
    head = household.members.get()
    response = client_for(city_supervisor).get(reverse("households:list"), {"q": head.id_number})
    assert response.status_code == 200
    entry = only_entry()
    assert entry.actions == [ReadAction.ID_SEARCH]
    assert entry.household_ids == [household.pk]
    assert entry.path == f"/households/?q={head.masked_id}"
    assert head.id_number not in entry.path


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("1309", "1309"),  # four digits: an ID search (the last four of an ID), nothing to mask
        ("13092119", "130921**"),
        ("张三 6194", "张三 6194"),
        ("１３０９２１１９９０", "130921****"),  # full-width digits
        ("130 921-1990 0101", "130921********"),  # spaces and dashes between the digits
    ],
)
def test_searches_with_four_digits_are_id_searches_and_stored_masked(
    client_for, city_supervisor, typed, stored
):
    client_for(city_supervisor).get(reverse("households:list"), {"q": typed})
    entry = only_entry()
    assert entry.actions == [ReadAction.ID_SEARCH]
    assert entry.path == f"/households/?q={stored}"


def test_admin_list_searches_and_autocomplete_by_id_are_logged(client_for, data_admin):
    client = client_for(data_admin)
    client.get(reverse("admin:households_person_changelist"), {"q": "130921199001011234"})
    client.get(reverse("admin:imports_rosterentry_changelist"), {"q": "13092119"})
    paths = [e.path for e in ReadLogEntry.objects.order_by("id")]
    assert paths == [
        "/admin/households/person/?q=130921********1234",
        "/admin/imports/rosterentry/?q=130921**",
    ]


def test_an_id_search_on_a_full_inbox_page_is_one_insert_and_one_query_more(client_for, county_supervisor):
    first = AlertFactory()
    # more than a page (50), all of one person: an ID search finds a person by their full ID
    alerts = [first, *(AlertFactory(person=first.person) for _ in range(54))]
    client = client_for(county_supervisor)
    url = reverse("alerts:inbox")
    client.get(url, {"q": "王"})  # warm-up: sessions, caches
    with CaptureQueriesContext(connection) as plain:
        client.get(url, {"q": "王"})
    with CaptureQueriesContext(connection) as searched:
        response = client.get(url, {"q": first.person.id_number})
    assert response.status_code == 200
    assert log_inserts(plain.captured_queries) == []
    assert len(log_inserts(searched.captured_queries)) == 1
    assert len(searched.captured_queries) <= len(plain.captured_queries) + 2  # the search, the INSERT
    entry = only_entry()
    shown = response.context["page"].alerts
    assert sorted(entry.person_ids) == sorted({a.person_id for a in shown})
    assert sorted(entry.household_ids) == sorted({a.household_id for a in shown})
    assert len(shown) == 50 and {a.pk for a in shown} <= {a.pk for a in alerts}


# --- downloads ----------------------------------------------------------------------------------


def test_the_rejected_rows_report_download_is_logged_with_its_batch(client_for, data_admin):
    batch = BatchFactory(rejected=1, loaded=0)
    RejectedRowFactory(batch=batch)
    response = client_for(data_admin).get(reverse("imports:batch_rejects_csv", args=[batch.pk]))
    b"".join(response.streaming_content)
    entry = only_entry()
    assert entry.actions == [ReadAction.REJECTS_REPORT]
    assert (entry.batch_id, entry.row_count) == (batch.pk, 1)


def test_the_dashboard_export_is_logged(client_for, city_supervisor):
    response = client_for(city_supervisor).get(reverse("alerts:dashboard_export"))
    assert response.status_code == 200
    assert only_entry().actions == [ReadAction.DASHBOARD_EXPORT]


def test_an_admin_export_is_logged(client_for, data_admin):
    response = client_for(data_admin).post(
        reverse("admin:imports_department_export"), {"format": "0", "departmentresource_code": "on"}
    )
    assert response["Content-Disposition"].startswith("attachment")
    assert only_entry().actions == [ReadAction.ADMIN_EXPORT]


def test_any_other_download_is_logged_as_a_download(caseworker_a):
    request = RequestFactory().get("/somewhere.csv")
    request.user = caseworker_a
    response = HttpResponse(b"x", headers={"Content-Disposition": 'attachment; filename="x.csv"'})
    services.request_entry_write(request, response)
    assert only_entry().actions == [ReadAction.DOWNLOAD]


# --- the API for full IDs, and where the client is ----------------------------------------------


def test_showing_a_full_id_goes_through_the_logging_api(caseworker_a):
    head = household_with_head(VILLAGE_A).members.get()
    request = RequestFactory().get("/households/1/")
    request.user = caseworker_a
    assert services.unmasked_id(request, head) == head.id_number
    services.request_entry_write(request, HttpResponse())
    entry = only_entry()
    assert entry.actions == [ReadAction.ID_UNMASKED]
    assert (entry.person_ids, entry.household_ids) == ([head.pk], [head.household_id])


@pytest.mark.parametrize(
    ("trusted", "forwarded", "expected"),
    [
        (False, "203.0.113.9", "10.1.1.1"),  # not configured: the header is ignored
        (True, "198.51.100.7, 203.0.113.9", "203.0.113.9"),  # the last hop (the bureau's proxy)
        (True, "not-an-address", "10.1.1.1"),
    ],
)
def test_the_client_address_trusts_x_forwarded_for_only_when_configured(
    settings, trusted, forwarded, expected
):
    settings.TRUST_X_FORWARDED_FOR = trusted
    request = RequestFactory().get("/", REMOTE_ADDR="10.1.1.1", HTTP_X_FORWARDED_FOR=forwarded)
    assert services.client_ip(request) == expected


def test_anonymous_requests_are_not_logged(client):
    client.get(reverse("households:list"), {"q": "130921199001011234"})
    assert not ReadLogEntry.objects.exists()


def test_only_the_search_box_counts_as_an_id_search(client_for, city_supervisor):
    client_for(city_supervisor).get(reverse("households:list"), {"before": "12345678"})
    assert not ReadLogEntry.objects.exists()


@pytest.mark.parametrize("model", ["households_person", "households_household", "imports_namemismatch"])
def test_an_admin_id_search_names_the_rows_it_listed(client_for, data_admin, model):
    household = household_with_head(VILLAGE_A)
    head = household.members.get()
    if model == "imports_namemismatch":
        from imports.models import NameMismatch

        batch = BatchFactory(loaded=1)
        NameMismatch.objects.create(
            batch=batch, row_number=2, id_number=head.id_number, name_in_file="某", name_in_registry=head.name
        )
    response = client_for(data_admin).get(reverse(f"admin:{model}_changelist"), {"q": head.id_number})
    assert response.status_code == 200
    entry = only_entry()
    assert entry.actions == [ReadAction.ID_SEARCH]
    assert entry.household_ids == [household.pk]
    assert entry.person_ids == ([] if model == "households_household" else [head.pk])
