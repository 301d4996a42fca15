from django.urls import path

from imports import views

app_name = "imports"
urlpatterns = [
    path("", views.batch_list, name="batch_list"),
    path("upload/", views.batch_upload, name="batch_upload"),
    path("templates/<slug:category>.xlsx", views.feed_template, name="feed_template"),
    path("<int:pk>/", views.batch_detail, name="batch_detail"),
    path("<int:pk>/progress/", views.batch_progress_fragment, name="batch_progress"),
    path("<int:pk>/rejected.csv", views.batch_rejects_csv, name="batch_rejects_csv"),
    path("<int:pk>/rows-to-correct/", views.batch_rows_to_correct, name="batch_rows_to_correct"),
]
