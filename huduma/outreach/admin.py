"""The admin of Huduma Mashinani: plans can be corrected there (their ticket letter, days and
status are the planning pages' to set); money, citizens' opt-ins and suggestions, field kits and what they
synced are history, read-only (kits are registered and revoked on the centre's field-kits page).
"""

from django.contrib import admin

from huduma.core.admin_readonly import ReadOnlyAdmin
from huduma.outreach.plan_models import (
    Announcement,
    Expense,
    LogisticsItem,
    OptIn,
    Outreach,
    OutreachDay,
    OutreachOfficer,
    OutreachService,
    Reimbursement,
    Suggestion,
)
from huduma.outreach.sync_models import (
    FieldKit,
    MpesaCodeCheck,
    RefusedPush,
    SyncConflict,
    SyncItem,
)


class OutreachDayInline(admin.TabularInline):
    """Days move through outreach_set_days, which allots the ticket letter and checks cover."""

    model = OutreachDay
    extra = 0
    can_delete = False
    fields = ["date", "ticket_prefix"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class OutreachServiceInline(admin.TabularInline):
    model = OutreachService
    extra = 0
    raw_id_fields = ["service"]


class OutreachOfficerInline(admin.TabularInline):
    model = OutreachOfficer
    extra = 0
    raw_id_fields = ["service", "officer"]


class LogisticsItemInline(admin.TabularInline):
    model = LogisticsItem
    extra = 0


@admin.register(Outreach)
class OutreachAdmin(admin.ModelAdmin):
    list_display = ["sub_county", "centre", "month", "status", "ticket_prefix", "venue_name"]
    list_filter = ["status", "centre"]
    search_fields = ["sub_county__name", "venue_name"]
    date_hierarchy = "month"
    list_select_related = ["sub_county", "centre"]
    # The letter, the status (cancelling frees the officers) and when stakeholders were told
    # are the planning verbs' to set.
    readonly_fields = [
        "ticket_prefix",
        "status",
        "communicated_at",
        "created_by",
        "created_at",
        "updated_at",
    ]
    raw_id_fields = ["centre", "sub_county"]
    inlines = [OutreachDayInline, OutreachServiceInline, OutreachOfficerInline, LogisticsItemInline]


@admin.register(Expense)
class ExpenseAdmin(ReadOnlyAdmin):
    list_display = ["outreach", "description", "amount_kes", "receipt_number", "spent_on"]
    list_select_related = ["outreach__sub_county"]


@admin.register(Reimbursement)
class ReimbursementAdmin(ReadOnlyAdmin):
    list_display = ["outreach", "amount_kes", "status", "requested_at", "approved_at"]
    list_filter = ["status"]
    list_select_related = ["outreach__sub_county"]


@admin.register(Announcement)
class AnnouncementAdmin(ReadOnlyAdmin):
    list_display = ["outreach", "recipients", "announced_at"]
    list_select_related = ["outreach__sub_county"]


@admin.register(OptIn)
class OptInAdmin(ReadOnlyAdmin):
    # The phone stays out of the list: it is personal data, searchable by the exact number only.
    list_display = ["sub_county", "language", "source", "opted_in_at", "opted_out_at"]
    list_filter = ["source", "language"]
    search_fields = ["=phone"]


@admin.register(Suggestion)
class SuggestionAdmin(ReadOnlyAdmin):
    list_display = ["sub_county", "venue", "services", "created_at"]


@admin.register(FieldKit)
class FieldKitAdmin(ReadOnlyAdmin):
    list_display = ["node_id", "device", "outreach", "ticket_prefix", "last_push_at"]
    list_select_related = ["device", "outreach__sub_county"]
    exclude = ["token_hash"]


@admin.register(SyncItem)
class SyncItemAdmin(ReadOnlyAdmin):
    list_display = ["node_id", "seq", "model", "record_id", "outcome", "received_at"]
    list_filter = ["outcome", "model"]
    search_fields = ["=node_id", "=record_id"]


@admin.register(SyncConflict)
class SyncConflictAdmin(ReadOnlyAdmin):
    """Resolved on the centre's field-kits page (keep the server's or take the kit's)."""

    list_display = ["kit", "seq", "model", "record_id", "status", "created_at"]
    list_filter = ["status", "model"]


@admin.register(RefusedPush)
class RefusedPushAdmin(ReadOnlyAdmin):
    list_display = ["kit", "at", "address", "records"]


@admin.register(MpesaCodeCheck)
class MpesaCodeCheckAdmin(ReadOnlyAdmin):
    list_display = ["code", "kit", "outcome", "checked_at"]
    list_filter = ["outcome"]
