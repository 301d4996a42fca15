from django.urls import path

from households import views
from households.readlog import views as readlog_views

app_name = "households"
urlpatterns = [
    path("", views.household_list, name="list"),
    path("<int:pk>/", views.household_detail, name="detail"),
    path("<int:pk>/reads/", readlog_views.household_reads, name="reads"),
]
