from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "huduma.notify"
    label = "notify"
    verbose_name = "Notifications"
