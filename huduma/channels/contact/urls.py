"""Pages of Huduma Contact Centre (filled in by its issue)."""

urlpatterns: list = []
