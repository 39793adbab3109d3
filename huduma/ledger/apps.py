from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "huduma.ledger"
    label = "ledger"
    verbose_name = "Receipts and ledger"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # verify_audit_chain (core) checks the chains against the signed checkpoints too.
        from huduma.core.audit import register_chain_verifier
        from huduma.ledger import checks  # noqa: F401 - registers the start-up checks
        from huduma.ledger.verify import chain_verify

        register_chain_verifier(chain_verify)
