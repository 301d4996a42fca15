"""Headers every response of the app carries: no caching of personal data, a Content-Security-Policy
that allows only the app's own files, and the browser hardening headers; HSTS under HTTPS."""

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from tests.conftest import VILLAGE_A
from tests.factories import household_with_head
from tests.imports.factories import BatchFactory, RejectedRowFactory

pytestmark = pytest.mark.django_db


def test_pages_fragments_downloads_and_errors_are_never_stored(
    client, client_for, data_admin, city_supervisor
):
    household = household_with_head(VILLAGE_A)
    batch = BatchFactory(rejected=1, uploaded_by=data_admin)
    RejectedRowFactory(batch=batch)
    admin = client_for(data_admin)
    responses = {
        "login page": client.get("/login/"),
        "list": admin.get("/households/"),
        "detail": admin.get(f"/households/{household.pk}/"),
        "htmx fragment": admin.get(f"/imports/{batch.pk}/progress/", headers={"HX-Request": "true"}),
        "rejected rows CSV": admin.get(reverse("imports:batch_rejects_csv", args=[batch.pk])),
        "admin list": admin.get("/admin/households/household/"),
        "404": admin.get("/households/999999/"),
        "400": admin.get("/households/?q=%00"),
    }
    responses["Excel export"] = client_for(city_supervisor).get(reverse("alerts:dashboard_export"))
    for what, response in responses.items():
        assert "no-store" in response["Cache-Control"], what


def test_the_content_security_policy_allows_only_the_apps_own_files(client):
    policy = client.get("/login/")["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"
    assert "unsafe" not in policy and "http" not in policy


def test_browser_hardening_headers(client):
    response = client.get("/login/")
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_under_https_hsts_and_secure_cookies(client, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/login/")["Location"] == "https://testserver/login/"
    response = client.get("/login/", secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert response.cookies[django_settings.CSRF_COOKIE_NAME]["secure"] is True
