"""URLs of the alerts app, one module per area so each stays small."""

from alerts.urls_dashboard import urlpatterns as dashboard_urls
from alerts.urls_rules import urlpatterns as rules_urls
from alerts.urls_triage import urlpatterns as triage_urls

app_name = "alerts"
urlpatterns = [*triage_urls, *rules_urls, *dashboard_urls]
