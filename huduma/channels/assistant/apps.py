from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssistantConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "huduma.channels.assistant"
    label = "assistant"
    verbose_name = _("Digital assistant")

    def ready(self) -> None:
        # "ULIZA <question>" / "ASK <question>" sent to the inbound SMS number.
        from huduma.channels.assistant.sms import answer_from_sms, register_templates
        from huduma.notify.keywords import register_sms_handler

        register_templates()
        register_sms_handler(answer_from_sms)
