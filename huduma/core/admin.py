from django.contrib import admin

from huduma.core.admin_readonly import ReadOnlyAdmin
from huduma.core.models import AuditEntry, Holiday


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ["at", "actor_label", "action", "object_type", "object_repr"]
    list_filter = ["action", "object_type"]
    search_fields = ["actor_label", "object_repr", "object_id"]
    date_hierarchy = "at"


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
