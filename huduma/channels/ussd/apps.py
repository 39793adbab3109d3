from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UssdConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "huduma.channels.ussd"
    label = "ussd"
    verbose_name = _("mHuduma over USSD")
