"""What a kit made reaches the server through the owning apps (issue 16: "each kit-written table
arriving"): the tent's counter sessions once closed, referrals with the server's own address
and SMS, and the rating link the server sends for a kit's visit answers."""

import datetime as dt
import re

import pytest

from huduma.applications.models import Referral
from huduma.core import clock
from huduma.core.ids import uuid7
from huduma.feedback.models import RatingInvitation
from huduma.feedback.services import rating_invitations_send
from huduma.notify.models import Message
from huduma.outreach.records import wire
from huduma.queues.models import CounterSession, TicketEvent
from tests.outreach_helpers import Kit, push

pytestmark = pytest.mark.django_db


@pytest.fixture
def kit(world):
    return Kit(world)


def results(response) -> list[tuple[str, str]]:
    return [(r["outcome"], r.get("reason") or "") for r in response.json()["results"]]


def session(kit, world, *, officer=None, counter=None, closed=True) -> dict:
    opened = clock.now() - dt.timedelta(hours=6)
    made = CounterSession(
        id=uuid7(),
        counter=counter or world.counters[("gpo-nairobi", 1)],
        officer=officer or world.alice,
        status="closed" if closed else "open",
        opened_at=opened,
        closed_at=opened + dt.timedelta(hours=5) if closed else None,
    )
    return wire(made, kit.next_seq())


def test_a_kits_counter_session_arrives_once_closed_and_only_its_officers(client, kit, world):
    response = push(
        client,
        kit,
        [
            session(kit, world),
            session(kit, world, closed=False),
            session(kit, world, officer=world.bob),
            session(kit, world, counter=world.counters[("kisumu", 1)]),
        ],
    )
    assert results(response) == [
        ("stored", ""),
        ("rejected", "counter session: a kit reports a session once it has closed"),
        ("rejected", "counter session: of an officer who did not come with this kit"),
        ("rejected", "unknown counter"),
    ]
    stored = CounterSession.objects.get()
    assert (stored.officer, stored.status) == (world.alice, "closed")
    # It took nothing from the centre: its counter can be opened there as usual.
    assert not CounterSession.objects.exclude(status="closed").exists()


def referral(kit, world, ticket_id, **fields) -> dict:
    made = Referral(
        id=uuid7(),
        node_id=kit.kit.node_id,
        node_seq=kit.next_seq(),
        centre=world.gpo,
        service=world.kra_pin,
        mda=world.kra,
        ticket_id=ticket_id,
        phone="+254712345678",
        language="en",
        address="Send KES 2,000 to 0799000000 first",
        created_by=world.alice,
        created_at=clock.now(),
    )
    for name, value in fields.items():
        setattr(made, name, value)
    return wire(made, made.node_seq)


def test_a_kits_referral_arrives_with_the_servers_address_and_sms(client, kit, world):
    world.kra.office_address = "Times Tower, Haile Selassie Avenue"
    world.kra.save(update_fields=["office_address"])
    visit = kit.visit()
    response = push(
        client,
        kit,
        [
            *visit,
            referral(kit, world, visit[1]["id"]),
            referral(kit, world, None, mda_id=world.nrb.pk),
            referral(kit, world, None, created_by_id=world.bob.pk),
        ],
    )
    assert results(response)[4:] == [
        ("stored", ""),
        ("rejected", "referral: not to the office of the service's MDA"),
        ("rejected", "referral: by an officer who did not come with this kit"),
    ]
    stored = Referral.objects.get()
    assert stored.address.startswith("Times Tower")
    sent = Message.objects.filter(template="referral_address", to="+254712345678")
    assert [("Times Tower" in m.body, m.status != "failed") for m in sent] == [(True, True)]
    assert not Message.objects.filter(body__contains="0799000000").exists()
    # The follow-up is the centre's, on its referrals page.
    client.force_login(world.bob)
    page = client.get(f"/staff/centres/{world.gpo.code}/referrals/")
    assert page.status_code == 200
    assert "KRA PIN registration" in page.content.decode()


def test_the_rating_link_the_server_sends_for_a_kits_visit_answers(client, kit, world):
    """A kit runs no rating-invitation sweep: the server invites the kit's visits that ended
    (from their synced events), and its link works."""
    visit = kit.visit()
    ended = clock.now()
    served = kit.changed(visit[1], status="served", finished_at=ended.isoformat())
    event = TicketEvent(
        id=uuid7(),
        node_id=kit.kit.node_id,
        node_seq=kit.next_seq(),
        ticket_id=visit[1]["id"],
        centre=world.gpo,
        kind="served",
        at=ended,
    )
    response = push(client, kit, [*visit, served, wire(event, event.node_seq)])
    assert {outcome for outcome, _reason in results(response)} == {"stored", "updated"}
    assert rating_invitations_send(now=ended + dt.timedelta(minutes=30)) == 1
    assert RatingInvitation.objects.get().visit_id.hex == visit[0]["id"].replace("-", "")
    (message,) = Message.objects.filter(template="rating_invite", to="+254712345678")
    path = re.search(r"https?://[^/\s]+(/r/[^/\s]+/)", message.body).group(1)
    assert client.get(path).status_code == 200
