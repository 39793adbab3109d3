"""Pages of Service standards, appraisal and savings (filled in by its issue)."""

urlpatterns: list = []
