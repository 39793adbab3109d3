from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "huduma.core"
    label = "core"
    verbose_name = "Core"
