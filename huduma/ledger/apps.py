from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "huduma.ledger"
    label = "ledger"
    verbose_name = "Receipts and ledger"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from huduma.ledger import checks  # noqa: F401 - registers the start-up checks
