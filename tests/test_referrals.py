"""Referral to an MDA's office for a service the centre does not offer: address by SMS, and a
follow-up that stays open until closed."""

import pytest

from huduma.applications import services as applications
from huduma.applications.models import Referral
from huduma.catalogue.models import CentreService
from huduma.core.errors import DomainError, Forbidden
from huduma.notify.models import Message


@pytest.fixture
def not_at_gpo(world):
    CentreService.objects.filter(centre=world.gpo, service=world.kra_pin).delete()
    world.kra.office_address = "Times Tower, Haile Selassie Avenue, Nairobi"
    world.kra.office_hours = "Mon-Fri 08:00-17:00"
    world.kra.save()
    return world.kra_pin


def test_referral_sends_the_address_and_stays_open_until_closed(client, world, clock, not_at_gpo):
    client.force_login(world.alice)
    page = client.get(f"/staff/centres/{world.gpo.code}/referrals/").content.decode()
    assert "KRA PIN registration" in page
    response = client.post(
        f"/staff/centres/{world.gpo.code}/referrals/",
        {"service": str(not_at_gpo.pk), "phone": "0712345678"},
    )
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert referral.status == Referral.Status.OPEN and referral.mda == world.kra
    sms = Message.objects.get(template="referral_address")
    assert sms.to == "+254712345678"
    assert "Times Tower, Haile Selassie Avenue" in sms.body
    # Still open until somebody closes it, with what happened.
    clock.advance(days=3)
    client.force_login(world.alice)
    assert (
        "Follow-up open"
        in client.get(f"/staff/centres/{world.gpo.code}/referrals/").content.decode()
    )
    client.post(f"/staff/referrals/{referral.pk}/close/", {"outcome": ""})
    referral.refresh_from_db()
    assert referral.status == Referral.Status.OPEN
    client.post(f"/staff/referrals/{referral.pk}/close/", {"outcome": "Served at KRA"})
    referral.refresh_from_db()
    assert referral.status == Referral.Status.CLOSED and referral.closed_by == world.alice


def test_no_referral_for_a_service_offered_here_or_by_another_centre(world, not_at_gpo):
    with pytest.raises(DomainError) as caught:
        applications.referral_record(
            centre=world.gpo, service=world.id_dup, phone="0712345678", actor=world.alice
        )
    assert caught.value.field == "service"
    with pytest.raises(Forbidden):
        applications.referral_record(
            centre=world.gpo, service=not_at_gpo, phone="0712345678", actor=world.charlie
        )
    world.kra.office_address = ""
    world.kra.save()
    with pytest.raises(DomainError, match="no office address"):
        applications.referral_record(
            centre=world.gpo, service=not_at_gpo, phone="0712345678", actor=world.alice
        )
