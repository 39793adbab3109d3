from django.contrib import admin

from huduma.feedback.models import Misuse, Rating


@admin.register(Rating)
class RatingAdmin(admin.ModelAdmin):
    """Ratings are the citizens' words: readable, never edited."""

    list_display = ["at", "centre", "counter", "service", "score", "channel", "ending"]
    list_filter = ["channel", "score", "centre"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Misuse)
class MisuseAdmin(RatingAdmin):
    list_display = ["at", "centre", "counter", "kind", "score"]
    list_filter = ["kind", "centre"]
