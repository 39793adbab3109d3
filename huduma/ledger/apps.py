from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "huduma.ledger"
    label = "ledger"
    verbose_name = "Receipts and ledger"
    default_auto_field = "django.db.models.BigAutoField"
