"""Pages of the assistance app: notices."""

urlpatterns: list = []
