from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "huduma.payments"
    label = "payments"
    verbose_name = "Payments"

    def ready(self) -> None:
        from huduma.payments.kit_rules import register_rules as kit_rules

        kit_rules()  # what a field kit may write here (core.kit_rules)
        # The ledger's reconciliation fetches the card acquirer's statement through us.
        from huduma.ledger.reports import register_statement_source
        from huduma.payments import checks  # noqa: F401 - registers the start-up checks
        from huduma.payments.services import card_statement

        register_statement_source("card", card_statement)
