"""Reads of performance shared by its pages: whom a manager appraises, an officer's
appraisals and rewards or sanctions, the savings method's history."""

import datetime as dt

from django.contrib.auth import get_user_model

from huduma.accounts.models import Role
from huduma.performance import appraisal
from huduma.performance.models import Appraisal, Recognition, SavingsMethod
from huduma.performance.permissions import APPRAISED_ROLES


def appraised_officers(centre) -> list:
    """The centre's active staff a manager appraises (not its managers), by name."""
    roles = [r for r in APPRAISED_ROLES if r != Role.CENTRE_MANAGER]
    return list(
        get_user_model()
        .objects.filter(centre=centre, role__in=roles, is_active=True)
        .order_by("first_name", "last_name", "username")
    )


def appraisals_of(officer) -> list[Appraisal]:
    return list(
        Appraisal.objects.filter(officer=officer)
        .select_related("appraised_by")
        .order_by("-last_day", "-pk")
    )


def recognitions_of(officer) -> list[Recognition]:
    return list(
        Recognition.objects.filter(officer=officer)
        .select_related("proposed_by", "decided_by")
        .order_by("-proposed_at", "-pk")
    )


def officer_figures_with_names(officer, first: dt.date, last: dt.date) -> dict:
    return appraisal.officer_figures(officer, first, last)


def savings_history(limit: int = 20) -> list[SavingsMethod]:
    return list(
        SavingsMethod.objects.select_related("created_by").order_by("-created_at", "-id")[:limit]
    )
