"""The contact centre in the admin: agents' extensions (edited), calls (read only)."""

from django.contrib import admin

from huduma.channels.contact.models import AgentSeat, Call


@admin.register(AgentSeat)
class AgentSeatAdmin(admin.ModelAdmin):
    list_display = ["extension", "agent"]
    search_fields = ["extension", "agent__username"]
    raw_id_fields = ["agent"]


@admin.register(Call)
class CallAdmin(admin.ModelAdmin):
    """Calls change only through their events: read only here. No caller numbers in the list."""

    list_display = ["started_at", "queue", "state", "agent", "outcome", "wrap_up"]
    list_filter = ["queue", "state", "outcome"]
    fields = ["provider", "queue", "state", "agent", "started_at", "answered_at", "ended_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
