"""The monthly lists to medical insurance (data admins)."""

from django.urls import path

from assistance.views import exchanges as views

urlpatterns: list = [
    path("medical-lists/", views.medical_list_list, name="medical_list_list"),
    path("medical-lists/produce/", views.medical_list_produce, name="medical_list_produce"),
    path("medical-lists/<int:pk>/", views.medical_list_detail, name="medical_list_detail"),
    path("medical-lists/<int:pk>/download/", views.medical_list_download, name="medical_list_download"),
    path("medical-lists/<int:pk>/send/", views.medical_list_send, name="medical_list_send"),
    path("medical-lists/<int:pk>/ack/", views.medical_list_ack, name="medical_list_ack"),
]
