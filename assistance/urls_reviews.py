"""Reviews (复核) and a grant's page with its exit (issue 16)."""

from django.urls import path

from assistance.views import reviews

urlpatterns = [
    path("reviews/", reviews.review_list, name="review_list"),
    path("reviews/<int:pk>/", reviews.review_detail, name="review_detail"),
    path("grants/<int:pk>/", reviews.grant_detail, name="grant_detail"),
]
