"""Reports: what an outreach did (citizens served per service, applications, revenue, ratings,
complaints, spending against the imprest), per month and county, and the share of customers
served through outreach. Records made at an outreach are the visits of its kits' node ids on
its days at its centre (selectors.records_of_outreach)."""

import datetime as dt
from decimal import Decimal

import pytest

from huduma.applications.models import Application
from huduma.complaints.models import Complaint
from huduma.feedback.models import Rating
from huduma.outreach import imprest, planning, selectors
from huduma.payments.models import Invoice, Payment
from huduma.queues.models import Ticket, Visit
from tests.outreach_world import add_mashinani, planned

KIT = "kit-westlands-1"
DAY = dt.date(2026, 12, 2)


@pytest.fixture
def mashinani(world):
    return add_mashinani(world)


@pytest.fixture
def kits():
    """Kits' node ids per outreach, beside the real source (FieldKit.outreach, registered by
    OutreachConfig.ready; test_outreach_kit enrols real kits)."""
    enrolled: dict[int, list[str]] = {}

    def source(outreach):
        return enrolled.get(outreach.pk, [])

    selectors.register_kit_source(source)
    yield enrolled
    selectors.unregister_kit_source(source)


def visit(world, day, service, *, node, n, status=Ticket.Status.SERVED, centre=None):
    centre = centre or world.gpo
    moment = dt.datetime.combine(day, dt.time(10, 0), tzinfo=dt.UTC)
    v = Visit.objects.create(
        centre=centre,
        service_day=day,
        prefix="M",
        sequence=n,
        number=f"M{n:03d}",
        arrived_at=moment,
        channel="reception",
        node_id=node,
        node_seq=n,
    )
    ticket = Ticket.objects.create(
        visit=v, centre=centre, service=service, position=0, status=status, node_id=node
    )
    return ticket


def test_report_of_an_outreach(mashinani, kits, clock):
    outreach = planned(mashinani, mashinani.westlands, [DAY])
    kits[outreach.pk] = [KIT]
    served = [visit(mashinani, DAY, mashinani.id_dup, node=KIT, n=n) for n in range(1, 4)]
    served.append(visit(mashinani, DAY, mashinani.nhif_reg, node=KIT, n=4))
    visit(mashinani, DAY, mashinani.id_dup, node=KIT, n=5, status=Ticket.Status.NO_SHOW)
    # Not this outreach: the centre's own counter that day, and the kit on another day.
    visit(mashinani, DAY, mashinani.id_dup, node="central", n=6)
    visit(mashinani, dt.date(2026, 12, 9), mashinani.id_dup, node=KIT, n=7)

    now = clock.current
    for n, ticket in enumerate(served[:2]):
        Application.objects.create(
            tracking_number=f"HK-T{n}",
            ticket=ticket,
            visit=ticket.visit,
            service=mashinani.id_dup,
            mda=mashinani.nrb,
            centre=mashinani.gpo,
            phone="+254712000001",
            fee_kes=Decimal(100),
            turnaround_days=5,
            received_at=now,
            due_on=DAY,
            updated_at=now,
            node_id=KIT,
        )
        invoice = Invoice.objects.create(
            service=mashinani.id_dup,
            centre=mashinani.gpo,
            ticket=ticket,
            amount_kes=Decimal(100),
            raised_at=now,
        )
        Payment.objects.create(
            invoice=invoice,
            channel="cash",
            provider="cash",
            amount_kes=Decimal(100),
            status=Payment.Status.COMPLETED,
            started_at=now,
            node_id=KIT,
        )
    for ticket, score in ((served[0], 5), (served[3], 3)):
        Rating.objects.create(
            ticket=ticket,
            centre=mashinani.gpo,
            service=ticket.service,
            ending="served",
            channel="tablet",
            score=score,
            at=now,
            node_id=KIT,
        )
    Complaint.objects.create(
        reference="C-1",
        category="other",
        channel="centre",
        level="centre",
        centre=mashinani.gpo,
        ticket=served[1],
        text="Slow",
        phone="+254712000001",
        created_at=now,
        updated_at=now,
        node_id=KIT,
    )
    imprest.expense_record(
        outreach=outreach,
        description="Tents",
        amount="8000",
        receipt_number="R1",
        actor=mashinani.bob,
    )

    report = selectors.outreach_report(outreach)
    assert report.citizens == 4 and report.served == 4
    lines = {line.service.code: line for line in report.lines}
    assert (lines["NRB-ID-DUPLICATE"].served, lines["NHIF-REGISTRATION"].served) == (3, 1)
    assert lines["NRB-ID-DUPLICATE"].applications == 2
    assert report.applications == 2 and report.revenue_kes == Decimal("200.00")
    assert report.ratings == 2 and report.average_rating == 4.0
    assert report.complaints == 1
    assert (report.spent_kes, report.balance_kes) == (Decimal("8000.00"), Decimal("42000.00"))

    month = selectors.month_report(dt.date(2026, 12, 1), mashinani.gpo.county)
    # 4 served at the outreach; 2 more at the centre (its own and the kit's other day).
    assert (month.outreach_citizens, month.all_citizens) == (4, 6)
    assert month.share_percent == 66.7
    assert month.spent_kes == Decimal("8000.00")


def test_a_kit_of_another_outreach_is_not_counted(mashinani, kits, clock):
    first = planned(mashinani, mashinani.westlands, [DAY], services_=[mashinani.id_dup])
    second = planned(mashinani, mashinani.kibra, [DAY], services_=[mashinani.id_dup])
    kits[first.pk], kits[second.pk] = ["kit-a"], ["kit-b"]
    visit(mashinani, DAY, mashinani.id_dup, node="kit-a", n=1)
    visit(mashinani, DAY, mashinani.id_dup, node="kit-b", n=2)
    visit(mashinani, DAY, mashinani.id_dup, node="kit-b", n=3)
    assert selectors.outreach_report(first).citizens == 1
    assert selectors.outreach_report(second).citizens == 2


def test_only_the_kits_enrolled_for_the_outreach_count(mashinani, clock):
    outreach = planned(mashinani, mashinani.westlands, [DAY])
    visit(mashinani, DAY, mashinani.id_dup, node="some-kit", n=1)
    visit(mashinani, DAY, mashinani.id_dup, node="central", n=2)
    assert selectors.records_of_outreach(outreach).visits.count() == 0


def test_report_pages(mashinani, kits, client, clock):
    outreach = planned(mashinani, mashinani.westlands, [DAY])
    kits[outreach.pk] = [KIT]
    visit(mashinani, DAY, mashinani.id_dup, node=KIT, n=1)
    client.force_login(mashinani.bob)
    page = client.get(f"/staff/outreach/{outreach.pk}/report/").content.decode()
    assert 'data-testid="citizens">1<' in page
    page = client.get("/staff/outreach/report/?month=2026-12").content.decode()
    assert 'data-testid="share">100.0%' in page


def test_the_plan_a_field_kit_takes(mashinani, clock):
    outreach = planned(mashinani, mashinani.westlands, [DAY])
    planning.outreach_assign_officer(
        outreach=outreach, service=mashinani.id_dup, officer=mashinani.dave, actor=mashinani.bob
    )
    plan = selectors.outreach_plan(outreach)
    assert plan["days"] == ["2026-12-02"] and plan["ticket_prefix"] == outreach.ticket_prefix
    assert plan["venue"]["name"] == "Chief's camp"
    assert plan["services"] == [
        {"code": "NHIF-REGISTRATION", "equipment": "Laptop, printer", "officer": None},
        {"code": "NRB-ID-DUPLICATE", "equipment": "Laptop, printer", "officer": "dave"},
    ]
