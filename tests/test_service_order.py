"""A visit's services queue in the order chosen, except that a service another one needs first
(Service.prerequisites: the ID card before the services asking for it) goes before it."""

import pytest

from huduma.catalogue.loader import load_reference_data
from huduma.catalogue.models import Service
from huduma.catalogue.selectors import services_in_needed_order
from huduma.queues import services

pytestmark = pytest.mark.django_db


def test_the_order_chosen_is_kept_when_nothing_needs_anything(world):
    chosen = [world.nhif_reg, world.kra_pin, world.id_dup]
    assert services_in_needed_order(chosen) == chosen  # never alphabetical


def test_a_prerequisite_moves_before_the_services_needing_it(world):
    world.nhif_reg.prerequisites.add(world.id_dup)
    world.kra_pin.prerequisites.add(world.id_dup)
    ordered = services_in_needed_order([world.nhif_reg, world.kra_pin, world.id_dup])
    assert ordered == [world.id_dup, world.nhif_reg, world.kra_pin]


def test_a_cycle_in_the_data_falls_back_to_the_order_chosen(world):
    world.nhif_reg.prerequisites.add(world.kra_pin)
    world.kra_pin.prerequisites.add(world.nhif_reg)
    assert services_in_needed_order([world.nhif_reg, world.kra_pin]) == [
        world.nhif_reg,
        world.kra_pin,
    ]


def test_a_visit_queues_the_id_first(world, clock):
    world.nhif_reg.prerequisites.add(world.id_dup)
    visit = services.visit_issue(
        centre=world.gpo,
        services=[world.nhif_reg, world.id_dup],
        channel="reception",
        requirements_confirmed=True,
    )
    tickets = list(visit.tickets.order_by("position"))
    assert [t.service_id for t in tickets] == [world.id_dup.pk, world.nhif_reg.pk]
    assert [t.status for t in tickets] == ["waiting", "pending"]
    assert visit.number.startswith("A")  # numbered by the service queued first


def test_the_reference_data_puts_id_services_before_those_asking_for_the_id():
    load_reference_data(with_boundaries=False)
    by_code = Service.objects.in_bulk(field_name="code")
    nhif, lost_id = by_code["NHIF-REGISTER"], by_code["NRB-ID-DUPLICATE"]
    assert lost_id in nhif.prerequisites.all()
    # And a KRA PIN before a business name search, a police abstract before a lost ID.
    assert by_code["KRA-PIN-REGISTER"] in by_code["BRS-NAME-SEARCH"].prerequisites.all()
    assert by_code["NPS-ABSTRACT"] in lost_id.prerequisites.all()
    ordered = services_in_needed_order([by_code["BRS-NAME-SEARCH"], by_code["KRA-PIN-REGISTER"]])
    assert [s.code for s in ordered] == ["KRA-PIN-REGISTER", "BRS-NAME-SEARCH"]
