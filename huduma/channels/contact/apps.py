from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContactConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "huduma.channels.contact"
    label = "contact"
    verbose_name = _("Huduma Contact Centre")

    def ready(self):
        # `load_demo` adds the contact centre's team (accounts imports no channel).
        from huduma.accounts.demo import register_demo_step
        from huduma.channels.contact.demo import demo_contact_lines

        register_demo_step(demo_contact_lines)
