"""Pages of mHuduma over USSD (filled in by its issue)."""

urlpatterns: list = []
