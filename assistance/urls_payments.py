"""Payment pages (issue 16): county rolls, the finance export, accounts, corrections."""

from django.urls import path

from assistance.views import payments as views

urlpatterns: list = [
    path("rolls/", views.roll_list, name="roll_list"),
    path("rolls/compute/", views.roll_compute, name="roll_compute"),
    path("rolls/<int:pk>/", views.roll_detail, name="roll_detail"),
    path("rolls/<int:pk>/lock/", views.roll_lock, name="roll_lock"),
    path("rolls/<int:pk>/export/", views.roll_export, name="roll_export"),
    path("people/<int:pk>/account/", views.account_edit, name="account_edit"),
    path("grants/<int:pk>/adjustments/", views.adjustment_add, name="adjustment_add"),
]
