"""Pages of the assistance app: case."""

urlpatterns: list = []
