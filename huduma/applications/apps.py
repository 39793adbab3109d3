from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApplicationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "huduma.applications"
    verbose_name = _("Applications")

    def ready(self) -> None:
        from huduma.applications.kit_rules import register_rules as kit_rules

        kit_rules()  # what a field kit may write here (core.kit_rules)
        from huduma.applications.sms_texts import SMS_TEMPLATES as ours
        from huduma.notify.templates_text import SMS_TEMPLATES

        SMS_TEMPLATES.update(ours)
        # Stored due days follow a change of the holiday list (core sends after commit).
        from huduma.applications.tasks import holiday_list_changed
        from huduma.core.clock import holiday_list_changed as changed

        changed.connect(holiday_list_changed, dispatch_uid="applications-due-recompute")
