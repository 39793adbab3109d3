from django.apps import AppConfig


class ComplaintsConfig(AppConfig):
    name = "huduma.complaints"
    label = "complaints"
    verbose_name = "Complaints"

    def ready(self) -> None:
        from huduma.complaints.kit_rules import register_rules as kit_rules

        kit_rules()  # what a field kit may write here (core.kit_rules)
        # The complaint SMS texts live with the complaints; the gateway renders them by name.
        # Registering them here keeps notify/ free of every app's wording.
        from huduma.complaints.sms import register_templates

        register_templates()
        # "COMPLAINT ..." / "MALALAMIKO ..." sent to the inbound SMS number.
        from huduma.complaints.services import complaint_from_sms
        from huduma.notify.keywords import register_sms_handler

        register_sms_handler(complaint_from_sms)
        # Open311 answers the size gate's refusals (413, 400) in its own error list.
        from huduma.complaints.open311 import refusal
        from huduma.core.middleware import register_refusal_renderer

        register_refusal_renderer("/open311/", refusal)
        # Stored due times follow a change of the holiday list (core sends after commit).
        from huduma.complaints.tasks import holiday_list_changed
        from huduma.core.clock import holiday_list_changed as changed

        changed.connect(holiday_list_changed, dispatch_uid="complaints-due-recompute")
        # `load_demo` prints the demo Open311 key (accounts imports no complaints).
        from huduma.accounts.demo import register_demo_step
        from huduma.complaints.services import open311_demo_lines

        register_demo_step(open311_demo_lines)
