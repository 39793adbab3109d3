"""The admin: complaints read-only (nobody edits what a citizen wrote or deletes a complaint);
Open311 clients created with a key shown once, revoked by setting "revoked"."""

from django.contrib import admin, messages
from django.utils.translation import gettext as _

from huduma.complaints import services
from huduma.complaints.models import ApiClient, Complaint, ComplaintEvent
from huduma.core.admin_readonly import ReadOnlyAdmin


class ComplaintEventInline(admin.TabularInline):
    model = ComplaintEvent
    extra = 0
    can_delete = False
    fields = ["at", "kind", "level", "actor_label", "note"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Complaint)
class ComplaintAdmin(ReadOnlyAdmin):
    list_display = ["reference", "category", "channel", "status", "level", "centre", "created_at"]
    list_filter = ["status", "level", "category", "channel"]
    search_fields = ["reference"]
    # Personal data (phone, text) stays on the complaint pages, which check the role.
    fields = ["reference", "category", "channel", "status", "level", "centre", "mda", "due_at"]
    readonly_fields = fields
    inlines = [ComplaintEventInline]


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    list_display = ["name", "key_prefix", "created_at", "revoked_at"]
    fields = ["name", "key_prefix", "revoked_at"]
    readonly_fields = ["key_prefix"]

    def save_model(self, request, obj, form, change):
        if not change:
            key, obj.key_prefix, obj.key_hash = services.new_api_key()
            messages.warning(
                request,
                _("Open311 API key for %(name)s (shown only now): %(key)s")
                % {"name": obj.name, "key": key},
            )
        super().save_model(request, obj, form, change)

    def has_delete_permission(self, request, obj=None):
        return False  # revoke instead: the complaints it filed keep their client
