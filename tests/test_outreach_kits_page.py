"""The Centre Manager's field-kits page: register a kit for an outreach and get its enrolment
code, see every kit's sync, resolve a conflict, revoke a lost kit and see its refused pushes."""

import pytest

from huduma.accounts.models import Device
from huduma.core.errors import DomainError
from huduma.outreach.sync_models import FieldKit, SyncConflict
from tests.outreach_helpers import Kit, push
from tests.outreach_world import add_mashinani, agreed, coming_day

pytestmark = pytest.mark.django_db

URL = "/staff/centres/gpo-nairobi/field-kits/"


def test_manager_registers_a_kit_and_gets_its_enrolment_code(client, world):
    add_mashinani(world)
    outreach = agreed(world, world.kibra, [coming_day()], {world.id_dup: world.alice})
    client.force_login(world.bob)
    response = client.post(
        URL, {"name": "Kit Kibra", "outreach": outreach.pk, "officers": [world.alice.pk]}
    )
    assert response.status_code == 200
    kit = FieldKit.objects.get()
    assert kit.device.kind == Device.Kind.FIELD_KIT and list(kit.officers.all()) == [world.alice]
    page = response.content.decode()
    assert "fieldkit enroll --server http://testserver --code" in page
    assert f"{kit.ticket_prefix}001" in page and kit.ticket_prefix == outreach.ticket_prefix
    assert "Kibra" in page  # the kit's outreach, in the list of kits


def test_a_kit_without_an_outreach_is_refused_with_a_message(client, world):
    client.force_login(world.bob)
    response = client.post(URL, {"name": "Kit", "officers": []})
    assert response.status_code == 400
    assert 'href="#outreach"' in response.content.decode()
    assert not FieldKit.objects.exists()


def test_only_the_centres_manager_sees_the_page(client, world):
    client.force_login(world.alice)
    assert client.get(URL).status_code == 403
    client.force_login(world.charlie)
    assert client.get(URL).status_code == 403


def test_the_page_shows_sync_conflicts_and_refused_pushes(client, world):
    kit = Kit(world)
    items = kit.visit()
    push(client, kit, items[:2] + items[3:], pending=12)
    tampered = kit.changed(items[0], seq=items[0]["seq"], phone="+254700000009")
    push(client, kit, [tampered], pending=12)
    client.force_login(world.bob)
    page = client.get(URL).content.decode()
    assert "Kit mashinani-kibra-2026-12" in page
    assert "<td>12</td>" in page  # records pending, as the kit reported
    assert "<td>3</td>" in page  # changes received: 1, 2, 4 (3 is a gap)
    assert "this sequence number came before with other content" in page

    conflict = SyncConflict.objects.get()
    response = client.post(f"{URL}conflicts/{conflict.pk}/", {"choice": "keep_server"}, follow=True)
    assert "Conflict resolved." in response.content.decode()
    conflict.refresh_from_db()
    assert conflict.status == "kept_server"

    # Revoking cannot be undone: the first press only asks.
    asked = client.post(f"{URL}{kit.kit.node_id}/revoke/").content.decode()
    assert "Yes, revoke it" in asked and "is revoked" not in asked
    kit.kit.device.refresh_from_db()
    assert kit.kit.device.status != "revoked"
    response = client.post(f"{URL}{kit.kit.node_id}/revoke/", {"confirm": "yes"}, follow=True)
    assert "is revoked" in response.content.decode()
    client.logout()
    assert push(client, kit, kit.visit()).status_code == 403
    client.force_login(world.bob)
    page = client.get(URL).content.decode()
    assert "Revoked" in page and "(last " in page


def _register(client, outreach, world, key):
    return client.post(
        URL,
        {
            "name": "Kit Kibra",
            "outreach": outreach.pk,
            "officers": [world.alice.pk],
            "request_key": key,
        },
    )


def _code(response) -> str:
    page = response.content.decode()
    return page.split('data-testid="enrol-code">', 1)[1].split("<", 1)[0]


def test_a_double_click_registers_one_kit_and_the_code_shown_works(client, world):
    from huduma.outreach import enrolment

    add_mashinani(world)
    outreach = agreed(world, world.kibra, [coming_day()], {world.id_dup: world.alice})
    client.force_login(world.bob)
    form = client.get(URL).content.decode()
    key = form.split('name="request_key" value="', 1)[1].split('"', 1)[0]
    first = _register(client, outreach, world, key)
    second = _register(client, outreach, world, key)  # the same form, sent again
    assert first.status_code == second.status_code == 200
    assert FieldKit.objects.count() == 1
    assert 'data-testid="enrol-repeated"' in second.content.decode()
    # The browser shows the last answer: its code enrols the kit; the first one is dead.
    with pytest.raises(DomainError):
        enrolment.field_kit_enroll(code=_code(first))
    kit, _token = enrolment.field_kit_enroll(code=_code(second))
    assert kit.device.name == "Kit Kibra"
    # Once enrolled, the same form again is refused, not a second kit nor a new code.
    third = _register(client, outreach, world, key)
    assert third.status_code == 400 and "already enrolled" in third.content.decode()
    assert FieldKit.objects.count() == 1


def test_without_the_forms_key_a_second_kit_of_the_same_name_is_refused(client, world):
    add_mashinani(world)
    outreach = agreed(world, world.kibra, [coming_day()], {world.id_dup: world.alice})
    client.force_login(world.bob)
    assert _register(client, outreach, world, "").status_code == 200
    again = _register(client, outreach, world, "")
    assert again.status_code == 400
    assert "already has a device with this name" in again.content.decode()
    assert FieldKit.objects.count() == 1


def test_a_lost_code_is_replaced_from_the_list_until_the_kit_enrols(client, world):
    from huduma.outreach import enrolment

    add_mashinani(world)
    outreach = agreed(world, world.kibra, [coming_day()], {world.id_dup: world.alice})
    client.force_login(world.bob)
    lost = _code(_register(client, outreach, world, "k1"))
    kit = FieldKit.objects.get()
    assert "New enrolment code" in client.get(URL).content.decode()
    fresh = client.post(f"{URL}{kit.node_id}/code/")
    assert fresh.status_code == 200 and _code(fresh) != lost
    enrolment.field_kit_enroll(code=_code(fresh))
    assert "New enrolment code" not in client.get(URL).content.decode()
    refused = client.post(f"{URL}{kit.node_id}/code/", follow=True)
    assert "already enrolled" in refused.content.decode()
    # Another centre's manager cannot ask for one.
    client.force_login(world.charlie)
    assert client.post(f"{URL}{kit.node_id}/code/").status_code == 403


def test_a_bad_form_key_is_a_message_naming_it(client, world):
    add_mashinani(world)
    outreach = agreed(world, world.kibra, [coming_day()], {world.id_dup: world.alice})
    client.force_login(world.bob)
    response = _register(client, outreach, world, "has spaces in it")
    assert response.status_code == 400
    assert not FieldKit.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_form_twice_at_once_registers_one_kit(world):
    import threading

    from django.db import connection
    from django.test import Client

    from huduma.outreach import enrolment

    add_mashinani(world)
    outreach = agreed(world, world.kibra, [coming_day()], {world.id_dup: world.alice})
    answers = []
    barrier = threading.Barrier(2)

    def send():
        try:
            client = Client()
            client.force_login(world.bob)
            barrier.wait()
            answers.append(_register(client, outreach, world, "same-form"))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(a.status_code for a in answers) == [200, 200]
    assert FieldKit.objects.count() == 1
    # The code of the answer that came second (the one the browser shows) enrols the kit.
    last = next(a for a in answers if 'data-testid="enrol-repeated"' in a.content.decode())
    enrolment.field_kit_enroll(code=_code(last))
