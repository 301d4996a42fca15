"""URLs of the assistance app, one module per area so each stays small."""

from assistance.urls_applications import urlpatterns as application_urls
from assistance.urls_case import urlpatterns as case_urls
from assistance.urls_dashboard import urlpatterns as dashboard_urls
from assistance.urls_notices import urlpatterns as notice_urls

app_name = "assistance"
urlpatterns = [*application_urls, *case_urls, *notice_urls, *dashboard_urls]
