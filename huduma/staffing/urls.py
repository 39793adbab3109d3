"""Pages of Establishment, training and the cross-training planner (filled in by its issue)."""

urlpatterns: list = []
