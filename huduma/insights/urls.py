"""Pages of National dashboard and reports (filled in by its issue)."""

urlpatterns: list = []
