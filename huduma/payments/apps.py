from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "huduma.payments"
    label = "payments"
    verbose_name = "Payments"
