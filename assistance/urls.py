"""URLs of the assistance app, one module per area so each stays small."""

from assistance.urls_applications import urlpatterns as application_urls
from assistance.urls_bank_returns import urlpatterns as bank_return_urls
from assistance.urls_case import urlpatterns as case_urls
from assistance.urls_dashboard import urlpatterns as dashboard_urls
from assistance.urls_exchanges import urlpatterns as exchange_urls
from assistance.urls_followups import urlpatterns as followup_urls
from assistance.urls_notices import urlpatterns as notice_urls
from assistance.urls_payments import urlpatterns as payment_urls
from assistance.urls_reviews import urlpatterns as review_urls

app_name = "assistance"
urlpatterns = [
    *application_urls,
    *case_urls,
    *notice_urls,
    *dashboard_urls,
    *payment_urls,
    *review_urls,
    *exchange_urls,
    *followup_urls,
    *bank_return_urls,
]
