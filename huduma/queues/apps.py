from django.apps import AppConfig


class QueuesConfig(AppConfig):
    name = "huduma.queues"
    label = "queues"
    verbose_name = "Queues"

    def ready(self):
        from huduma.core import refcache
        from huduma.queues.models import DaySkill

        refcache.invalidate_on_change(DaySkill)
