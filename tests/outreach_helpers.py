"""Helpers for the field-kit tests: a kit enrolled at GPO Nairobi, and wire records built in
memory the way a kit sends them."""

import datetime as dt
import json

from huduma.core import clock
from huduma.core.ids import uuid7
from huduma.outreach import enrolment
from huduma.outreach.records import content_hash, wire
from huduma.queues.models import Ticket, TicketEvent, Visit


class Kit:
    """A kit of GPO; for `outreach` (with the officers its plan sends) or for none (alice)."""

    def __init__(self, world, name="mashinani-kibra-2026-12", outreach=None):
        self.kit, code = enrolment.field_kit_register(
            centre=world.gpo,
            name=f"Kit {name}",
            officers=[] if outreach is not None else [world.alice],
            outreach=outreach,
            actor=world.bob,
        )
        self.kit, self.token = enrolment.field_kit_enroll(code=code)
        self.world = world
        self.seq = 0
        self.number = 0

    @property
    def headers(self) -> dict:
        return {"HTTP_AUTHORIZATION": f"Device {self.token}"}

    def next_seq(self) -> int:
        self.seq += 1
        return self.seq

    def visit(self) -> list[dict]:
        """A visit with its ticket and two events, as wire records in creation order."""
        self.number += 1
        now = clock.now()
        node = self.kit.node_id
        visit = Visit(
            id=uuid7(),
            node_id=node,
            node_seq=self.next_seq(),
            centre=self.world.gpo,
            service_day=clock.local_date(now),
            prefix=self.kit.ticket_prefix,
            sequence=self.number,
            number=f"{self.kit.ticket_prefix}{self.number:03d}",
            arrived_at=now,
            channel="reception",
            phone="+254712345678",
        )
        items = [wire(visit, visit.node_seq)]
        ticket = Ticket(
            id=uuid7(),
            node_id=node,
            node_seq=self.next_seq(),
            visit=visit,
            centre=self.world.gpo,
            service=self.world.id_dup,
            position=0,
            status="waiting",
            waiting_since=now,
        )
        items.append(wire(ticket, ticket.node_seq))
        for kind in ("issued", "waiting"):
            event = TicketEvent(
                id=uuid7(),
                node_id=node,
                node_seq=self.next_seq(),
                ticket=ticket,
                centre=self.world.gpo,
                kind=kind,
                at=now + dt.timedelta(microseconds=1),
            )
            items.append(wire(event, event.node_seq))
        return items

    def changed(self, item: dict, seq: int | None = None, **fields) -> dict:
        """The same record with other content (a new version, or under the same number)."""
        new = json.loads(json.dumps(item))
        new["fields"].update(fields)
        new["seq"] = seq if seq is not None else self.next_seq()
        new["hash"] = content_hash(new["model"], new["id"], new["fields"])
        return new


def push(client, kit: Kit, items: list, pending: int = 0):
    return client.post(
        "/api/outreach/sync/push",
        data=json.dumps({"pending": pending, "items": items}),
        content_type="application/json",
        **kit.headers,
    )
