"""Huey tasks of staffing. They take ids and call the app's functions."""

from huey.contrib.djhuey import db_task

from huduma.staffing.planning import plan_compute


@db_task()
def plan_compute_task(plan_id: int) -> None:
    plan_compute(plan_id=plan_id)
