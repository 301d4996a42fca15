"""Triage pages of the alerts app: the inbox, one alert, its actions, a household's roll-up."""

from django.urls import path

from alerts.views import triage as views

urlpatterns = [
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/bulk-assign/", views.bulk_assign, name="bulk_assign"),
    path("inbox/bulk-assign/assignees/", views.bulk_assignees, name="bulk_assignees"),
    path("inbox/<int:pk>/", views.alert_detail, name="alert_detail"),
    path("inbox/<int:pk>/claim/", views.alert_claim, name="alert_claim"),
    path("inbox/<int:pk>/assign/", views.alert_assign, name="alert_assign"),
    path("inbox/<int:pk>/verify/", views.alert_start_verification, name="alert_start_verification"),
    path("inbox/<int:pk>/visit/", views.alert_record_visit, name="alert_record_visit"),
    path("inbox/<int:pk>/close/", views.alert_close, name="alert_close"),
    path("inbox/<int:pk>/reopen/", views.alert_reopen, name="alert_reopen"),
    path("households/<int:pk>/", views.household_alerts, name="household_alerts"),
]
