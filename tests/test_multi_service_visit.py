"""A visit with three services keeps its arrival time in every queue ("no wrong door")."""

import pytest

from huduma.queues import services
from huduma.queues.models import TicketEvent

pytestmark = pytest.mark.django_db


def serve(counter, officer):
    ticket = services.ticket_call_next(counter=counter, officer=officer)
    services.ticket_start(ticket=ticket, counter=counter, officer=officer)
    services.ticket_finish(ticket=ticket, counter=counter, officer=officer)
    return ticket


def test_visit_keeps_its_arrival_time_across_three_services(world, clock, officers):
    gpo = world.gpo
    c1, c2, c3 = (world.counters[("gpo-nairobi", n)] for n in (1, 2, 3))
    for number, counter in ((1, c1), (2, c2), (3, c3)):
        services.counter_open(counter=counter, officer=officers[number])

    def issue(svcs):
        return services.visit_issue(
            centre=gpo, services=svcs, channel="reception", requirements_confirmed=True
        )

    # 09:00 Wanjiru arrives for an ID, NHIF registration and a KRA PIN.
    wanjiru = issue([world.id_dup, world.nhif_reg, world.kra_pin])
    # 09:05 and 09:10 two others queue directly for NHIF and KRA.
    clock.advance(minutes=5)
    nhif_walk_in = issue([world.nhif_reg])
    clock.advance(minutes=5)
    kra_walk_in = issue([world.kra_pin])

    # 09:12 counter 1 serves her ID; counter 3 (KRA and NHIF) is busy meanwhile.
    clock.advance(minutes=2)
    busy = services.ticket_call_next(counter=c3, officer=officers[3])
    assert busy.visit_id == nhif_walk_in.pk  # the earliest NHIF-or-KRA ticket waiting
    assert serve(c1, officers[1]).visit_id == wanjiru.pk

    # Her NHIF ticket joins the NHIF queue with her 09:00 arrival: ahead of nobody left there.
    clock.advance(minutes=1)
    assert serve(c2, officers[2]).visit_id == wanjiru.pk

    # Counter 3 finishes its walk-in; her KRA ticket (09:00) goes before the 09:10 walk-in.
    services.ticket_start(ticket=busy, counter=c3, officer=officers[3])
    services.ticket_finish(ticket=busy, counter=c3, officer=officers[3])
    clock.advance(minutes=1)
    assert serve(c3, officers[3]).visit_id == wanjiru.pk
    assert services.ticket_call_next(counter=c3, officer=officers[3]).visit_id == kra_walk_in.pk

    assert set(wanjiru.tickets.values_list("status", flat=True)) == {"served"}
    # The history is all events: each service was waiting, called, serving, served.
    kinds = list(
        TicketEvent.objects.filter(ticket__visit=wanjiru)
        .order_by("at", "ticket__position")
        .values_list("kind", flat=True)
    )
    assert kinds.count("served") == 3 and kinds.count("waiting") == 3


def test_staff_can_add_a_service_that_queues_after_the_current_one(world, clock, officers):
    c1 = world.counters[("gpo-nairobi", 1)]
    services.counter_open(counter=c1, officer=officers[1])
    visit = services.visit_issue(
        centre=world.gpo, services=[world.id_dup], channel="reception", requirements_confirmed=True
    )
    ticket = services.ticket_call_next(counter=c1, officer=officers[1])
    added = services.visit_add_service(visit=visit, service=world.kra_pin, actor=officers[1])
    assert added.status == "pending"
    services.ticket_start(ticket=ticket, counter=c1, officer=officers[1])
    services.ticket_finish(ticket=ticket, counter=c1, officer=officers[1])
    added.refresh_from_db()
    assert added.status == "waiting"
    assert added.queue_key == visit.arrived_at.timestamp()  # arrival kept
