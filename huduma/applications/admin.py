from django.contrib import admin

from huduma.applications.models import Application, ApplicationEvent, Referral
from huduma.core.admin_readonly import ReadOnlyAdmin


class EventInline(admin.TabularInline):
    model = ApplicationEvent
    extra = 0
    can_delete = False
    fields = ["at", "kind", "status", "actor_label", "note"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Application)
class ApplicationAdmin(ReadOnlyAdmin):
    """Read only: applications change through their verbs, each with its event and SMS."""

    list_display = ["tracking_number", "service", "centre", "status", "due_on", "breached_at"]
    list_filter = ["status", "mda"]
    search_fields = ["tracking_number"]
    inlines = [EventInline]


@admin.register(Referral)
class ReferralAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "centre", "service", "mda", "status"]
    list_filter = ["status", "mda"]
