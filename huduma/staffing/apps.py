from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StaffingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "huduma.staffing"
    label = "staffing"
    verbose_name = _("Establishment, training and the cross-training planner")

    def ready(self):
        from huduma.queues.services import register_learning_skills, register_skill_guard
        from huduma.staffing.rules import learning_skills, skill_guard

        # The training rule, enforced where queues gives skills (queues imports no staffing).
        register_skill_guard(skill_guard)
        # Learners hold back at call-next (queues.dispatch.held_back); read through the
        # reference cache, emptied when a training result or a practice period is saved here.
        register_learning_skills(learning_skills)
        from huduma.core import refcache
        from huduma.staffing.models import Attendance, SupervisedPractice

        refcache.invalidate_on_change(Attendance, SupervisedPractice)

        # `load_demo` records the demo officers' training (accounts imports no staffing).
        from huduma.accounts.demo import register_demo_step
        from huduma.staffing.demo import demo_training_lines

        register_demo_step(demo_training_lines)
