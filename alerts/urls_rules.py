"""rules pages of the alerts app."""

urlpatterns: list = []
