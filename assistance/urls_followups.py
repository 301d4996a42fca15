"""Follow-up (回访) pages (issue 16)."""

from django.urls import path

from assistance.views import followups as views

urlpatterns: list = [
    path("followups/", views.followup_list, name="followup_list"),
    path("followups/<int:pk>/", views.followup_detail, name="followup_detail"),
]
