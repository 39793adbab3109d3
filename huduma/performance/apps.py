from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PerformanceConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "huduma.performance"
    label = "performance"
    verbose_name = _("Service standards, appraisal and savings")

    def ready(self) -> None:
        # `load_demo` adds a Technical Committee login and past tickets and ratings (accounts
        # imports no performance).
        from huduma.accounts.demo import register_demo_step
        from huduma.performance.demo import demo_performance_lines

        register_demo_step(demo_performance_lines)
