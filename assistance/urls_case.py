"""Pages of the assistance app: case (one application's page and its step actions)."""

from django.urls import path

from assistance.views import case

urlpatterns: list = [
    path("applications/<int:pk>/", case.application_detail, name="application_detail"),
    path("applications/<int:pk>/pass/", case.application_pass, name="application_pass"),
    path("applications/<int:pk>/reject/", case.application_reject, name="application_reject"),
    path("applications/<int:pk>/withdraw/", case.application_withdraw, name="application_withdraw"),
    path("applications/<int:pk>/visit/", case.application_visit, name="application_visit"),
    path("applications/<int:pk>/amount/", case.application_amount, name="application_amount"),
    path("applications/<int:pk>/findings/refresh/", case.findings_refresh, name="findings_refresh"),
    path(
        "applications/<int:pk>/findings/<int:finding_pk>/confirm/",
        case.finding_confirm,
        name="finding_confirm",
    ),
]
