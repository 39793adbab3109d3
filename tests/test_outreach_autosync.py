"""The kit's minute task: nothing to do without pending records; while the network is away it
records the failure and waits longer each time; when the network is back it syncs by itself."""

import datetime as dt
import socket

import pytest

from huduma.core import clock
from huduma.outreach import kit as kit_side
from huduma.outreach.sync_models import KitChange, KitRejection, KitState, SyncItem
from huduma.queues import services as queues
from tests.outreach_helpers import Kit

pytestmark = pytest.mark.django_db(transaction=True)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_the_kit_syncs_by_itself_when_the_network_comes_back(
    live_server, world, settings, tmp_path
):
    settings.HUDUMA_MODE = "field"
    # The kit's token file goes beside its kit file: this test's own, not var/ (a token left
    # there by an earlier run would be sent instead of this one's).
    settings.FIELD_KIT_FILE = tmp_path / "fieldkit.json"
    settings.FIELD_SYNC_MIN_BACKOFF_S = 60
    settings.FIELD_SYNC_MAX_BACKOFF_S = 150
    enrolled = Kit(world)
    state = KitState.objects.create(
        pk=1,
        server_url=f"http://127.0.0.1:{closed_port()}",
        token=enrolled.token,
        device_id=enrolled.kit.node_id,
        centre_code="gpo-nairobi",
        ticket_prefix=enrolled.kit.ticket_prefix,
    )
    settings.NODE_ID = enrolled.kit.node_id  # what this process records, it records as the kit
    now = clock.now()
    assert kit_side.kit_sync_due(now=now) == "nothing to push"

    visit = queues.visit_issue(
        centre=world.gpo,
        services=[world.nhif_reg],
        channel="reception",
        requirements_confirmed=True,
    )
    KitChange.objects.create(model="queues.Visit", record_id=visit.pk.hex)
    assert kit_side.kit_sync_due(now=now) == "offline"
    state.refresh_from_db()
    assert state.failures == 1 and state.next_attempt_at == now + dt.timedelta(seconds=60)
    assert "ConnectionRefused" in state.last_error
    assert kit_side.kit_sync_due(now=now + dt.timedelta(seconds=30)) == "waiting"
    assert kit_side.kit_sync_due(now=now + dt.timedelta(seconds=61)) == "offline"
    state.refresh_from_db()
    assert state.next_attempt_at == now + dt.timedelta(seconds=61 + 120)
    assert kit_side.kit_sync_due(now=now + dt.timedelta(seconds=200)) == "offline"
    state.refresh_from_db()
    assert state.next_attempt_at == now + dt.timedelta(seconds=200 + 150)  # at most the max

    # The network is back. A change the server refused earlier is sent again too.
    KitState.objects.filter(pk=1).update(server_url=live_server.url)
    seq = KitChange.objects.get().pk
    # (A refused change is one the server answered: its number is at or below the cursor.)
    KitRejection.objects.create(
        seq=seq, model="queues.Visit", record_id=visit.pk.hex, reason="parent missing"
    )
    assert kit_side.kit_sync_due(now=now + dt.timedelta(seconds=400)) == "synced"
    state.refresh_from_db()
    assert state.failures == 0 and state.acked_seq == KitChange.objects.get().pk
    received = SyncItem.objects.filter(node_id=enrolled.kit.node_id)
    # Kit and server share this test's database: the visit is there already, unchanged.
    assert list(received.values_list("outcome", flat=True)) == ["duplicate"]
    assert kit_side.pending_count() == 0 and not KitRejection.objects.exists()

    # A ticket still waiting at the tent stays on the kit (it would join the centre's own
    # queue), but what follows it goes; once it has ended, it goes too.
    ticket = visit.tickets.get()
    KitChange.objects.create(model="queues.Ticket", record_id=ticket.pk.hex)
    KitChange.objects.create(model="queues.Visit", record_id=visit.pk.hex)
    assert kit_side.kit_sync_due(now=now + dt.timedelta(seconds=500)) == "synced"
    assert kit_side.pending_count() == 0 and kit_side.held_back()["changes"] == 1
    assert received.filter(model="queues.Visit").count() == 2
    assert kit_side.kit_sync_due(now=now + dt.timedelta(seconds=550)) == "nothing to push"
    type(ticket).objects.filter(pk=ticket.pk).update(status="cancelled")
    assert kit_side.kit_sync_due(now=now + dt.timedelta(seconds=600)) == "synced"
    assert kit_side.pending_count() == 0 and kit_side.held_back()["changes"] == 0
    assert received.filter(model="queues.Ticket").exists()


def test_the_task_does_nothing_on_a_centre_server(db):
    assert kit_side.kit_sync_due() == "not a kit"
