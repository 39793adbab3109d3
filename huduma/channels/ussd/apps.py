from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UssdConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "huduma.channels.ussd"
    label = "ussd"
    verbose_name = _("mHuduma over USSD")

    def ready(self) -> None:
        # The USSD confirmations live with the channel; the gateway renders them by name.
        from huduma.channels.ussd.sms import register_templates

        register_templates()
        # A mistyped allow-list fails at start-up, not at the first call from the operator.
        from django.conf import settings

        from huduma.core.proxy import parse_networks

        parse_networks(settings.USSD_ALLOWED_IPS)
