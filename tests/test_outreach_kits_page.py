"""The Centre Manager's field-kits page: register a kit for an outreach and get its enrolment
code, see every kit's sync, resolve a conflict, revoke a lost kit and see its refused pushes."""

import pytest

from huduma.accounts.models import Device
from huduma.outreach.sync_models import FieldKit, SyncConflict
from tests.outreach_helpers import Kit, push
from tests.outreach_world import add_mashinani, agreed, coming_day

pytestmark = pytest.mark.django_db

URL = "/staff/centres/gpo-nairobi/field-kits/"


def test_manager_registers_a_kit_and_gets_its_enrolment_code(client, world):
    add_mashinani(world)
    outreach = agreed(world, world.kibra, [coming_day()], {world.id_dup: world.alice})
    client.force_login(world.bob)
    response = client.post(
        URL, {"name": "Kit Kibra", "outreach": outreach.pk, "officers": [world.alice.pk]}
    )
    assert response.status_code == 200
    kit = FieldKit.objects.get()
    assert kit.device.kind == Device.Kind.FIELD_KIT and list(kit.officers.all()) == [world.alice]
    page = response.content.decode()
    assert "fieldkit enroll --server http://testserver --code" in page
    assert f"{kit.ticket_prefix}001" in page and kit.ticket_prefix == outreach.ticket_prefix
    assert "Kibra" in page  # the kit's outreach, in the list of kits


def test_a_kit_without_an_outreach_is_refused_with_a_message(client, world):
    client.force_login(world.bob)
    response = client.post(URL, {"name": "Kit", "officers": []})
    assert response.status_code == 400
    assert 'href="#outreach"' in response.content.decode()
    assert not FieldKit.objects.exists()


def test_only_the_centres_manager_sees_the_page(client, world):
    client.force_login(world.alice)
    assert client.get(URL).status_code == 403
    client.force_login(world.charlie)
    assert client.get(URL).status_code == 403


def test_the_page_shows_sync_conflicts_and_refused_pushes(client, world):
    kit = Kit(world)
    items = kit.visit()
    push(client, kit, items[:2] + items[3:], pending=12)
    tampered = kit.changed(items[0], seq=items[0]["seq"], phone="+254700000009")
    push(client, kit, [tampered], pending=12)
    client.force_login(world.bob)
    page = client.get(URL).content.decode()
    assert "Kit mashinani-kibra-2026-12" in page
    assert "<td>12</td>" in page  # records pending, as the kit reported
    assert "<td>3</td>" in page  # changes received: 1, 2, 4 (3 is a gap)
    assert "this sequence number came before with other content" in page

    conflict = SyncConflict.objects.get()
    response = client.post(f"{URL}conflicts/{conflict.pk}/", {"choice": "keep_server"}, follow=True)
    assert "Conflict resolved." in response.content.decode()
    conflict.refresh_from_db()
    assert conflict.status == "kept_server"

    # Revoking cannot be undone: the first press only asks.
    asked = client.post(f"{URL}{kit.kit.node_id}/revoke/").content.decode()
    assert "Yes, revoke it" in asked and "is revoked" not in asked
    kit.kit.device.refresh_from_db()
    assert kit.kit.device.status != "revoked"
    response = client.post(f"{URL}{kit.kit.node_id}/revoke/", {"confirm": "yes"}, follow=True)
    assert "is revoked" in response.content.decode()
    client.logout()
    assert push(client, kit, kit.visit()).status_code == 403
    client.force_login(world.bob)
    page = client.get(URL).content.decode()
    assert "Revoked" in page and "(last " in page
