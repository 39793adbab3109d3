"""The Centre Manager opens a counter for an officer, to serve a queue nobody is serving."""

import pytest

from huduma.accounts.models import Role, User
from huduma.core.audit_diff import changes
from huduma.core.models import AuditEntry
from huduma.queues import services
from huduma.queues.errors import CounterBusy, OtherCentre, ServiceNotOffered
from huduma.queues.models import CounterSession

pytestmark = pytest.mark.django_db


def _issue(world, service):
    return services.visit_issue(
        centre=world.gpo, services=[service], channel="reception", requirements_confirmed=True
    )


def test_manager_opens_a_counter_for_an_officer_who_then_serves_the_queue(world, clock):
    visit = _issue(world, world.nhif_reg)
    nuru = User.objects.create_user(
        username="nuru", password="pw", role=Role.COUNTER_OFFICER, centre=world.gpo, mda=world.nhif
    )
    counter = world.counters[("gpo-nairobi", 2)]
    session = services.counter_open_for(
        counter=counter, officer=nuru, actor=world.bob, service=world.nhif_reg
    )
    assert session.officer == nuru and session.status == CounterSession.Status.OPEN
    entry = AuditEntry.objects.get(action="queues.counter_opened_for")
    assert entry.actor == world.bob
    assert entry.after == {
        "counter_number": 2,
        "officer": "nuru",
        "service": "NHIF-REGISTRATION",
    }
    assert {c.field: c.after for c in changes(entry, resolve=True)} == {
        "Counter number": "2",
        "Officer": "nuru",
        "Service": "NHIF-REGISTRATION",
    }

    # A double click opens nothing more and logs nothing more.
    again = services.counter_open_for(
        counter=counter, officer=nuru, actor=world.bob, service=world.nhif_reg
    )
    assert again.pk == session.pk
    assert AuditEntry.objects.filter(action="queues.counter_opened_for").count() == 1

    called = services.ticket_call_next(counter=counter, officer=nuru)
    assert called.visit_id == visit.pk


def test_refusals_name_the_field_and_change_nothing(world, officers, clock):
    counter = world.counters[("gpo-nairobi", 2)]
    with pytest.raises(OtherCentre) as refused:
        services.counter_open_for(counter=counter, officer=world.charlie, actor=world.bob)
    assert refused.value.field == "officer"
    with pytest.raises(OtherCentre):  # a manager of GPO does not run Kisumu's counters
        services.counter_open_for(
            counter=world.counters[("kisumu", 2)], officer=world.charlie, actor=world.bob
        )
    with pytest.raises(ServiceNotOffered) as refused:
        services.counter_open_for(
            counter=world.counters[("gpo-nairobi", 1)],
            officer=world.alice,
            actor=world.bob,
            service=world.nhif_reg,
        )
    assert refused.value.field == "counter"

    # Alice is seconded by NRB: she may not serve NHIF's queue, and is told why.
    with pytest.raises(ServiceNotOffered) as refused:
        services.counter_open_for(
            counter=counter, officer=world.alice, actor=world.bob, service=world.nhif_reg
        )
    assert refused.value.field == "officer"
    assert "may not serve NHIF registration" in refused.value.message
    with pytest.raises(ServiceNotOffered):  # nor what counter 2 serves, named or not
        services.counter_open_for(counter=counter, officer=world.alice, actor=world.bob)

    services.counter_open(counter=counter, officer=officers[2])
    with pytest.raises(CounterBusy) as refused:  # one live session per counter
        services.counter_open_for(counter=counter, officer=officers[1], actor=world.bob)
    assert refused.value.field == "counter" and "Officer2" in refused.value.message
    with pytest.raises(CounterBusy) as refused:  # one live session per officer
        services.counter_open_for(
            counter=world.counters[("gpo-nairobi", 3)], officer=officers[2], actor=world.bob
        )
    assert refused.value.field == "officer"
    assert CounterSession.objects.count() == 1
    assert not AuditEntry.objects.filter(action="queues.counter_opened_for").exists()
