"""reviews URLs (issue 16)."""

urlpatterns: list = []
