"""A replacement kit carries on safely: a letter is never given again while the server holds
tickets under it for the day (a lost kit's Z001...Z010 stay its own), so the replacement's
records are all kept; and a kit whose records are refused does not look fine on the kits page."""

import pytest

from huduma.accounts import devices
from huduma.outreach.records import content_hash
from huduma.outreach.sync_models import SyncItem
from huduma.queues.models import Visit
from tests.outreach_helpers import Kit, push

pytestmark = pytest.mark.django_db

URL = "/staff/centres/gpo-nairobi/field-kits/"


def test_a_replacement_kit_loses_nothing(client, world):
    lost = Kit(world, name="lost")
    items = [item for _ in range(10) for item in lost.visit()]
    assert push(client, lost, items).status_code == 200
    assert Visit.objects.filter(prefix=lost.kit.ticket_prefix).count() == 10
    devices.device_revoke(device=lost.kit.device, actor=world.bob)

    replacement = Kit(world, name="replacement")
    assert replacement.kit.ticket_prefix != lost.kit.ticket_prefix
    items = [item for _ in range(15) for item in replacement.visit()]
    answer = push(client, replacement, items).json()
    assert answer["counts"] == {"stored": 60}, answer
    numbers = set(
        Visit.objects.filter(node_id=replacement.kit.node_id).values_list("number", flat=True)
    )
    assert len(numbers) == 15
    assert f"{replacement.kit.ticket_prefix}001" in numbers
    # The lost kit's tickets are still there, under their own numbers.
    assert Visit.objects.filter(node_id=lost.kit.node_id).count() == 10

    # A third kit (the replacement is lost too) takes neither letter.
    devices.device_revoke(device=replacement.kit.device, actor=world.bob)
    third = Kit(world, name="third")
    assert third.kit.ticket_prefix not in {lost.kit.ticket_prefix, replacement.kit.ticket_prefix}


def test_a_kit_with_refused_records_does_not_look_fine(client, world):
    kit = Kit(world)
    items = kit.visit()
    # A visit under another letter than the kit's own is refused, with its reason.
    bad = kit.changed(items[0], prefix="A", number="A001", sequence=901)
    bad["id"] = "0190a0b0-0000-7000-8000-000000000001"
    bad["hash"] = content_hash(bad["model"], bad["id"], bad["fields"])
    answer = push(client, kit, [*items, bad]).json()
    assert answer["counts"].get("rejected") == 1, answer
    assert SyncItem.objects.filter(node_id=kit.kit.node_id, outcome="rejected").count() == 1
    client.force_login(world.bob)
    page = client.get(URL).content.decode()
    assert "Records refused" in page
    assert '<a href="#refused-heading"><strong>1</strong></a>' in page
