"""Admin of performance: who at each county receives the daily reports."""

from django.contrib import admin

from huduma.performance.models import CountyContact


@admin.register(CountyContact)
class CountyContactAdmin(admin.ModelAdmin):
    list_display = ("county", "email", "name")
    list_filter = ("county",)
    search_fields = ("email", "name")
