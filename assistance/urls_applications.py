"""Pages of the assistance app: applications."""

urlpatterns: list = []
