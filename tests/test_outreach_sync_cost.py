"""The server's work per kit batch does not grow with the records in it (issue 16's CPU
regression: every child of a parent in the same batch went record by record, and each rule
asked the database about its parent): a batch costs the same number of queries for 5 visits
as for 40 (give or take SQLite's split of a long INSERT), whether their parents come in the
same batch or came before."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from huduma.core import clock
from huduma.core.ids import uuid7
from huduma.outreach.records import wire
from huduma.queues.models import TicketEvent
from tests.outreach_helpers import Kit, push

pytestmark = pytest.mark.django_db


def queries(client, kit, items) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = push(client, kit, items)
    assert response.status_code == 200
    assert {r["outcome"] for r in response.json()["results"]} == {"stored"}
    return len(captured)


def later_events(kit, batch: list[dict]) -> list[dict]:
    """A `called` event of each ticket of an earlier batch (its parent on the server)."""
    events = []
    for item in batch:
        if item["model"] != "queues.Ticket":
            continue
        event = TicketEvent(
            id=uuid7(),
            node_id=kit.kit.node_id,
            node_seq=kit.next_seq(),
            ticket_id=item["id"],
            centre_id=item["fields"]["centre_id"],
            kind="called",
            at=clock.now() + dt.timedelta(seconds=1),
        )
        events.append(wire(event, event.node_seq))
    return events


def test_a_batch_costs_the_same_queries_for_5_visits_as_for_40(client, world):
    kit = Kit(world)
    small = [item for _ in range(5) for item in kit.visit()]
    large = [item for _ in range(40) for item in kit.visit()]
    assert len(large) == 160
    small_cost, large_cost = queries(client, kit, small), queries(client, kit, large)
    # 140 more records: no more than a few statements more (SQLite splits a long INSERT).
    assert large_cost - small_cost <= 4, (small_cost, large_cost)
    # Children whose parents the server holds from an earlier batch: asked about once.
    small_cost = queries(client, kit, later_events(kit, small))
    large_cost = queries(client, kit, later_events(kit, large))
    assert large_cost - small_cost <= 4, (small_cost, large_cost)
