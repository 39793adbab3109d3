"""Running the cross-training planner on a centre's history and storing its proposal (the
background half of services.plan_propose; the task calls it)."""

import math

from django.db import transaction
from django.utils.translation import gettext as _

from huduma.catalogue.models import Service
from huduma.staffing import planner
from huduma.staffing.establishment import deployed_officers
from huduma.staffing.history import centre_history
from huduma.staffing.models import PlanItem, TrainingPlan


def _prediction(p: planner.Prediction) -> dict:
    def num(x: float) -> float | None:
        return round(x, 2) if math.isfinite(x) else None

    return {
        "mean_min": num(p.mean_min),
        "p90_min": num(p.p90_min),
        "per_service": [
            {"service": w.service, "mean_min": num(w.mean_min), "p90_min": num(w.p90_min)}
            for w in p.per_service
        ],
    }


def plan_compute(*, plan_id: int) -> TrainingPlan:
    """Run the planner on the centre's history (claimed once: a second worker does nothing)."""
    claimed = TrainingPlan.objects.filter(pk=plan_id, status=TrainingPlan.Status.COMPUTING)
    plan = claimed.select_related("centre").first()
    if plan is None:
        return TrainingPlan.objects.get(pk=plan_id)
    history = centre_history(plan.centre, plan.history_from, plan.history_to)
    taken = set(
        PlanItem.objects.filter(
            quarter=plan.quarter,
            status__in=[PlanItem.Status.PLANNED, PlanItem.Status.TRAINED],
            officer__centre=plan.centre,
        ).values_list("officer__username", flat=True)
    )
    if not history.days or not history.officers:
        TrainingPlan.objects.filter(pk=plan.pk).update(
            status=TrainingPlan.Status.FAILED,
            note=_("No history to plan from: the centre served nobody in the last weeks."),
        )
        return TrainingPlan.objects.get(pk=plan.pk)
    proposal = planner.plan(
        history.days,
        history.officers,
        history.services,
        forbidden=history.forbidden,
        busy_this_quarter=frozenset(taken),
        target_ratio=float(plan.target_ratio),
    )
    users = {u.username: u for u in deployed_officers(plan.centre)}
    codes = {s.code: s for s in Service.objects.filter(code__in=history.services)}
    with transaction.atomic():
        for officer, service in proposal.new_skills:
            PlanItem.objects.create(
                plan=plan, officer=users[officer], service=codes[service], quarter=plan.quarter
            )
        plan.prediction = {
            "today": _prediction(proposal.today),
            "planned": _prediction(proposal.planned),
            "settled": _prediction(proposal.settled),
            "pool_mean_min": round(proposal.pool_mean_min, 2),
            "ratio": round(proposal.ratio, 3) if math.isfinite(proposal.ratio) else None,
            "target_met": proposal.target_met,
            "days": len(history.days),
            "evaluations": proposal.evaluations,
        }
        plan.status = TrainingPlan.Status.PROPOSED
        plan.save(update_fields=["prediction", "status"])
    return plan
