"""A day at an outreach tent, made through the real services on an enrolled kit: reception
issues tickets, a counter calls and serves them, applications are received, fees paid in cash
or by M-Pesa code, ratings and complaints taken. Used by the demo, the tests and the bench
(`manage.py fieldkit day --visits N`)."""

import random
from dataclasses import dataclass

from huduma.accounts.models import Role, User
from huduma.applications.services import application_open
from huduma.catalogue.models import CentreService, CounterService
from huduma.complaints.services import complaint_lodge
from huduma.feedback.services import rating_record
from huduma.outreach.kit import kit_state
from huduma.payments import services as payments
from huduma.places.models import Centre, Counter
from huduma.queues import services as queues
from huduma.queues.models import IssueChannel


@dataclass
class DayReport:
    visits: int = 0
    applications: int = 0
    cash: int = 0
    mpesa_codes: list | None = None
    ratings: int = 0
    complaints: int = 0
    waiting: int = 0


def field_day(*, visits: int, seed: int = 11, waiting: int = 0) -> DayReport:
    """Serve `visits` citizens, one after the other, at the kit's first counter with skills,
    by the first counter officer who came with the kit; then issue `waiting` more tickets
    that are still waiting when the simulation ends."""
    rng = random.Random(seed)  # noqa: S311 - a simulation, not a secret
    centre = Centre.objects.get(code=kit_state().centre_code)
    officer = (
        User.objects.filter(centre=centre, role=Role.COUNTER_OFFICER, is_active=True)
        .order_by("pk")
        .first()
    )
    if officer is None:
        raise SystemExit("No counter officer came with this kit.")
    counter = (
        Counter.objects.filter(centre=centre, is_active=True, skills__isnull=False)
        .order_by("number")
        .first()
    )
    # What the counter can serve of what reception offers here (the outreach's services).
    skills = CounterService.objects.filter(counter=counter, service__offered_at__centre=centre)
    services = [s.service for s in skills.select_related("service") if s.service.is_active]
    if queues.live_session(counter) is None:
        queues.counter_open(counter=counter, officer=officer)
    report = DayReport(mpesa_codes=[])
    # Citizens who queue, early in the day, for a service nobody at this counter serves: their
    # tickets are still waiting at the end (the kit's sync must not wait for them).
    unserved = [
        s.service
        for s in CentreService.objects.filter(centre=centre, service__is_active=True)
        .exclude(service__in=services)
        .select_related("service")
    ]
    if waiting and not unserved:
        raise SystemExit("Every service here is served at this counter: none stays waiting.")
    for n in range(waiting):
        queues.visit_issue(
            centre=centre,
            services=[unserved[n % len(unserved)]],
            channel=IssueChannel.RECEPTION,
            requirements_confirmed=True,
            phone=f"+2547{rng.randrange(10**7, 10**8):08d}",
            actor=officer,
        )
        report.waiting += 1
    for n in range(visits):
        service = services[n % len(services)]
        phone = f"+2547{rng.randrange(10**7, 10**8):08d}"
        queues.visit_issue(
            centre=centre,
            services=[service],
            channel=IssueChannel.RECEPTION,
            requirements_confirmed=True,
            phone=phone,
            actor=officer,
        )
        report.visits += 1
        ticket = queues.ticket_call_next(counter=counter, officer=officer)
        if ticket is None:
            continue
        ticket = queues.ticket_start(ticket=ticket, counter=counter, officer=officer)
        if n % 2 == 0:
            application, _created = application_open(ticket=ticket, officer=officer, phone=phone)
            report.applications += 1
            if application.fee_kes > 0:
                invoice = payments.invoice_for_application(application=application, actor=officer)
                if n % 4 == 0:
                    payments.payment_cash_record(
                        invoice=invoice, amount=invoice.amount_kes, officer=officer
                    )
                    report.cash += 1
                else:
                    code = f"FK{rng.randrange(10**7, 10**8)}"
                    payments.payment_mpesa_code_record(
                        invoice=invoice, code=code, amount=invoice.amount_kes, officer=officer
                    )
                    report.mpesa_codes.append((code, str(invoice.amount_kes)))
        ticket = queues.ticket_finish(ticket=ticket, counter=counter, officer=officer)
        if n % 3 == 0:
            rating_record(ticket_id=ticket.pk, score=rng.randint(1, 5), channel="web")
            report.ratings += 1
        if n % 10 == 0:
            complaint_lodge(
                channel="centre",
                category="delay",
                text=f"Nilisubiri muda mrefu sana chini ya hema ({n}).",
                phone=phone,
                centre=centre,
                service=service,
                ticket=ticket,
                actor=officer,
            )
            report.complaints += 1
    return report
