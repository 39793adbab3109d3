from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "huduma.payments"
    label = "payments"
    verbose_name = "Payments"

    def ready(self) -> None:
        from huduma.payments import checks  # noqa: F401 - registers the start-up checks
