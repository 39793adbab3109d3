"""The audit log records catalogue changes and sign-ins, and detects tampering."""

from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from huduma.core.audit import verify_chain
from huduma.core.models import AuditEntry
from tests.conftest import sign_in_verified

pytestmark = pytest.mark.django_db


def test_fee_change_is_recorded_with_before_and_after(world):
    world.id_dup.fee_kes = Decimal("150.00")
    world.id_dup.save()
    entry = AuditEntry.objects.filter(action="catalogue.service.update").last()
    assert entry.object_id == str(world.id_dup.pk)
    assert entry.before["fee_kes"] == "100.00"
    assert entry.after["fee_kes"] == "150.00"


def test_staff_sign_in_is_recorded(client, world):
    response = client.post(reverse("accounts:login"), {"username": "alice", "password": "pw-alice"})
    assert response.status_code == 302
    entry = AuditEntry.objects.filter(action="auth.sign_in").last()
    assert entry.actor == world.alice


def test_failed_sign_in_is_recorded_without_password(client, world):
    client.post(reverse("accounts:login"), {"username": "alice", "password": "wrong-secret"})
    entry = AuditEntry.objects.filter(action="auth.sign_in_failed").last()
    assert entry.object_repr == "alice"
    assert "wrong-secret" not in str(entry.before) + str(entry.after) + entry.object_repr


def test_admin_edit_records_the_signed_in_editor(client, world):
    sign_in_verified(client, world.sam)
    client.post(
        reverse("admin:catalogue_mda_change", args=[world.kra.pk]),
        {
            "code": "KRA",
            "name_en": "Kenya Revenue Authority (KRA)",
            "name_sw": "Mamlaka ya Ushuru",
            "sector": "money",
            "in_reference": "on",
        },
    )
    entry = AuditEntry.objects.filter(action="catalogue.mda.update").last()
    assert entry.actor == world.sam
    assert entry.after["name_en"] == "Kenya Revenue Authority (KRA)"


def test_intact_chain_verifies(world):
    report = verify_chain()
    assert report.ok and report.checked > 10
    call_command("verify_audit_chain")


def test_edited_row_breaks_the_chain_and_is_named(world):
    victim = AuditEntry.objects.filter(action="catalogue.service.create").first()
    # Tampering goes around the model (which refuses updates), straight to the table.
    AuditEntry.objects.filter(pk=victim.pk).update(after={"fee_kes": "1.00"})
    report = verify_chain()
    assert not report.ok
    assert report.first_bad_id == victim.pk
    with pytest.raises(CommandError, match=f"entry {victim.pk}"):
        call_command("verify_audit_chain")


def test_deleted_row_breaks_the_chain(world):
    victim = AuditEntry.objects.order_by("id")[3]
    AuditEntry.objects.filter(pk=victim.pk)._raw_delete(AuditEntry.objects.db)
    assert not verify_chain().ok


def test_entries_cannot_be_changed_through_the_model(world):
    entry = AuditEntry.objects.first()
    entry.action = "something.else"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()


def test_rows_made_in_bulk_are_recorded_like_rows_saved_one_by_one(world):
    from huduma.catalogue.models import CentreService
    from huduma.core import audit

    CentreService.objects.filter(centre=world.kisumu).delete()
    one = CentreService.objects.create(centre=world.kisumu, service=world.id_dup)
    by_signal = AuditEntry.objects.filter(action="catalogue.centreservice.create").last()
    made = CentreService.objects.bulk_create(
        [CentreService(centre=world.kisumu, service=s) for s in (world.nhif_reg, world.kra_pin)]
    )
    assert audit.record_created(made) == 2
    entries = list(AuditEntry.objects.filter(action="catalogue.centreservice.create"))[-2:]
    assert [e.object_id for e in entries] == [str(m.pk) for m in made]
    # The same shape as the entry the signal wrote for the row saved on its own.
    assert set(entries[0].after) == set(by_signal.after)
    assert entries[0].after["service"] == world.nhif_reg.pk and one.pk != made[0].pk
    assert verify_chain().ok
