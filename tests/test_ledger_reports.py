"""Reconciliation lists every difference with the provider's statement; revenue reports add up."""

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from huduma.ledger import reports, services
from huduma.ledger.errors import BadStatement
from tests.conftest import sign_in_verified

DAY = dt.date(2026, 11, 20)
MORNING = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)  # 12:00 in Nairobi


def post(world, reference, amount, *, at=MORNING, centre=None, service=None, method="mpesa"):
    return services.payment_post(
        payment_id=uuid.uuid4(),
        amount=Decimal(amount),
        service_id=(service or world.id_dup).pk,
        centre_id=(centre or world.gpo).pk,
        at=at,
        method=method,
        reference=reference,
    )


STATEMENT = """Organisation Name:,Huduma Kenya
Statement Period:,20-11-2026 - 20-11-2026
Receipt No.,Completion Time,Initiation Time,Details,Transaction Status,Paid In,Withdrawn,Balance,Balance Confirmed,Reason Type,Other Party Info,Linked Transaction ID,A/C No.
QKA0000001,2026-11-20 12:00:01,2026-11-20 12:00:00,Pay Bill from 2547XXXXXX,Completed,100.00,,1000.00,true,Pay Bill,2547XXXXXX - J D,,HUD
QKA0000002,2026-11-20 12:05:01,2026-11-20 12:05:00,Pay Bill from 2547XXXXXX,Completed,"1,000.00",,2000.00,true,Pay Bill,2547XXXXXX - J D,,HUD
QKA0000003,2026-11-20 12:06:01,2026-11-20 12:06:00,Pay Bill from 2547XXXXXX,Completed,100.00,,2100.00,true,Pay Bill,2547XXXXXX - J D,,HUD
QKA0000009,2026-11-20 12:07:01,2026-11-20 12:07:00,Pay Bill from 2547XXXXXX,Cancelled,100.00,,2100.00,true,Pay Bill,2547XXXXXX - J D,,HUD
QKA0000010,2026-11-20 13:00:00,2026-11-20 13:00:00,Business charge,Completed,,50.00,2050.00,true,Charge,,,
"""


def test_reconciliation_lists_every_difference(world):
    post(world, "QKA0000001", "100.00")  # agrees
    post(world, "QKA0000002", "100.00")  # the statement says 1,000.00
    post(world, "QKA0000004", "100.00")  # not in the statement
    post(world, "QKA0000005", "100.00", method="cash")  # cash is not on the M-Pesa statement
    post(world, "QKA0000006", "100.00", at=MORNING + dt.timedelta(days=1))  # another day
    differences = reports.reconcile(statement=STATEMENT, day=DAY)
    found = {(d.kind, d.reference, d.statement_amount, d.ledger_amount) for d in differences}
    assert found == {
        ("amount_mismatch", "QKA0000002", Decimal("1000.00"), Decimal("100.00")),
        ("missing_in_ledger", "QKA0000003", Decimal("100.00"), None),
        ("missing_in_statement", "QKA0000004", None, Decimal("100.00")),
    }


def test_a_statement_without_its_columns_is_refused(world):
    with pytest.raises(BadStatement):
        reports.reconcile(statement="a,b\n1,2\n", day=DAY)
    with pytest.raises(BadStatement):
        reports.reconcile(statement="Receipt No.,Paid In\nX1,abc\n", day=DAY)


def test_reconciliation_page_for_the_secretariat_only(client, world):
    post(world, "QKA0000001", "100.00")
    client.force_login(world.bob)
    assert client.get(reverse("ledger:reconciliation")).status_code == 403
    sign_in_verified(client, world.sam)
    response = client.post(
        reverse("ledger:reconciliation"),
        {
            "day": "2026-11-20",
            "statement": SimpleUploadedFile("statement.csv", STATEMENT.encode(), "text/csv"),
        },
    )
    body = response.content.decode()
    assert response.status_code == 200, body[body.find("<main") :]
    assert 'data-kind="missing_in_ledger"' in body and "QKA0000003" in body


def test_revenue_sums_by_mda_centre_service_and_day(world, clock):
    clock.set(MORNING + dt.timedelta(hours=2))  # the refund below is posted on the 20th
    post(world, "R1", "100.00")
    post(world, "R2", "100.00", centre=world.kisumu)
    post(world, "R3", "250.00", service=world.kra_pin)
    post(world, "R4", "100.00", at=MORNING + dt.timedelta(days=1))
    # 23:30 UTC on the 20th is the 21st in Nairobi.
    post(world, "R5", "100.00", at=dt.datetime(2026, 11, 20, 23, 30, tzinfo=dt.UTC))
    receipt = post(world, "R6", "100.00")
    refund = services.refund_request(
        receipt_number=receipt.number, amount="40", reason="partly", by=world.alice
    )
    services.refund_approve(refund_id=refund.pk, by=world.bob)
    rows = reports.revenue(first=DAY, last=DAY + dt.timedelta(days=1))
    assert sum(r["net"] for r in rows) == Decimal("710.00")
    assert dict(reports.totals_by(rows, "mda")) == {
        "NRB": Decimal("460.00"),
        "KRA": Decimal("250.00"),
    }
    assert dict(reports.totals_by(rows, "centre")) == {
        "gpo-nairobi": Decimal("610.00"),
        "kisumu": Decimal("100.00"),
    }
    by_day = dict(reports.totals_by(rows, "day"))
    assert by_day == {"2026-11-20": Decimal("510.00"), "2026-11-21": Decimal("200.00")}
    one_centre = reports.revenue(first=DAY, last=DAY, centre=world.kisumu)
    assert [r["net"] for r in one_centre] == [Decimal("100.00")]


def test_revenue_pages_and_csv_are_role_checked(client, world):
    post(world, "R1", "100.00")
    post(world, "R2", "100.00", centre=world.kisumu)
    query = {"since": "2026-11-20", "until": "2026-11-20"}
    client.force_login(world.bob)  # GPO's manager
    assert client.get(reverse("ledger:revenue"), query).status_code == 403
    assert client.get(reverse("ledger:centre_revenue", args=["kisumu"]), query).status_code == 403
    page = client.get(reverse("ledger:centre_revenue", args=["gpo-nairobi"]), query)
    assert page.status_code == 200 and "KES 100.00" in page.content.decode()
    client.force_login(world.alice)  # a counter officer sees no revenue
    assert (
        client.get(reverse("ledger:centre_revenue", args=["gpo-nairobi"]), query).status_code == 403
    )
    sign_in_verified(client, world.sam)
    csv_response = client.get(reverse("ledger:revenue"), {**query, "format": "csv"})
    lines = csv_response.content.decode().splitlines()
    assert lines[0] == "day,mda,centre,service,paid,refunded,net"
    assert sorted(lines[1:]) == [
        "2026-11-20,NRB,gpo-nairobi,NRB-ID-DUPLICATE,100.00,0.00,100.00",
        "2026-11-20,NRB,kisumu,NRB-ID-DUPLICATE,100.00,0.00,100.00",
    ]


def test_refunds_page_maker_checker(client, world):
    receipt = post(world, "R1", "100.00")
    client.force_login(world.alice)
    client.post(
        reverse("ledger:refunds"),
        {"action": "request", "number": receipt.number, "amount": "30", "reason": "overcharged"},
    )
    from huduma.ledger.models import Refund

    refund = Refund.objects.get()
    response = client.post(reverse("ledger:refunds"), {"action": "approve", "refund": refund.pk})
    assert response.status_code == 403 or response.status_code == 400
    refund.refresh_from_db()
    assert refund.status == Refund.Status.PENDING
    client.force_login(world.bob)
    response = client.post(reverse("ledger:refunds"), {"action": "approve", "refund": refund.pk})
    assert response.status_code == 302
    refund.refresh_from_db()
    assert refund.status == Refund.Status.APPROVED
