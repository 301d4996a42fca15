"""dashboard pages of the alerts app."""

urlpatterns: list = []
