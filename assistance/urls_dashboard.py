"""The dashboard's assistance fragment, for the user's region or a region drilled into (the same
region codes as the alerts dashboard; one name, reversed with or without the code)."""

from django.urls import path, re_path

from alerts.urls_dashboard import REGION
from assistance.views import dashboard

urlpatterns = [
    path("dashboard/figures/", dashboard.dashboard_figures, name="dashboard_figures"),
    re_path(rf"^dashboard/{REGION}/figures/$", dashboard.dashboard_figures, name="dashboard_figures"),
]
