"""The Secretariat sets each service's charter wait here; every change is audited."""

from django.contrib import admin

from huduma.core import audit
from huduma.insights.models import WaitTarget


@admin.register(WaitTarget)
class WaitTargetAdmin(admin.ModelAdmin):
    """A new target counts from the next refresh of each day's figures on; `manage.py
    rollup_rebuild` applies it to past days as well."""

    list_display = ["service", "minutes"]
    search_fields = ["service__code", "service__name_en", "service__name_sw"]
    autocomplete_fields = ["service"]

    def save_model(self, request, obj, form, change):
        before = audit.snapshot(WaitTarget.objects.get(pk=obj.pk)) if change else None
        super().save_model(request, obj, form, change)
        audit.record(
            action="insights.wait_target",
            instance=obj,
            before=before,
            after=audit.snapshot(obj),
            actor=request.user,
        )

    def delete_model(self, request, obj):
        before = audit.snapshot(obj)
        audit.record(action="insights.wait_target_deleted", instance=obj, before=before,
                     actor=request.user)  # fmt: skip
        super().delete_model(request, obj)
