from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StaffingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "huduma.staffing"
    label = "staffing"
    verbose_name = _("Establishment, training and the cross-training planner")
