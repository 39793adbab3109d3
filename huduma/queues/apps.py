from django.apps import AppConfig


class QueuesConfig(AppConfig):
    name = "huduma.queues"
    label = "queues"
    verbose_name = "Queues"

    def ready(self):
        from huduma.queues.kit_rules import register_rules as kit_rules

        kit_rules()  # what a field kit may write here (core.kit_rules)
        from huduma.core import refcache
        from huduma.queues.models import DaySkill

        refcache.invalidate_on_change(DaySkill)
