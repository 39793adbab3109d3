"""The shared pieces of the floor's pages: names in the reader's order, a centre's most used
services."""

from django.utils import translation

from huduma.catalogue.models import Service
from huduma.core.i18n import sorted_by_name
from huduma.queues import selectors, services
from huduma.queues.models import IssueChannel


def test_services_are_ordered_by_the_name_in_the_language_shown():
    a = Service(name_en="Birth certificate", name_sw="Cheti cha kuzaliwa")
    b = Service(name_en="Police clearance", name_sw="Ácheti cha polisi")
    c = Service(name_en="Accident report", name_sw="Ripoti ya ajali")
    assert [s.name_en for s in sorted_by_name([a, b, c], "en")] == [
        "Accident report",
        "Birth certificate",
        "Police clearance",
    ]
    with translation.override("sw"):
        # Accents do not send a name to the end of the list.
        assert [s.name_sw for s in sorted_by_name([a, b, c])] == [
            "Ácheti cha polisi",
            "Cheti cha kuzaliwa",
            "Ripoti ya ajali",
        ]


def test_most_used_services_come_from_the_centres_own_tickets(world):
    centre, rare, common = world.gpo, world.id_dup, world.kra_pin
    for _ in range(3):
        services.visit_issue(
            centre=centre,
            services=[common],
            channel=IssueChannel.RECEPTION,
            requirements_confirmed=True,
        )
    services.visit_issue(
        centre=centre, services=[rare], channel=IssueChannel.RECEPTION, requirements_confirmed=True
    )
    # Kisumu's tickets do not count at GPO.
    for _ in range(5):
        services.visit_issue(
            centre=world.kisumu,
            services=[world.nhif_reg],
            channel=IssueChannel.RECEPTION,
            requirements_confirmed=True,
        )
    assert selectors.most_used_services(centre, limit=2) == [common, rare]


def _serve(world, officer, counter, clock, minutes):
    services.visit_issue(
        centre=world.gpo,
        services=[world.id_dup],
        channel=IssueChannel.RECEPTION,
        requirements_confirmed=True,
    )
    ticket = services.ticket_call_next(counter=counter, officer=officer)
    services.ticket_start(ticket=ticket, counter=counter, officer=officer)
    clock.advance(minutes=minutes)
    services.ticket_finish(ticket=ticket, counter=counter, officer=officer)


def test_one_quick_service_does_not_make_a_long_queue_look_short(world, clock, officers):
    counter = world.counters[("gpo-nairobi", 1)]
    services.counter_open(counter=counter, officer=officers[1])
    _serve(world, officers[1], counter, clock, minutes=0)
    # One citizen served at once: still close to the usual time, not "0 minutes each".
    one = selectors.mean_service_minutes(world.gpo, clock.current)[world.id_dup.pk]
    assert 5 <= one < selectors.DEFAULT_SERVICE_MINUTES
    for _ in range(30):
        _serve(world, officers[1], counter, clock, minutes=3)
    # Many served in about 3 minutes each: the estimate follows what the centre does.
    many = selectors.mean_service_minutes(world.gpo, clock.current)[world.id_dup.pk]
    assert 3 <= many < 3.6
