from django.contrib import admin, messages
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from huduma.core import clock
from huduma.core.admin_readonly import ReadOnlyAdmin
from huduma.core.audit_diff import changes
from huduma.core.clock import NAIROBI
from huduma.core.holidays import movable_missing
from huduma.core.models import AuditEntry, Holiday

SUMMARY_CHANGES = 4  # changes shown per row of the list; the entry's page shows them all


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    """The audit log, newest first: who did what, and before → after of only what changed."""

    list_display = ["when", "actor_label", "action", "object_repr", "changes_summary"]
    list_filter = ["action", "object_type"]
    search_fields = ["actor_label", "object_repr", "object_id"]
    date_hierarchy = "at"
    ordering = ["-id"]
    fields = [
        "when",
        "actor_label",
        "action",
        "object_type",
        "object_id",
        "object_repr",
        "changes_table",
        "hash",
        "prev_hash",
    ]
    readonly_fields = fields

    @admin.display(description=_("when (Nairobi time)"), ordering="at")
    def when(self, entry: AuditEntry) -> str:
        return entry.at.astimezone(NAIROBI).strftime("%Y-%m-%d %H:%M:%S")

    @admin.display(description=_("changes"))
    def changes_summary(self, entry: AuditEntry):
        if entry.action.endswith(".create"):
            return _("new record")  # every field is new: the entry's page lists them
        if entry.action.endswith(".delete"):
            return _("deleted record")
        found = changes(entry)
        if not found:
            return "—"
        shown = found[:SUMMARY_CHANGES]
        if entry.before is None:  # what a domain action recorded, e.g. the counter it opened
            items = format_html_join("", "<li>{}: {}</li>", ((c.field, c.after) for c in shown))
        else:
            items = format_html_join(
                "", "<li>{}: {} → {}</li>", ((c.field, c.before, c.after) for c in shown)
            )
        more = len(found) - len(shown)
        if more:
            items = format_html(
                "{}<li>{}</li>",
                items,
                ngettext("and %(n)s more", "and %(n)s more", more) % {"n": more},
            )
        return format_html('<ul class="audit-changes">{}</ul>', items)

    @admin.display(description=_("changes"))
    def changes_table(self, entry: AuditEntry):
        found = changes(entry, resolve=True)
        if not found:
            return "—"
        rows = format_html_join(
            "",
            '<tr><th scope="row">{}</th><td>{}</td><td>{}</td></tr>',
            ((c.field, c.before, c.after) for c in found),
        )
        return format_html(
            '<table class="audit-changes"><thead><tr><th scope="col">{}</th>'
            '<th scope="col">{}</th><th scope="col">{}</th></tr></thead><tbody>{}</tbody></table>',
            _("Field"),
            _("Before"),
            _("After"),
            rows,
        )


@admin.register(Holiday)
class HolidayAdmin(admin.ModelAdmin):
    """The Secretariat keeps the public holidays here; turnaround and escalation clocks skip them."""

    list_display = ["name", "day", "month", "year"]
    list_filter = ["year"]
    search_fields = ["name"]

    def changelist_view(self, request, extra_context=None):
        # Movable feasts need their date each year: say which are still missing.
        this_year = clock.local_date().year
        for year in (this_year, this_year + 1):
            missing = movable_missing(year)
            if missing:
                messages.warning(
                    request,
                    _("No date yet for %(year)s: %(names)s. Add each with its year.")
                    % {"year": year, "names": ", ".join(missing)},
                )
        return super().changelist_view(request, extra_context)

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        clock.holiday_list_edited()
