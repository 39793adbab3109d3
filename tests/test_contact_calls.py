"""The contact centre's call events and screen pop: an answered call opens the caller's history
from every app (audited), and the agent's access ends with the call."""

import io
import threading

import pytest
from django.core.management import call_command
from django.db import connections
from django.test import Client

from huduma.accounts.models import User
from huduma.channels.contact.models import AgentSeat, Call, CallEvent
from huduma.core.logs import redact
from huduma.core.models import AuditEntry
from huduma.core.money import format_kes
from tests.conftest import require_postgres
from tests.contact_helpers import (
    AT_EVENTS,
    CALLER,
    EVENTS,
    SECRET,
    agents,
    caller_history,
    configure,
    send,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _settings(settings):
    configure(settings)


@pytest.fixture
def team(world):
    return agents()


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_an_answered_call_pops_the_callers_history_from_every_app(world, team, clock):
    agnes = team[0]
    visit, application, payment, complaint = caller_history(world)
    # An earlier call of theirs, answered by ken and wrapped up.
    send(Client(), "new", "pbx-1")
    send(Client(), "answered", "pbx-1", ext="202")
    send(Client(), "hungup", "pbx-1")
    clock.advance(minutes=5)
    assert send(Client(), "new", "pbx-2").json()["state"] == "ringing"
    answered = send(Client(), "answered", "pbx-2", ext="201")
    assert answered.status_code == 200 and answered.json()["state"] == "answered"
    call = Call.objects.get(provider_call_id="pbx-2")
    assert (call.caller, call.agent, call.queue) == (CALLER, agnes, "general")

    agent = _signed_in(agnes)
    # The desk's poll notices the answered call and sends the agent's browser to the caller.
    pop = agent.get("/contact/panel/", {"known": ""})
    assert pop.status_code == 204
    assert pop["HX-Redirect"] == f"/contact/calls/{call.pk}/"
    screen = agent.get(pop["HX-Redirect"])
    assert screen.status_code == 200
    page = screen.content.decode()
    for shown in (
        CALLER,
        visit.number,  # queues: the visit and its ticket
        "Replacement of a lost ID card",
        application.tracking_number,  # applications
        format_kes(payment.amount_kes),  # payments
        complaint.reference,  # complaints
        "No appointments.",  # queues' bookings: none yet
    ):
        assert shown in page, shown
    assert page.count('data-testid="previous-calls"') == 1 and "No previous calls." not in page
    # Every view of the history is in the audit chain, naming the agent and the number.
    entry = AuditEntry.objects.filter(action="contact.caller_history.view").latest("id")
    assert entry.actor == agnes and entry.after["phone"] == CALLER
    # The same history over the API, audited too.
    api = agent.get(f"/api/contact/calls/{call.pk}/history")
    assert api.status_code == 200
    assert api.json()["applications"][0]["tracking_number"] == application.tracking_number
    assert AuditEntry.objects.filter(action="contact.caller_history.view").count() == 2


def test_the_agents_access_ends_with_the_call(world, team, clock):
    agnes, ken, _carol = team
    _visit, application, _payment, complaint = caller_history(world)
    send(Client(), "new", "pbx-9")
    send(Client(), "answered", "pbx-9", ext="201")
    call = Call.objects.get()
    agent = _signed_in(agnes)
    assert application.tracking_number in agent.get(f"/contact/calls/{call.pk}/").content.decode()
    # Another agent, not on this call, sees nothing of it.
    assert _signed_in(ken).get(f"/contact/calls/{call.pk}/").status_code == 403
    assert _signed_in(ken).get(f"/api/contact/calls/{call.pk}/history").status_code == 403

    send(Client(), "hungup", "pbx-9")
    after = agent.get(f"/contact/calls/{call.pk}/")
    assert after.status_code == 200
    page = after.content.decode()
    assert "This call has ended" in page
    for hidden in (CALLER, application.tracking_number, complaint.reference):
        assert hidden not in page
    history = agent.get(f"/api/contact/calls/{call.pk}/history")
    assert history.status_code == 403 and history.json()["code"] == "call_not_active"
    # Nor can the agent act for the caller any more.
    track = agent.post(
        f"/contact/calls/{call.pk}/track/", {"tracking_number": application.tracking_number}
    )
    assert track.status_code == 403
    assert "You are not on a call with this caller." in track.content.decode()
    # The wrap-up remains, once.
    wrap = agent.post(
        f"/contact/calls/{call.pk}/wrap-up/", {"outcome": "resolved", "wrap_up": "tracking"}
    )
    assert wrap.status_code == 302
    call.refresh_from_db()
    assert (call.outcome, call.wrap_up) == ("resolved", "tracking")
    again = agent.post(
        f"/contact/calls/{call.pk}/wrap-up/", {"outcome": "follow_up", "wrap_up": "other"}
    )
    assert again.status_code == 409
    call.refresh_from_db()
    assert call.outcome == "resolved"


def test_a_repeated_event_is_stored_once_and_changes_nothing(world, team, clock):
    send(Client(), "new", "pbx-3")
    first = send(Client(), "answered", "pbx-3", ext="201")
    clock.advance(seconds=30)
    again = send(Client(), "answered", "pbx-3", ext="202")
    assert first.json()["stored"] is True and again.json()["stored"] is False
    assert CallEvent.objects.filter(provider_call_id="pbx-3").count() == 2
    call = Call.objects.get()
    assert call.agent == team[0] and call.extension == "201"


def test_events_without_the_secret_or_from_elsewhere_are_refused(world, team, settings):
    assert send(Client(), "new", "x1", secret="").status_code == 403
    assert send(Client(), "new", "x1", secret="wrong").status_code == 403
    settings.CONTACT_CALL_EVENT_ALLOWED_IPS = ["10.0.0.0/8"]
    refused = send(Client(), "new", "x1")
    assert refused.status_code == 403 and refused.json()["field"] == "address"
    settings.CONTACT_CALL_EVENT_ALLOWED_IPS = ["127.0.0.1"]
    assert send(Client(), "new", "x1").status_code == 200
    settings.CONTACT_CALL_EVENT_SECRET = ""  # not configured: nothing is accepted
    assert send(Client(), "new", "x2").status_code == 403
    assert Call.objects.count() == 1


def test_bad_events_are_a_clear_4xx_and_write_nothing(world, team):
    unknown = send(Client(), "transferred", "x1")
    assert unknown.status_code == 422 and unknown.json()["field"] == "event"
    empty = send(Client(), "new", "")
    assert empty.status_code == 422 and empty.json()["field"] == "call_id"
    form = Client().post(EVENTS, {"event": "new"}, HTTP_X_HUDUMA_CALL_SECRET=SECRET)
    assert form.status_code == 415
    assert Call.objects.count() == 0 and CallEvent.objects.count() == 0


def test_africas_talking_voice_callbacks(world, team, settings, clock):
    settings.CONTACT_AT_DIAL = ["agnes.huduma@ke.sip.africastalking.com"]
    url = f"{AT_EVENTS}?token={SECRET}"
    fields = {
        "isActive": "1",
        "sessionId": "ATVId_42",
        "direction": "Inbound",
        "callerNumber": CALLER,
        "destinationNumber": "+254206900030",
        "callSessionState": "Ringing",
    }
    new = Client().post(url, fields)
    assert new.status_code == 200 and new["Content-Type"] == "application/xml"
    assert new.content.decode() == (
        '<?xml version="1.0" encoding="UTF-8"?><Response>'
        '<Dial phoneNumbers="agnes.huduma@ke.sip.africastalking.com" sequential="true"/>'
        "</Response>"
    )
    assert Call.objects.get().state == "ringing"
    clock.advance(seconds=12)
    AgentSeat.objects.filter(extension="201").update(
        extension="agnes.huduma@ke.sip.africastalking.com"
    )
    final = Client().post(
        url,
        {
            **fields,
            "isActive": "0",
            "callSessionState": "Completed",
            "durationInSeconds": "95",
            "dialDestinationNumber": "agnes.huduma@ke.sip.africastalking.com",
            "dialDurationInSeconds": "83",
            "hangupCause": "NORMAL_CLEARING",
        },
    )
    assert final.content.decode() == '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'
    call = Call.objects.get()
    assert (call.state, call.agent, call.wait_seconds) == ("ended", team[0], 12)
    assert sorted(call.events.values_list("kind", flat=True)) == ["answered", "hungup", "new"]
    # Africa's Talking retries: nothing changes.
    Client().post(url, {**fields, "isActive": "0", "durationInSeconds": "95"})
    assert CallEvent.objects.count() == 3
    # Without the token in the callback URL: refused.
    assert Client().post(AT_EVENTS, fields).status_code == 403
    bad = Client().post(url, {"isActive": "yes", "sessionId": "ATVId_43"})
    assert bad.status_code == 422 and bad.json()["field"] == "isActive"


def test_an_unanswered_call_that_hangs_up_is_abandoned(world, team, clock):
    send(Client(), "new", "pbx-5")
    clock.advance(seconds=40)
    send(Client(), "hungup", "pbx-5")
    call = Call.objects.get()
    assert (call.state, call.outcome, call.agent) == ("ended", "dropped", None)


def test_an_extension_of_another_role_opens_nothing(world, team):
    # The counsellor's extension answering an enquiry line gives no agent the caller.
    send(Client(), "new", "pbx-6")
    send(Client(), "answered", "pbx-6", ext="301")
    call = Call.objects.get()
    assert call.state == "answered" and call.agent is None
    assert _signed_in(team[2]).get(f"/contact/calls/{call.pk}/").status_code == 403


def test_the_callback_secret_in_the_url_is_never_logged():
    line = 'POST /api/contact/call-events/africastalking?token=s3cret&x=1 HTTP/1.1" 403'
    assert redact(line) == (
        'POST /api/contact/call-events/africastalking?token=[secret]&x=1 HTTP/1.1" 403'
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_call_s_events_arriving_at_once_are_each_applied_once(world, settings):
    """Four deliveries each of "new" and "answered" of a call not yet known, all at once: one
    call, two events, answered by agnes (the row lock orders them; the unique index keeps one
    of each)."""
    require_postgres()
    configure(settings)
    agents()
    start = threading.Barrier(8)
    statuses, errors = [], []

    def deliver(kind):
        try:
            start.wait()
            statuses.append(send(Client(), kind, "race-1", ext="201").status_code)
        except Exception as exc:  # noqa: BLE001 - re-raised in the main thread below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=deliver, args=(k,)) for k in ["new", "answered"] * 4]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert statuses == [200] * 8
    call = Call.objects.get()
    assert sorted(call.events.values_list("kind", flat=True)) == ["answered", "new"]
    assert call.state == "answered" and call.agent.username == "agnes"


def test_the_demo_has_a_contact_team_and_prints_how_to_play_a_call(world, settings):
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    assert "Contact centre: agent.contact (extension 201) at /contact/" in out.getvalue()
    agent = User.objects.get(username="agent.contact")
    assert agent.role == "contact_agent" and agent.check_password("huduma-demo")
    assert AgentSeat.objects.get(extension="201").agent == agent
    send(Client(), "new", "demo-1")
    assert send(Client(), "answered", "demo-1", ext="201").json()["state"] == "answered"
    assert Call.objects.get().agent == agent


def test_a_withheld_number_opens_no_history_but_the_call_can_be_wrapped_up(world, team):
    send(Client(), "new", "pbx-w", caller="anonymous")
    send(Client(), "answered", "pbx-w", caller="anonymous", ext="201")
    call = Call.objects.get()
    assert call.caller == "" and call.agent == team[0]
    agent = _signed_in(team[0])
    page = agent.get(f"/contact/calls/{call.pk}/")
    assert page.status_code == 200 and "The caller withheld their number" in page.content.decode()
    assert 'data-testid="history"' not in page.content.decode()
    assert agent.get(f"/api/contact/calls/{call.pk}/history").status_code == 403
    wrap = agent.post(
        f"/contact/calls/{call.pk}/wrap-up/", {"outcome": "resolved", "wrap_up": "enquiry"}
    )
    assert wrap.status_code == 302


def test_a_counselling_call_opens_no_service_history(world, team):
    send(Client(), "new", "pbx-c", called="+254800720000")
    send(Client(), "answered", "pbx-c", called="+254800720000", ext="301")
    call = Call.objects.get()
    counsellor = _signed_in(team[2])
    assert counsellor.get(f"/api/contact/calls/{call.pk}/history").status_code == 403
    assert (
        'data-testid="history"' not in counsellor.get(f"/contact/calls/{call.pk}/").content.decode()
    )
