"""Dashboard pages of the alerts app: the user's own region, drill-down by region, Excel export."""

from django.urls import path, re_path

from alerts.views import dashboard

REGION = r"(?P<code>\d{6}|\d{9}|\d{12})"

urlpatterns = [
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("dashboard/export.xlsx", dashboard.dashboard_export, name="dashboard_export"),
    re_path(rf"^dashboard/{REGION}/$", dashboard.dashboard, name="dashboard_region"),
    re_path(
        rf"^dashboard/{REGION}/export\.xlsx$", dashboard.dashboard_export, name="dashboard_region_export"
    ),
]
