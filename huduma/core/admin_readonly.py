"""Admin pages for records that are history (audit entries, events, ratings, complaints):
they can be read and searched in the admin, never added, changed or deleted there."""

from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
