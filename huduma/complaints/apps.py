from django.apps import AppConfig


class ComplaintsConfig(AppConfig):
    name = "huduma.complaints"
    label = "complaints"
    verbose_name = "Complaints"

    def ready(self) -> None:
        # The complaint SMS texts live with the complaints; the gateway renders them by name.
        # Registering them here keeps notify/ free of every app's wording.
        from huduma.complaints.sms import register_templates

        register_templates()
