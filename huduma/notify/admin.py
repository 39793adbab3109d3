from django.contrib import admin

from huduma.notify.models import Message


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["created_at", "channel", "template", "status", "attempts", "provider"]
    list_filter = ["status", "channel", "template", "provider"]
    readonly_fields = [f.name for f in Message._meta.fields]
    # Numbers and bodies are personal data: the list shows neither.

    def has_add_permission(self, request):
        return False
