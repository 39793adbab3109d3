from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "huduma.notify"
    label = "notify"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from huduma.notify.kit_rules import register_rules as kit_rules

        kit_rules()  # what a field kit may write here (core.kit_rules)
        from huduma.notify import tasks  # noqa: F401  registers the delivery task with services
