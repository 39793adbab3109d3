from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from huduma.accounts.models import Citizen, Device, User


@admin.register(User)
class StaffAdmin(UserAdmin):
    list_display = ["username", "first_name", "last_name", "role", "centre", "mda", "is_active"]
    list_filter = ["role", "centre", "mda", "is_active"]
    fieldsets = UserAdmin.fieldsets + (
        ("Huduma", {"fields": ("role", "centre", "mda", "phone", "language")}),
    )


@admin.register(Citizen)
class CitizenAdmin(admin.ModelAdmin):
    list_display = ["id", "name", "language", "created_at"]
    # Phone numbers are personal data; searchable by staff with access, not listed.
    search_fields = ["phone"]


@admin.register(Device)
class DeviceAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "centre", "counter", "status", "last_seen_at"]
    list_filter = ["kind", "status", "centre"]
    # Codes and tokens are digests; nobody types them here. Pair and revoke from the centre page.
    readonly_fields = [
        "status",
        "token_hash",
        "pairing_code_hash",
        "pairing_expires_at",
        "paired_at",
        "revoked_at",
        "last_seen_at",
        "created_by",
    ]
