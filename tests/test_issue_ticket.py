"""Issuing: one number per visit, checklist confirmed, numbered per centre per day."""

import datetime as dt

import pytest

from huduma.queues import services
from huduma.queues.errors import (
    IdempotencyMismatch,
    RequirementsNotConfirmed,
    ServiceNotOffered,
)
from huduma.queues.models import Ticket, TicketEvent, Visit

pytestmark = pytest.mark.django_db


def issue(world, svcs, **kw):
    kw.setdefault("requirements_confirmed", True)
    kw.setdefault("channel", "reception")
    return services.visit_issue(centre=world.gpo, services=svcs, **kw)


def test_one_ticket_for_three_services(world, clock):
    visit = issue(world, [world.id_dup, world.nhif_reg, world.kra_pin])
    assert visit.number == "A001"  # the first service's group letter
    statuses = list(visit.tickets.order_by("position").values_list("status", flat=True))
    assert statuses == ["waiting", "pending", "pending"]
    assert visit.requirements_confirmed_at == clock.current
    kinds = sorted(TicketEvent.objects.filter(ticket__visit=visit).values_list("kind", flat=True))
    assert kinds == ["issued", "issued", "issued", "waiting"]


def test_numbers_follow_on_and_reset_each_day(world, clock):
    assert issue(world, [world.id_dup]).number == "A001"
    assert issue(world, [world.id_dup]).number == "A002"
    assert issue(world, [world.nhif_reg]).number == "B001"
    # Midnight in Nairobi (21:00 UTC) starts a new day, whatever the UTC date says.
    clock.set(dt.datetime(2026, 11, 25, 0, 5, tzinfo=clock.current.tzinfo))
    assert issue(world, [world.id_dup]).number == "A001"


def test_checklist_must_be_confirmed(world, clock):
    with pytest.raises(RequirementsNotConfirmed) as exc:
        issue(world, [world.id_dup], requirements_confirmed=False)
    assert exc.value.field == "requirements_confirmed"
    assert Visit.objects.count() == 0


def test_service_not_offered_at_centre_is_refused(world, clock):
    world.gpo.offered_services.filter(service=world.kra_pin).delete()
    with pytest.raises(ServiceNotOffered) as exc:
        issue(world, [world.id_dup, world.kra_pin])
    assert "does not offer" in exc.value.message
    assert Visit.objects.count() == 0 and Ticket.objects.count() == 0


def test_same_idempotency_key_gives_the_same_ticket(world, clock):
    first = issue(world, [world.id_dup], idempotency_key="kiosk-7-0001")
    again = issue(world, [world.id_dup], idempotency_key="kiosk-7-0001")
    assert again.pk == first.pk
    assert Visit.objects.count() == 1


def test_reused_idempotency_key_for_another_request_is_refused(world, clock):
    issue(world, [world.id_dup], idempotency_key="k1")
    with pytest.raises(IdempotencyMismatch):
        issue(world, [world.kra_pin], idempotency_key="k1")


def test_virtual_ticket_needs_a_phone_and_gets_an_sms(
    world, clock, _memory_sms, django_capture_on_commit_callbacks
):
    with pytest.raises(RequirementsNotConfirmed):
        issue(world, [world.nhif_reg], channel="web")
    with django_capture_on_commit_callbacks(execute=True):
        visit = issue(world, [world.nhif_reg], channel="web", phone="0712 345 678", language="en")
    assert visit.phone == "+254712345678"
    ((to, body),) = _memory_sms.outbox
    assert to == "+254712345678" and visit.number in body
