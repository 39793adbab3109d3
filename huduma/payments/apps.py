from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "huduma.payments"
    label = "payments"
    verbose_name = "Payments"

    def ready(self) -> None:
        from huduma.payments.kit_rules import register_rules as kit_rules

        kit_rules()  # what a field kit may write here (core.kit_rules)
        from huduma.payments import checks  # noqa: F401 - registers the start-up checks
