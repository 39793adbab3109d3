"""Read-only views of the queue records for support staff; every change goes through services."""

from django.contrib import admin

from huduma.queues.models import (
    Appointment,
    CounterSession,
    DaySkill,
    OfficerSkill,
    Ticket,
    TicketEvent,
    Visit,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class TicketInline(admin.TabularInline):
    model = Ticket
    extra = 0
    fields = ["position", "service", "status", "counter", "called_at", "finished_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Visit)
class VisitAdmin(ReadOnlyAdmin):
    # The phone is personal data: not listed, not searchable.
    list_display = ["number", "centre", "service_day", "arrived_at", "priority", "channel"]
    list_filter = ["centre", "service_day", "channel", "priority"]
    search_fields = ["number"]
    exclude = ["phone"]
    inlines = [TicketInline]


@admin.register(TicketEvent)
class TicketEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "kind", "ticket", "counter", "actor"]
    list_filter = ["kind", "centre"]
    date_hierarchy = "at"


@admin.register(CounterSession)
class CounterSessionAdmin(ReadOnlyAdmin):
    list_display = ["counter", "officer", "status", "opened_at", "closed_at"]
    list_filter = ["status", "counter__centre"]


@admin.register(Appointment)
class AppointmentAdmin(ReadOnlyAdmin):
    list_display = ["reference", "centre", "service", "slot_start", "status"]
    list_filter = ["status", "centre"]
    search_fields = ["reference"]
    exclude = ["phone"]


@admin.register(DaySkill)
class DaySkillAdmin(ReadOnlyAdmin):
    """Services moved to a counter for one day from the live view (they lapse by themselves)."""

    list_display = ["day", "counter", "service", "added_by", "added_at"]
    list_filter = ["day", "counter__centre"]
    date_hierarchy = "day"


@admin.register(OfficerSkill)
class OfficerSkillAdmin(ReadOnlyAdmin):
    """Read only: a second skill is given on the staffing pages, through the training rule."""

    list_display = ["officer", "service", "granted_by", "granted_at"]
