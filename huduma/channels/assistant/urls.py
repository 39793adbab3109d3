"""Pages of Digital assistant (filled in by its issue)."""

urlpatterns: list = []
