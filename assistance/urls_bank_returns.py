"""What comes back from the bank (issue 16): the return file of a locked roll, failures, a
household's payments."""

from django.urls import path

from assistance.views import bank_returns as views

urlpatterns: list = [
    path("rolls/<int:pk>/return/", views.roll_return_upload, name="roll_return_upload"),
    path("rolls/returns/<int:pk>/", views.roll_return_detail, name="roll_return_detail"),
    path("payments/failures/", views.payment_failures, name="payment_failures"),
    path("households/<int:pk>/payments/", views.household_payments, name="household_payments"),
]
