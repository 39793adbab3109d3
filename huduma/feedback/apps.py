from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "huduma.feedback"
    label = "feedback"
    verbose_name = "Feedback"

    def ready(self) -> None:
        from huduma.feedback.kit_rules import register_rules as kit_rules

        kit_rules()  # what a field kit may write here (core.kit_rules)
