from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from huduma.accounts.models import Citizen, User


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
