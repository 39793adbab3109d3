"""Every posted payment gets a signed receipt that anyone can check, online or offline."""

import datetime as dt
import subprocess
import sys
import uuid
from decimal import Decimal

import pytest
from django.urls import reverse

from huduma.ledger import receipt_format, services, signing
from huduma.ledger.models import Entry, Posting

PAID_AT = dt.datetime(2026, 11, 20, 9, 30, tzinfo=dt.UTC)


def pay(world, amount="100.00", centre=None, service=None, method="mpesa", reference="QKT1AB2CD3"):
    return services.payment_post(
        payment_id=uuid.uuid4(),
        amount=Decimal(amount),
        service_id=(service or world.id_dup).pk,
        centre_id=(centre or world.gpo).pk,
        at=PAID_AT,
        method=method,
        reference=reference,
    )


def test_payment_is_posted_balanced_to_the_mda_and_centre(world):
    receipt = pay(world)
    entry = receipt.entry
    postings = {p.account: (p.debit, p.credit) for p in Posting.objects.filter(entry=entry)}
    assert postings == {
        "clearing:mpesa": (Decimal("100.00"), Decimal("0.00")),
        "revenue:NRB:gpo-nairobi": (Decimal("0.00"), Decimal("100.00")),
    }
    assert entry.mda == world.nrb and entry.centre == world.gpo


def test_the_same_payment_posted_twice_credits_once(world):
    payment_id = uuid.uuid4()
    kwargs = {
        "payment_id": payment_id,
        "amount": Decimal("100.00"),
        "service_id": world.id_dup.pk,
        "centre_id": world.gpo.pk,
        "at": PAID_AT,
        "method": "mpesa",
    }
    first = services.payment_post(**kwargs)
    second = services.payment_post(**kwargs)
    assert first.number == second.number
    assert Entry.objects.count() == 1


def test_receipt_numbers_are_unique(world):
    numbers = {pay(world).number for _ in range(20)}
    assert len(numbers) == 20


def test_receipt_verified_online_by_number_shows_nothing_personal(client, world):
    receipt = pay(world)
    response = client.get(reverse("ledger:verify"), {"number": receipt.number})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Genuine receipt" in body
    assert "100.00" in body and "Replacement of a lost ID card" in body
    assert "National Registration Bureau" in body and "Huduma Centre GPO" in body
    assert "QKT1AB2CD3" not in body  # the payer's M-Pesa reference is not shown


def test_receipt_qr_code_verified_online(client, world):
    receipt = pay(world)
    response = client.get(reverse("ledger:verify"), {"code": receipt.code})
    assert response.status_code == 200
    assert "The signature is valid" in response.content.decode()


def test_receipt_verified_offline_with_the_public_key_only(client, world, tmp_path):
    receipt = pay(world)
    pem = client.get(reverse("ledger:public_key")).content
    key_file = tmp_path / "huduma.pem"
    key_file.write_bytes(pem)
    details = receipt_format.verify(receipt.code, receipt_format.load_public_key(pem))
    assert details.number == receipt.number and details.amount == "100.00"
    assert (details.service, details.mda, details.centre) == (
        "NRB-ID-DUPLICATE",
        "NRB",
        "gpo-nairobi",
    )
    # The standalone checker, as a citizen or auditor would run it with no network.
    scanned = f"https://huduma.example/receipts/verify/?code={receipt.code}"
    run = subprocess.run(
        [sys.executable, "-m", "huduma.ledger.receipt_format", str(key_file), scanned],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0 and "VALID receipt" in run.stdout


def test_tampered_receipt_rejected_online_and_offline(client, world):
    receipt = pay(world, amount="100.00")
    tampered = receipt.code.replace("|100.00|", "|10000.00|")
    with pytest.raises(receipt_format.BadReceipt):
        receipt_format.verify(tampered, signing.public_key())
    response = client.get(reverse("ledger:verify"), {"code": tampered})
    body = response.content.decode()
    assert "Altered receipt" in body and "Genuine receipt" not in body
    assert "KES 100.00" in body  # the genuine amount, for comparison


def test_receipt_signed_by_another_key_rejected(world):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    receipt = pay(world)
    details, _sig = receipt_format.decode(receipt.code)
    forged = receipt_format.encode(
        details, Ed25519PrivateKey.generate().sign(receipt_format.signed_part(details).encode())
    )
    with pytest.raises(receipt_format.BadReceipt):
        receipt_format.verify(forged, signing.public_key())


def test_unknown_receipt_number_says_so(client, world):
    response = client.get(reverse("ledger:verify"), {"number": "HR-0000000000"})
    assert response.status_code == 404
    assert "No such receipt" in response.content.decode()


def test_receipt_page_prints_a_qr_code_for_the_centre_staff(client, world):
    receipt = pay(world)
    client.force_login(world.alice)
    response = client.get(reverse("ledger:receipt", args=[receipt.number]))
    assert response.status_code == 200
    assert "<svg" in response.content.decode()
    client.force_login(world.charlie)  # another centre
    assert client.get(reverse("ledger:receipt", args=[receipt.number])).status_code == 403


def test_bad_payment_values_post_nothing(world):
    from huduma.core.errors import DomainError

    for bad in (
        {"amount": Decimal(0)},
        {"amount": Decimal(-5)},
        {"method": "bitcoin"},
        {"service_id": 999999},
        {"centre_id": 999999},
        {"mda_id": world.kra.pk},
    ):
        values = {
            "payment_id": uuid.uuid4(),
            "amount": Decimal(100),
            "service_id": world.id_dup.pk,
            "centre_id": world.gpo.pk,
            "at": PAID_AT,
            "method": "mpesa",
            **bad,
        }
        with pytest.raises(DomainError):
            services.payment_post(**values)
    with pytest.raises(TypeError):  # money is never a float
        services.payment_post(
            payment_id=uuid.uuid4(),
            amount=100.0,
            service_id=world.id_dup.pk,
            centre_id=world.gpo.pk,
            at=PAID_AT,
            method="mpesa",
        )
    assert Entry.objects.count() == 0
