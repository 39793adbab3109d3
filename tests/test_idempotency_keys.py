"""Idempotency keys belong to whoever sent them, must repeat the whole request, and follow one
rule (1 to 80 visible ASCII characters) on every endpoint and page that takes one."""

import pytest

from huduma.queues import services
from huduma.queues.errors import IdempotencyMismatch, InvalidIdempotencyKey
from huduma.queues.models import Appointment, Visit

pytestmark = pytest.mark.django_db
API = "/api/queues"
ISSUE = f"{API}/centres/gpo-nairobi/visits"
JOIN = f"{API}/centres/gpo-nairobi/join"


def post(client, url, body, key):
    return client.post(url, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY=key)


def join_body(**extra):
    return {
        "services": ["NHIF-REGISTRATION"],
        "phone": "0712345678",
        "requirements_confirmed": True,
        **extra,
    }


def test_an_anonymous_join_never_gets_back_a_reception_visit(client, world, clock):
    client.force_login(world.bob)
    body = {"services": ["NHIF-REGISTRATION"], "requirements_confirmed": True}
    at_reception = post(client, ISSUE, body, "shared-key-1").json()
    client.logout()
    joined = post(client, JOIN, join_body(), "shared-key-1")
    assert joined.status_code == 201
    assert joined.json()["id"] != at_reception["id"] and joined.json()["channel"] == "web"
    assert Visit.objects.count() == 2


def test_one_officers_key_is_not_anothers(client, world, clock, officers):
    body = {"services": ["NHIF-REGISTRATION"], "requirements_confirmed": True}
    client.force_login(world.bob)
    bobs = post(client, ISSUE, body, "desk-key").json()
    client.force_login(officers[1])
    theirs = post(client, ISSUE, body, "desk-key").json()
    assert bobs["id"] != theirs["id"]
    again = post(client, ISSUE, body, "desk-key").json()  # their own retry: their visit
    assert again["id"] == theirs["id"]


def test_a_retried_join_gets_its_ticket_and_another_phone_does_not(client, world, clock):
    first = post(client, JOIN, join_body(), "join-1")
    again = post(client, JOIN, join_body(), "join-1")
    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    other = post(client, JOIN, join_body(phone="0722000111"), "join-1")
    assert other.status_code == 201 and other.json()["id"] != first.json()["id"]


def test_a_retried_join_is_answered_even_at_the_phone_limit(client, world, clock):
    post(client, JOIN, join_body(), "join-a")
    second = post(client, JOIN, join_body(), "join-b")
    retry = post(client, JOIN, join_body(), "join-b")
    assert retry.status_code == 201 and retry.json()["id"] == second.json()["id"]
    assert post(client, JOIN, join_body(), "join-c").status_code == 409


@pytest.mark.parametrize(
    ("change", "part"),
    [
        ({"services": ["KRA-PIN"]}, "services"),
        ({"priority": "elderly"}, "priority"),
        ({"phone": "0722000111"}, "phone"),
        ({"channel": "kiosk"}, "channel"),
        ({"language": "en"}, "language"),
    ],
)
def test_the_same_key_with_another_request_is_a_409_naming_the_key(
    client, world, clock, change, part
):
    client.force_login(world.bob)
    body = {"services": ["NHIF-REGISTRATION"], "requirements_confirmed": True, "language": "sw"}
    assert post(client, ISSUE, body, "k-409").status_code == 201
    refused = post(client, ISSUE, {**body, **change}, "k-409")
    assert refused.status_code == 409
    answer = refused.json()
    assert answer["code"] == "idempotency_mismatch" and answer["field"] == "idempotency_key"
    assert part in answer["detail"]
    assert Visit.objects.count() == 1


def test_a_join_key_repeated_for_another_service_is_a_409(client, world, clock):
    assert post(client, JOIN, join_body(), "j-409").status_code == 201
    refused = post(client, JOIN, join_body(services=["KRA-PIN"]), "j-409")
    assert refused.status_code == 409 and refused.json()["field"] == "idempotency_key"


@pytest.mark.parametrize("key", ["k" * 81, "", "two words", "tab\tkey"])
@pytest.mark.parametrize("url", [ISSUE, JOIN])
def test_a_malformed_key_is_a_400_naming_the_header(client, world, clock, url, key):
    client.force_login(world.bob)
    body = join_body() if url == JOIN else {"services": ["KRA-PIN"]}
    refused = post(client, url, body, key)
    assert refused.status_code == 400
    assert refused.json()["field"] == "Idempotency-Key"
    assert Visit.objects.count() == 0


def test_a_non_ascii_key_on_the_public_join_is_a_400(client, world, clock):
    # Headers arrive decoded as Latin-1: "é" is one character outside visible ASCII.
    refused = client.post(
        JOIN, join_body(), content_type="application/json", HTTP_IDEMPOTENCY_KEY="cl\xe9"
    )
    assert refused.status_code == 400 and refused.json()["field"] == "Idempotency-Key"


def test_a_join_key_equal_to_an_appointment_reference_does_not_collide(client, world, clock):
    slot = clock.current.replace(hour=11, minute=0)
    appointment = Appointment.objects.create(
        reference="AP-KEY123",
        centre=world.gpo,
        service=world.nhif_reg,
        slot_start=slot,
        phone="+254712345678",
    )
    joined = post(client, JOIN, join_body(), appointment.reference)
    assert joined.status_code == 201
    from huduma.queues.appointments import appointment_check_in

    visit = appointment_check_in(reference=appointment.reference, centre=world.gpo)
    assert str(visit.pk) != joined.json()["id"] and visit.channel == "appointment"
    assert Visit.objects.count() == 2


def test_the_service_checks_the_key_for_every_face(world, clock):
    with pytest.raises(InvalidIdempotencyKey) as refused:
        services.visit_issue(
            centre=world.gpo,
            services=[world.kra_pin],
            channel="reception",
            requirements_confirmed=True,
            idempotency_key="x" * 200,
        )
    assert refused.value.field == "idempotency_key" and refused.value.status == 400
    services.visit_issue(
        centre=world.gpo,
        services=[world.kra_pin],
        channel="reception",
        requirements_confirmed=True,
        idempotency_key="ok",
    )
    with pytest.raises(IdempotencyMismatch):
        services.visit_issue(
            centre=world.gpo,
            services=[world.kra_pin],
            channel="reception",
            requirements_confirmed=True,
            idempotency_key="ok",
            priority="elderly",
        )
