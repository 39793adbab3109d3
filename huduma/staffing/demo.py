"""Training in the demo (`load_demo`): Customer Service Excellence and one service's skill
course, a past session of each with every demo counter officer's pass recorded by the
Secretariat, and a session at GPO Nairobi next week with its officers enrolled.

Once the CSE course exists the training rule binds every officer who serves (staffing/rules.py),
so every demo counter officer gets a pass; the skill course is for the National Registration
Bureau's first service, which only the NRB officers' counter serves."""

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils.text import slugify

from huduma.accounts.models import Role, User
from huduma.catalogue.models import Service
from huduma.core import clock
from huduma.staffing import services
from huduma.staffing.models import Attendance, Course, RedeploymentRequest, TrainingSession

DEMO_CENTRES = ("gpo-nairobi", "kisumu", "eldoret")
TRAINER = "Huduma Kenya Secretariat (demo)"


def _session(course, centre, starts_on, actor) -> TrainingSession:
    session = TrainingSession.objects.filter(
        course=course, centre=centre, starts_on=starts_on
    ).first()
    if session is None:
        session = services.session_create(
            course=course,
            centre=centre,
            starts_on=starts_on,
            ends_on=starts_on + dt.timedelta(days=1),
            trainer=TRAINER,
            actor=actor,
        )
    return session


@transaction.atomic
def demo_training_lines() -> list[str]:
    secretariat = User.objects.filter(username="secretariat").first()
    service = Service.objects.filter(is_active=True, mda__code="NRB").order_by("code").first()
    if secretariat is None or service is None:
        return []
    officers = list(
        User.objects.filter(
            role=Role.COUNTER_OFFICER,
            centre__code__in=DEMO_CENTRES,
            username__startswith="officer.",
        ).select_related("centre", "mda")
    )
    cse, _ = Course.objects.get_or_create(
        code="huduma-dna",
        defaults={
            "kind": Course.Kind.CSE,
            "name_en": "Customer Service Excellence (Huduma DNA)",
            "name_sw": "Ubora wa Huduma kwa Wateja (Huduma DNA)",
            "hours": Decimal(16),
            "valid_months": 24,
        },
    )
    skill, _ = Course.objects.get_or_create(
        kind=Course.Kind.SERVICE,
        service=service,
        defaults={
            "code": slugify(f"skill-{service.code}")[:40],
            "name_en": f"{service.name_en}: the counter skill"[:160],
            "name_sw": f"{service.name_sw}: ujuzi wa dirisha"[:160],
            "hours": Decimal(8),
            "valid_months": 36,
        },
    )
    today = clock.local_date()
    past = today - dt.timedelta(days=60)
    # A national CSE session: every demo officer passes, so the rule lets them serve.
    national = _session(cse, None, past, secretariat)
    for officer in officers:
        services.attendance_record(
            session=national,
            officer=officer,
            result=Attendance.Result.PASSED,
            score=85,
            actor=secretariat,
        )
    # The skill course at GPO Nairobi for its NRB officers, elsewhere nationally.
    gpo = next((o.centre for o in officers if o.centre.code == "gpo-nairobi"), None)
    nrb_officers = [o for o in officers if o.mda_id == service.mda_id]
    gpo_session = _session(skill, gpo, past + dt.timedelta(days=7), secretariat) if gpo else None
    other_session = _session(skill, None, past + dt.timedelta(days=7), secretariat)
    for officer in nrb_officers:
        at_gpo = gpo_session is not None and officer.centre_id == gpo_session.centre_id
        services.attendance_record(
            session=gpo_session if at_gpo else other_session,
            officer=officer,
            result=Attendance.Result.PASSED,
            score=78,
            actor=secretariat,
        )
    # Next week's refresher at GPO: its officers enrolled, results not yet in.
    if gpo is not None:
        upcoming = _session(cse, gpo, today + dt.timedelta(days=7), secretariat)
        for officer in officers:
            if officer.centre_id == gpo.pk and officer.username.endswith("a"):
                services.attendance_record(
                    session=upcoming,
                    officer=officer,
                    result=Attendance.Result.PENDING,
                    actor=secretariat,
                )
    # The NRB's liaison (a back-office officer of the MDA at no centre) with a request to answer.
    User.objects.update_or_create(
        username="liaison.nrb",
        defaults={
            "role": Role.BACK_OFFICE,
            "mda": service.mda,
            "centre": None,
            "first_name": "Liaison",
            "last_name": "NRB",
            "password": secretariat.password,  # the demo's one password
        },
    )
    manager = User.objects.filter(username="manager.gpo").first()
    if gpo is not None and manager is not None:
        asked = RedeploymentRequest.objects.filter(centre=gpo, mda=service.mda)
        if not asked.exists():
            services.redeployment_request(
                centre=gpo,
                mda=service.mda,
                change=2,
                reason="Two more ID officers: the queue for IDs is past the standard most days.",
                actor=manager,
            )
    return [
        ("MDA liaison: liaison.nrb answers the centres' redeployment requests at /staff/staffing/"),
        (
            f"Training: {cse.name_en} and {skill.name_en}, passes recorded for "
            f"{len(officers)} counter officers (manager.gpo: "
            "/staff/centres/gpo-nairobi/training/, officers: /staff/staffing/my-training/)"
        ),
    ]
