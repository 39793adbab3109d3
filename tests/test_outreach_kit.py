"""A field kit is enrolled for an outreach: the form offers the centre's coming outreaches and
their officers, the kit takes the plan at enrolment and at each pull, its tickets carry the
outreach's letter, and what it syncs lands in that outreach's report."""

import datetime as dt
import json

import pytest

from huduma.accounts import devices
from huduma.core.errors import DomainError
from huduma.outreach import enrolment, planning, selectors
from huduma.outreach.plan_models import OutreachDay
from huduma.outreach.sync_models import FieldKit
from huduma.queues.models import Visit
from tests.outreach_helpers import Kit, push
from tests.outreach_world import add_mashinani, agreed, planned

pytestmark = pytest.mark.django_db

URL = "/staff/centres/gpo-nairobi/field-kits/"
DAY = dt.date(2026, 12, 2)  # the clock fixture's today is 2026-11-24


@pytest.fixture
def mashinani(world):
    return add_mashinani(world)


@pytest.fixture
def westlands(mashinani, clock):
    return agreed(mashinani, mashinani.westlands, [DAY], {mashinani.id_dup: mashinani.alice})


def snapshot(client, kit, since=""):
    return client.get("/api/outreach/kits/snapshot", {"since": since}, **kit.headers).json()


def test_the_form_offers_coming_agreed_outreaches_and_sends_their_officers(
    client, mashinani, westlands
):
    planned(mashinani, mashinani.kibra, [DAY])  # proposed only: no kit goes there yet
    client.force_login(mashinani.bob)
    page = client.get(URL).content.decode()
    assert f'<option value="{westlands.pk}">' in page and "Kibra" not in page
    # No officer ticked: the officers the plan sends go.
    response = client.post(URL, {"name": "Kit Westlands", "outreach": westlands.pk})
    assert response.status_code == 200, response.content.decode()
    kit = FieldKit.objects.get()
    assert kit.outreach == westlands and list(kit.officers.all()) == [mashinani.alice]
    assert kit.ticket_prefix == westlands.ticket_prefix
    assert f"{kit.ticket_prefix}001" in response.content.decode()
    # The plan names its kits.
    page = client.get(f"/staff/outreach/{westlands.pk}/").content.decode()
    assert f"Kit Westlands ({kit.ticket_prefix})" in page


def test_an_officer_the_plan_does_not_send_is_refused(client, mashinani, westlands):
    agreed(mashinani, mashinani.kibra, [DAY], {mashinani.nhif_reg: mashinani.erin})
    client.force_login(mashinani.bob)
    # Erin goes to Kibra, not Westlands.
    response = client.post(
        URL, {"name": "Kit", "outreach": westlands.pk, "officers": [mashinani.erin.pk]}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'href="#officers"' in page and "Erin is not going to this outreach" in page
    # Dave goes to no outreach: not even offered.
    response = client.post(
        URL, {"name": "Kit", "outreach": westlands.pk, "officers": [mashinani.dave.pk]}
    )
    assert "Choose among the officers the outreach&#x27;s plan sends." in response.content.decode()
    assert not FieldKit.objects.exists()
    response = client.post(URL, {"name": "Kit", "officers": [mashinani.alice.pk]})
    assert response.status_code == 400 and 'href="#outreach"' in response.content.decode()


def test_a_kit_goes_only_to_a_coming_agreed_outreach(mashinani, westlands, clock):
    proposed = planned(mashinani, mashinani.kibra, [DAY])
    with pytest.raises(DomainError) as refused:
        enrolment.field_kit_register(
            centre=mashinani.gpo, name="Kit", outreach=proposed, actor=mashinani.bob
        )
    assert refused.value.field == "outreach"
    clock.set(clock.current + dt.timedelta(days=9))  # the day after the outreach
    with pytest.raises(DomainError):
        enrolment.field_kit_register(
            centre=mashinani.gpo, name="Kit", outreach=westlands, actor=mashinani.bob
        )


def test_the_first_kit_takes_the_outreach_letter_a_second_its_own(mashinani, westlands):
    first = Kit(mashinani, "one", outreach=westlands)
    second = Kit(mashinani, "two", outreach=westlands)
    assert first.kit.ticket_prefix == westlands.ticket_prefix
    assert second.kit.ticket_prefix not in {westlands.ticket_prefix, "A", "B", "C"}
    # An outreach planned later the same day takes neither letter; nor a service group's.
    kibra = planned(mashinani, mashinani.kibra, [DAY])
    assert kibra.ticket_prefix not in {first.kit.ticket_prefix, second.kit.ticket_prefix}
    assert kibra.ticket_prefix not in {"A", "B", "C"} and len(kibra.ticket_prefix) == 1
    # The first kit lost and revoked: its replacement does not reuse the outreach's letter.
    devices.device_revoke(device=first.kit.device, actor=mashinani.bob)
    third = Kit(mashinani, "three", outreach=westlands)
    assert third.kit.ticket_prefix not in {westlands.ticket_prefix, second.kit.ticket_prefix}


def test_an_outreach_keeps_its_letter_when_its_day_moves_unless_taken(mashinani, clock):
    one = planned(mashinani, mashinani.westlands, [DAY])
    two = planned(mashinani, mashinani.kibra, [DAY + dt.timedelta(days=1)])
    assert one.ticket_prefix == two.ticket_prefix  # different days: the same letter is fine
    moved = planning.outreach_set_days(outreach=two, dates=[DAY], actor=mashinani.bob)
    assert moved.ticket_prefix != one.ticket_prefix
    assert set(
        OutreachDay.objects.filter(outreach=two).values_list("ticket_prefix", flat=True)
    ) == {moved.ticket_prefix}


def test_the_kit_takes_the_plan_and_its_changes_on_the_next_pull(client, mashinani, westlands):
    kit = Kit(mashinani, outreach=westlands)
    body = snapshot(client, kit)
    plan = body["outreach"]
    assert plan["id"] == westlands.pk and plan["days"] == [DAY.isoformat()]
    assert (
        plan["venue"]["name"] == "Chief's camp" and plan["ticket_prefix"] == kit.kit.ticket_prefix
    )
    assert [s["code"] for s in plan["services"]] == ["NRB-ID-DUPLICATE"]
    assert plan["officers"] == ["alice"]
    # Reception on the kit offers the outreach's services only.
    offered = [o for o in body["objects"] if o["model"] == "catalogue.centreservice"]
    assert [o["fields"]["service"] for o in offered] == [mashinani.id_dup.pk]
    assert snapshot(client, kit, body["catalogue_version"])["changed"] is False

    # The manager adds a service after the kit was enrolled: the next pull brings it.
    planning.outreach_set_services(
        outreach=westlands,
        chosen={mashinani.id_dup.pk: "Laptop", mashinani.nhif_reg.pk: "Laptop"},
        actor=mashinani.bob,
    )
    again = snapshot(client, kit, body["catalogue_version"])
    assert again["changed"] is True
    assert [s["code"] for s in again["outreach"]["services"]] == [
        "NHIF-REGISTRATION",
        "NRB-ID-DUPLICATE",
    ]
    offered = [o for o in again["objects"] if o["model"] == "catalogue.centreservice"]
    assert {o["fields"]["service"] for o in offered} == {
        mashinani.id_dup.pk,
        mashinani.nhif_reg.pk,
    }


def test_records_of_two_kits_land_in_their_own_outreach(client, mashinani, westlands, clock):
    kibra = agreed(mashinani, mashinani.kibra, [DAY], {mashinani.nhif_reg: mashinani.erin})
    a = Kit(mashinani, "westlands", outreach=westlands)
    b = Kit(mashinani, "kibra", outreach=kibra)
    assert a.kit.ticket_prefix != b.kit.ticket_prefix
    clock.set(dt.datetime.combine(DAY, dt.time(10, 0), tzinfo=clock.current.tzinfo))
    assert push(client, a, a.visit()).status_code == 200
    assert push(client, b, b.visit() + b.visit()).status_code == 200
    # The centre's own ticket the same day counts in neither.
    Visit.objects.create(
        centre=mashinani.gpo,
        service_day=DAY,
        prefix="A",
        sequence=1,
        number="A001",
        arrived_at=clock.current,
        channel="reception",
    )
    assert selectors.records_of_outreach(westlands).visits.count() == 1
    assert selectors.records_of_outreach(kibra).visits.count() == 2
    assert selectors.kit_node_ids(westlands) == {a.kit.node_id}


def test_the_enrolment_answer_names_the_outreach(client, mashinani, westlands):
    _kit, code = enrolment.field_kit_register(
        centre=mashinani.gpo, name="Kit", outreach=westlands, actor=mashinani.bob
    )
    answer = client.post(
        "/api/outreach/kits/enroll", json.dumps({"code": code}), content_type="application/json"
    ).json()
    assert answer["kit"]["outreach"] == westlands.pk
    assert answer["kit"]["ticket_prefix"] == westlands.ticket_prefix
