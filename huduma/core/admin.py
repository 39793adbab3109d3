from django.contrib import admin

from huduma.core.models import AuditEntry, Holiday


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "actor_label", "action", "object_type", "object_repr"]
    list_filter = ["action", "object_type"]
    search_fields = ["actor_label", "object_repr", "object_id"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Holiday)
class HolidayAdmin(admin.ModelAdmin):
    """The Secretariat keeps the public holidays here; turnaround and escalation clocks skip them."""

    list_display = ["name", "day", "month", "year"]
    list_filter = ["year"]
    search_fields = ["name"]

    def delete_queryset(self, request, queryset):
        from huduma.core import clock

        super().delete_queryset(request, queryset)
        clock.holidays_changed()
