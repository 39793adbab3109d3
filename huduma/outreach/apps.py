from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutreachConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "huduma.outreach"
    verbose_name = _("Huduma Mashinani outreach")

    def ready(self) -> None:
        # The outreach SMS texts live with the outreach; the gateway renders them by name.
        from huduma.outreach.sms import register_templates

        register_templates()
        # "MASHINANI <sub-county>" / "MASHINANI STOP" sent to the inbound SMS number.
        from huduma.notify.keywords import register_sms_handler
        from huduma.outreach.publicity import opt_in_from_sms

        register_sms_handler(opt_in_from_sms)
        # An outreach's report counts the records of the kits enrolled for it.
        from huduma.outreach.selectors import outreach_kit_nodes, register_kit_source

        register_kit_source(outreach_kit_nodes)
        # `load_demo` proposes next month's outreach calendar (accounts imports no outreach).
        from huduma.accounts.demo import register_demo_step
        from huduma.outreach.demo import demo_outreach_lines

        register_demo_step(demo_outreach_lines)
