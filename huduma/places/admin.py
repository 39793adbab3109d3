from django.contrib import admin
from import_export.admin import ImportExportModelAdmin

from huduma.core.csv_safe import ValidatedResource
from huduma.places.models import Centre, Counter, County, SubCounty


class SubCountyInline(admin.TabularInline):
    model = SubCounty
    extra = 0


@admin.register(County)
class CountyAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "capital"]
    search_fields = ["name", "capital"]
    exclude = ["boundary"]
    inlines = [SubCountyInline]


class CentreResource(ValidatedResource):
    class Meta(ValidatedResource.Meta):
        model = Centre


@admin.register(Centre)
class CentreAdmin(ImportExportModelAdmin):
    resource_classes = [CentreResource]
    list_display = ["code", "name", "county", "status"]
    list_filter = ["status", "county"]
    search_fields = ["code", "name", "town"]


@admin.register(Counter)
class CounterAdmin(admin.ModelAdmin):
    list_display = ["centre", "number", "name", "is_active"]
    list_filter = ["centre", "is_active"]
