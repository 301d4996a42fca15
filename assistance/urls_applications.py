"""Pages of the assistance app: the application list, intake, referrals."""

from django.urls import path

from assistance.views import applications as views

urlpatterns: list = [
    path("applications/", views.application_list, name="application_list"),
    path("applications/new/", views.application_new, name="application_new"),
    path("referrals/", views.referral_list, name="referral_list"),
    path("referrals/<int:pk>/answer/", views.referral_answer, name="referral_answer"),
]
