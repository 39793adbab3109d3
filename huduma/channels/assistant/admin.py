from django.contrib import admin

from huduma.channels.assistant.models import AssistantAnswer
from huduma.core.admin_readonly import ReadOnlyAdmin


@admin.register(AssistantAnswer)
class AssistantAnswerAdmin(ReadOnlyAdmin):
    """What the assistant answered and whether it helped: read to improve the catalogue's
    words and the rules, never edited. The sender's digest is not shown."""

    list_display = ["created_at", "channel", "language", "intent", "service", "refused", "helpful"]
    list_filter = ["channel", "language", "intent", "refused", "helpful"]
    search_fields = ["question"]
    date_hierarchy = "created_at"
    exclude = ["sender_digest"]
