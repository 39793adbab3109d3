from django.apps import AppConfig
from django.db.models.signals import post_migrate, pre_migrate
from django.utils.translation import gettext_lazy as _


def _before_migrate(sender, using, **kwargs):
    from django.db import connections

    from huduma.insights import dbhooks

    dbhooks.remove(connections[using])


def _after_migrate(sender, using, **kwargs):
    from django.db import connections

    from huduma.insights import dbhooks

    dbhooks.install(connections[using])


class InsightsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "huduma.insights"
    label = "insights"
    verbose_name = _("National dashboard and reports")

    def ready(self) -> None:
        # Once per migrate (sender=self): the triggers live on other apps' tables.
        pre_migrate.connect(_before_migrate, sender=self, dispatch_uid="insights-db-hooks-off")
        post_migrate.connect(_after_migrate, sender=self, dispatch_uid="insights-db-hooks-on")
        # `load_demo` ends by refreshing the rollups over the demo's rows (runs last: insights
        # is the last app registering a step).
        from huduma.accounts.demo import register_demo_step
        from huduma.insights.demo import demo_insights_lines

        register_demo_step(demo_insights_lines)
