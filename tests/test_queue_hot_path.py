"""The counter's hot path: hand-written SQL and cached reference rows behave as the ORM did."""

import pytest
from django.test import override_settings

from huduma.core import refcache
from huduma.queues import services
from huduma.queues.errors import ServiceNotOffered, TicketStateError
from huduma.queues.models import DailyCounter, Ticket, TicketEvent, Visit

pytestmark = pytest.mark.django_db
API = "/api/queues"


def issue(world, svcs, **kw):
    kw.setdefault("requirements_confirmed", True)
    kw.setdefault("channel", "reception")
    return services.visit_issue(centre=world.gpo, services=svcs, **kw)


def test_numbers_past_999_keep_every_digit(world, clock):
    first = issue(world, [world.id_dup])
    DailyCounter.objects.filter(centre=world.gpo, prefix="A").update(last=998)
    assert issue(world, [world.id_dup]).number == "A999"
    thousandth = issue(world, [world.id_dup])
    assert thousandth.number == "A1000" and thousandth.sequence == 1000
    stored = Visit.objects.get(pk=thousandth.pk)
    assert (stored.number, stored.sequence) == ("A1000", 1000)
    assert first.number == "A001"


def test_issuing_answers_with_the_places_ahead_as_stored(world, clock):
    issue(world, [world.id_dup])
    issue(world, [world.id_dup])
    answer = services.visit_issue_answer(
        centre=world.gpo, services=[world.id_dup], channel="reception", requirements_confirmed=True
    )
    assert answer.places_ahead == 2
    ticket = Ticket.objects.get(visit=answer.visit)
    assert (ticket.status, ticket.queue_key) == ("waiting", answer.tickets[0].queue_key)
    assert TicketEvent.objects.filter(ticket=ticket).count() == 2  # issued, waiting


def test_a_retried_key_takes_no_number(world, clock):
    one = issue(world, [world.id_dup], idempotency_key="k-1")
    again = issue(world, [world.id_dup], idempotency_key="k-1")
    assert again.pk == one.pk
    assert issue(world, [world.id_dup]).number == "A002"  # no number lost to the retry
    assert Visit.objects.count() == 2


def test_finishing_a_visits_last_service_logs_it_once(world, clock):
    counter = world.counters[("gpo-nairobi", 1)]
    services.counter_open(counter=counter, officer=world.alice)
    issue(world, [world.id_dup])
    called = services.ticket_call_next(counter=counter, officer=world.alice)
    assert called.visit.number == "A001" and called.counter == counter
    services.ticket_start(ticket=called, counter=counter, officer=world.alice)
    done = services.ticket_finish(ticket=called, counter=counter, officer=world.alice)
    assert done.status == "served" and done.finished_at == clock.current
    kinds = list(TicketEvent.objects.filter(ticket=called).values_list("kind", flat=True))
    assert sorted(kinds) == ["called", "issued", "served", "serving", "waiting"]
    event = TicketEvent.objects.get(ticket=called, kind="served")
    assert (event.actor, event.counter, event.centre) == (world.alice, counter, world.gpo)
    # Finishing again (a retried request) answers with the ticket as it is, logged once.
    again = services.ticket_finish(ticket=called, counter=counter, officer=world.alice)
    assert again.status == "served"
    assert TicketEvent.objects.filter(ticket=called, kind="served").count() == 1
    with pytest.raises(TicketStateError):
        services.ticket_start(ticket=called, counter=counter, officer=world.alice)


def test_reference_changes_saved_here_apply_at_once(world, clock):
    world.gpo.offered_services.filter(service=world.nhif_reg).delete()
    with pytest.raises(ServiceNotOffered):
        issue(world, [world.nhif_reg])


def test_a_deactivated_officer_is_signed_out_on_the_next_request(client, world, clock):
    client.force_login(world.alice)
    counter = world.counters[("gpo-nairobi", 1)].pk
    assert client.post(f"{API}/counters/{counter}/open").status_code == 200
    world.alice.is_active = False
    world.alice.save()
    assert client.post(f"{API}/counters/{counter}/pause").status_code == 401


def test_the_cache_holds_rows_only_for_its_lifetime(world, monkeypatch):
    loads = []

    def load():
        loads.append(1)
        return "row"

    now = [1000.0]
    monkeypatch.setattr(refcache, "_now", lambda: now[0])
    monkeypatch.setattr(refcache, "_cache", None)
    with override_settings(REFERENCE_CACHE_SECONDS=5):
        assert refcache.get(("k",), load) == refcache.get(("k",), load) == "row"
        now[0] += 4.9
        refcache.get(("k",), load)
        assert len(loads) == 1
        now[0] += 0.2  # past five seconds: read again
        refcache.get(("k",), load)
        assert len(loads) == 2
    with override_settings(REFERENCE_CACHE_SECONDS=0):
        refcache.get(("k",), load)
        refcache.get(("k",), load)
    assert len(loads) == 4  # no caching when turned off
    monkeypatch.setattr(refcache, "_cache", None)
