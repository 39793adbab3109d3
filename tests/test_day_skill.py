"""A skill moved for today: an open counter serves a queue nobody was serving, until midnight."""

import pytest

from huduma.catalogue.models import CentreService
from huduma.core.models import AuditEntry
from huduma.queues import selectors, services
from huduma.queues.errors import AlreadyServes, CounterNotOpen, OtherCentre, ServiceNotOffered
from huduma.queues.models import DaySkill

pytestmark = pytest.mark.django_db


def _issue(world, service):
    return services.visit_issue(
        centre=world.gpo, services=[service], channel="reception", requirements_confirmed=True
    )


def _flagged(world):
    return [u.queue.service for u in selectors.live_view(world.gpo)["unserved"]]


def test_moved_skill_is_served_today_and_lapses_tomorrow(world, clock):
    counter = world.counters[("gpo-nairobi", 1)]  # serves ID replacements only
    services.counter_open(counter=counter, officer=world.alice)
    first = _issue(world, world.nhif_reg)
    assert _flagged(world) == [world.nhif_reg]
    assert services.ticket_call_next(counter=counter, officer=world.alice) is None

    skill = services.counter_add_skill_today(
        counter=counter, service=world.nhif_reg, actor=world.bob
    )
    assert skill.day.isoformat() == "2026-11-24" and skill.added_by == world.bob
    entry = AuditEntry.objects.get(action="queues.skill_added_for_day")
    assert entry.actor == world.bob and entry.after["service"] == "NHIF-REGISTRATION"
    assert _flagged(world) == []
    assert selectors.wait_estimates(world.gpo)[world.nhif_reg.pk].counters_open == 1
    where = selectors.counters_by_service(world.gpo, [world.nhif_reg])[world.nhif_reg.pk]
    assert [c.number for c in where] == [1, 2, 3]  # the kiosk ticket's "wait near"

    called = services.ticket_call_next(counter=counter, officer=world.alice)
    assert called.visit_id == first.pk
    services.ticket_start(ticket=called, counter=counter, officer=world.alice)
    services.ticket_finish(ticket=called, counter=counter, officer=world.alice)

    clock.advance(days=1)
    _issue(world, world.nhif_reg)
    assert world.nhif_reg.pk not in services.counter_skills(counter)
    assert services.ticket_call_next(counter=counter, officer=world.alice) is None
    assert _flagged(world) == [world.nhif_reg]
    where = selectors.counters_by_service(world.gpo, [world.nhif_reg])[world.nhif_reg.pk]
    assert [c.number for c in where] == [2, 3]


def test_repeat_is_harmless_and_refusals_change_nothing(world, clock):
    counter = world.counters[("gpo-nairobi", 1)]
    with pytest.raises(CounterNotOpen):  # a closed counter would not serve it either
        services.counter_add_skill_today(counter=counter, service=world.nhif_reg, actor=world.bob)
    services.counter_open(counter=counter, officer=world.alice)
    with pytest.raises(AlreadyServes):
        services.counter_add_skill_today(counter=counter, service=world.id_dup, actor=world.bob)
    with pytest.raises(OtherCentre):
        services.counter_add_skill_today(
            counter=counter, service=world.nhif_reg, actor=world.charlie
        )
    one = services.counter_add_skill_today(counter=counter, service=world.nhif_reg, actor=world.bob)
    two = services.counter_add_skill_today(counter=counter, service=world.nhif_reg, actor=world.bob)
    assert one.pk == two.pk and DaySkill.objects.count() == 1
    assert AuditEntry.objects.filter(action="queues.skill_added_for_day").count() == 1


def test_only_services_on_the_centre_charter_can_be_moved(world, clock):
    counter = world.counters[("gpo-nairobi", 1)]
    services.counter_open(counter=counter, officer=world.alice)
    CentreService.objects.filter(centre=world.gpo, service=world.kra_pin).delete()
    with pytest.raises(ServiceNotOffered):
        services.counter_add_skill_today(counter=counter, service=world.kra_pin, actor=world.bob)
    assert not DaySkill.objects.exists()
