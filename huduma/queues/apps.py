from django.apps import AppConfig


class QueuesConfig(AppConfig):
    name = "huduma.queues"
    label = "queues"
    verbose_name = "Queues"
