from django.apps import AppConfig


class QueuesConfig(AppConfig):
    name = "huduma.queues"
    label = "queues"
    verbose_name = "Queues"

    def ready(self):
        from huduma.queues.kit_rules import register_rules as kit_rules

        kit_rules()  # what a field kit may write here (core.kit_rules)
        from huduma.core import refcache
        from huduma.queues.models import DaySkill, OfficerSkill

        refcache.invalidate_on_change(DaySkill)
        refcache.invalidate_on_change(OfficerSkill)
        from huduma.catalogue.services import register_counter_skill_check
        from huduma.queues.services import counter_skill_check

        # The admin's counter-skill form asks queues whether the officer at the counter may
        # serve the service (catalogue imports no app above it).
        register_counter_skill_check(counter_skill_check)
