"""The audit log reads as changes: newest first, only the fields that changed, before → after,
in Nairobi time, money as KES 1,234.00."""

import html
from decimal import Decimal

import pytest

from huduma.core import audit
from huduma.core.audit_diff import changes
from huduma.core.models import AuditEntry
from tests.conftest import sign_in_verified

pytestmark = pytest.mark.django_db

LOG = "/admin/core/auditentry/"


def test_update_shows_only_what_changed(world, clock):
    world.id_dup.fee_kes = Decimal(1250)
    world.id_dup.save()
    entry = AuditEntry.objects.filter(action="catalogue.service.update").latest("id")
    assert [(c.field, c.before, c.after) for c in changes(entry)] == [
        ("Official fee (KES)", "KES 100.00", "KES 1,250.00")
    ]


def test_created_and_deleted_records_list_their_values(world, clock):
    created = AuditEntry.objects.filter(action="catalogue.service.create").first()
    shown = {c.field: (c.before, c.after) for c in changes(created)}
    assert shown["Official fee (KES)"] == ("—", "KES 100.00")
    assert "Id" not in shown
    world.kra_pin.requirements.first().delete()
    deleted = AuditEntry.objects.filter(action="catalogue.requirement.delete").latest("id")
    assert all(c.after == "—" for c in changes(deleted)) and changes(deleted)


def test_hand_written_entries_format_money_and_times(world, clock):
    entry = audit.record(
        action="ledger.payment_posted",
        object_type="ledger.entry",
        object_id="1",
        after={"amount": Decimal(1234), "paid_at": clock.current, "service": "KRA-PIN"},
    )
    shown = {c.field: c.after for c in changes(entry)}
    assert shown == {
        "Amount (KES)": "KES 1,234.00",
        "Paid at": "2026-11-24 09:00:00",
        "Service": "KRA-PIN",
    }


def test_admin_lists_newest_first_with_readable_changes(client, world, clock):
    clock.advance(minutes=30)
    world.nhif_reg.fee_kes = Decimal(500)
    world.nhif_reg.save()
    sign_in_verified(client, world.sam)
    page = html.unescape(client.get(LOG).content.decode())
    newest = page.index("catalogue.service.update")
    assert newest < page.index("catalogue.service.create")
    assert "2026-11-24 09:30:00" in page  # Nairobi time, whatever the server's zone
    assert "Official fee (KES): KES 0.00 → KES 500.00" in page
    row = page[newest : page.index("</tr>", newest)]
    assert "Name (English)" not in row  # unchanged fields are left out

    entry = AuditEntry.objects.filter(action="catalogue.service.update").latest("id")
    detail = html.unescape(client.get(f"{LOG}{entry.pk}/change/").content.decode())
    assert "<td>KES 0.00</td><td>KES 500.00</td>" in detail
    assert '"fee_kes"' not in detail  # no raw JSON


def test_only_admin_users_read_the_log(client, world):
    client.force_login(world.bob)
    assert client.get(LOG).status_code in (302, 403)


def test_admin_list_shows_what_a_domain_action_recorded(client, world, clock):
    audit.record(
        action="ledger.payment_posted",
        object_type="ledger.entry",
        object_id="1",
        after={"amount": Decimal(1234), "service": "KRA-PIN"},
    )
    sign_in_verified(client, world.sam)
    page = html.unescape(client.get(LOG).content.decode())
    assert "Amount (KES): KES 1,234.00" in page and "Service: KRA-PIN" in page
    assert "new record" in page  # the world's catalogue rows, created by the fixtures
