"""The training rule, registered into queues (see apps.py): an officer is given a service at a
counter (a lasting skill, a skill for one day, or signing in to the counter) only with a valid
training record for it or an open supervised-practice period the Centre Manager opened.

The rule binds a service once the Secretariat has defined its skill course (a service without
one needs no record yet, so a new service is not blocked before its course exists), and binds
Customer Service Excellence for everyone deployed once that course exists.

Also registered into queues: which services an officer is still learning (the first four weeks
after their first pass, or a supervised-practice period), so that dispatch holds them back from
those while their own customers wait (queues.dispatch.held_back).
"""

import datetime as dt

from django.utils.translation import gettext as _

from huduma.catalogue.models import Service
from huduma.core import refcache
from huduma.queues.errors import NotQualified
from huduma.staffing import selectors
from huduma.staffing.models import Course
from huduma.staffing.simulation import LEARNING_WEEKS


def _person(user) -> str:
    return user.get_full_name() or user.get_username()


def skill_guard(*, officer, service_ids: frozenset, day: dt.date) -> None:
    if not service_ids:
        return
    if selectors.cse_course_exists() and not selectors.has_valid_cse(officer.pk, day):
        raise NotQualified(
            _(
                "%(name)s has no valid Customer Service Excellence (Huduma DNA) training: "
                "record it before they serve at a counter."
            )
            % {"name": _person(officer)},
            field="officer",
        )
    needing = set(
        Course.objects.filter(
            kind=Course.Kind.SERVICE, is_active=True, service_id__in=service_ids
        ).values_list("service_id", flat=True)
    )
    if not needing:
        return
    missing = (
        needing
        - selectors.trained_service_ids(officer.pk, day)
        - selectors.practice_service_ids(officer.pk, day)
    )
    if missing:
        names = ", ".join(sorted(str(s.name) for s in Service.objects.filter(pk__in=missing)))
        raise NotQualified(
            _(
                "%(name)s has no training record for %(services)s: record the training or "
                "open a supervised-practice period first."
            )
            % {"name": _person(officer), "services": names},
            field="officer",
        )


def learning_skills(*, officer_id: int, day: dt.date) -> frozenset:
    """Read at every call-next: through the reference cache (seconds), like the skills."""
    return refcache.get(
        ("staffing-learning", officer_id, day),
        lambda: frozenset(selectors.learning_service_ids(officer_id, day, weeks=LEARNING_WEEKS)),
    )
