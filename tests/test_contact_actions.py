"""What the agent does for the caller during a call, through the owning apps' verbs; the desk's
figures; the tele-counselling queue, whose notes only counsellors read."""

import datetime as dt

import pytest
from django.test import Client

from huduma.catalogue.models import Article
from huduma.channels.contact import selectors
from huduma.channels.contact.models import Call, CallAction
from huduma.complaints.models import Complaint
from huduma.core.models import AuditEntry
from huduma.notify.models import Message
from huduma.queues.models import Appointment
from tests.conftest import sign_in_verified
from tests.contact_helpers import CALLER, agents, caller_history, configure, send

pytestmark = pytest.mark.django_db

COUNSELLING_LINE = "+254800720000"


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


def _on_call(call_id="pbx-1", ext="201", called="+254206900030") -> Call:
    send(Client(), "new", call_id, called=called)
    send(Client(), "answered", call_id, ext=ext, called=called)
    return Call.objects.get(provider_call_id=call_id)


@pytest.fixture
def articles(world):
    public = Article.objects.create(
        slug="lost-id-what-to-do",
        service=world.id_dup,
        title_en="I lost my ID card. What do I do first?",
        title_sw="Nimepoteza kitambulisho changu. Nifanye nini kwanza?",
        body_en="Report the loss at any police station and ask for a police abstract. " * 8,
        body_sw="Ripoti kupotea kwa kitambulisho katika kituo chochote cha polisi.",
    )
    staff_only = Article.objects.create(
        slug="id-backlog-note",
        service=world.id_dup,
        audience=Article.Audience.STAFF,
        title_en="Internal: the NRB backlog",
        body_en="Printing is three weeks behind; do not promise dates.",
    )
    return public, staff_only


def test_the_answer_sms_is_the_articles_own_words_and_only_a_public_one(
    world, team, articles, clock
):
    call = _on_call()
    agent = _signed_in(team[0])
    sent = agent.post(
        f"/contact/calls/{call.pk}/sms/", {"article": "lost-id-what-to-do", "language": "en"}
    )
    assert sent.status_code == 200
    sms = Message.objects.get(template="contact_article")
    assert sms.to == CALLER and sms.language == "en"
    assert sms.body.startswith("Huduma: I lost my ID card. What do I do first? Report the loss")
    assert sms.body.endswith("More: http://127.0.0.1:8000/help/lost-id-what-to-do/")
    assert len(sms.body) < 400  # the article's text is cut, not sent whole
    # A staff-only note is never texted; nor is anything the agent would type.
    refused = agent.post(
        f"/contact/calls/{call.pk}/sms/", {"article": "id-backlog-note", "language": "en"}
    )
    assert refused.status_code == 404
    assert "Choose a public article to send." in refused.content.decode()
    agent.post(f"/contact/calls/{call.pk}/sms/", {"article": "x", "text": "pay me 500"})
    assert Message.objects.filter(template="contact_article").count() == 1
    assert list(call.actions.values_list("kind", "reference")) == [
        ("article_sms", "lost-id-what-to-do")
    ]


def test_book_track_complain_and_transfer_for_the_caller(world, team, clock):
    _visit, application, _payment, _complaint = caller_history(world)
    call = _on_call()
    agent = _signed_in(team[0])
    url = f"/contact/calls/{call.pk}"
    slot = (clock.current + dt.timedelta(days=1)).replace(hour=10, minute=15)
    free = agent.get(
        f"{url}/",
        {"book-centre": world.gpo.pk, "book-service": world.kra_pin.pk, "book-day": slot.date()},
    ).content.decode()
    assert f'name="slot_start" value="{slot:%Y-%m-%dT%H:%M}"' in free
    no_day = agent.get(f"{url}/", {"book-centre": world.gpo.pk, "book-day": ""}).content.decode()
    assert "Choose a service" in no_day and "Choose a day" in no_day
    booked = agent.post(
        f"{url}/book/",
        {
            "centre": world.gpo.pk,
            "service": world.kra_pin.pk,
            "slot_start": slot.strftime("%Y-%m-%dT%H:%M"),
            "language": "en",
        },
    )
    assert booked.status_code == 200, booked.content.decode()
    appointment = Appointment.objects.get()
    assert appointment.phone == CALLER  # the caller's own number, not one typed by the agent
    assert f"Booked: {appointment.reference}." in booked.content.decode()
    bad_time = agent.post(
        f"{url}/book/",
        {
            "centre": world.gpo.pk,
            "service": world.kra_pin.pk,
            "slot_start": slot.replace(minute=7).strftime("%Y-%m-%dT%H:%M"),
            "language": "en",
        },
    )
    assert bad_time.status_code == 409
    assert "Choose one of the listed times." in bad_time.content.decode()

    tracked = agent.post(f"{url}/track/", {"tracking_number": application.tracking_number})
    assert tracked.status_code == 200
    assert f"{application.tracking_number} (Replacement of a lost ID card): Received" in (
        tracked.content.decode()
    )
    unknown = agent.post(f"{url}/track/", {"tracking_number": "HK-000000"})
    assert unknown.status_code == 404

    token = "a" * 32
    lodged = agent.post(
        f"{url}/complaint/",
        {
            "category": "delay",
            "text": "Waited all day.",
            "centre": world.gpo.pk,
            "form_token": token,
        },
    )
    assert lodged.status_code == 200
    again = agent.post(
        f"{url}/complaint/",
        {
            "category": "delay",
            "text": "Waited all day.",
            "centre": world.gpo.pk,
            "form_token": token,
        },
    )
    assert again.status_code == 200
    complaint = Complaint.objects.get(channel="contact_centre")  # one, however often sent
    assert (complaint.phone, complaint.created_by) == (CALLER, team[0])
    no_text = agent.post(f"{url}/complaint/", {"category": "delay", "text": ""})
    assert no_text.status_code == 400 and "Describe what happened" in no_text.content.decode()

    moved = agent.post(f"{url}/transfer/", {"mda": world.kra.pk})
    assert "Transfer to Kenya Revenue Authority recorded." in moved.content.decode()
    assert list(call.actions.values_list("kind", flat=True)) == [
        "booked",
        "tracked",
        "complaint",
        "transfer",
    ]
    assert CallAction.objects.get(kind="transfer").mda == world.kra
    assert AuditEntry.objects.filter(action="contact.call.transfer", actor=team[0]).exists()


def test_the_desk_counts_waiting_answered_within_target_abandoned_and_per_agent(world, team, clock):
    agnes, _ken, _carol = team
    send(Client(), "new", "c1")  # answered after 10 s by agnes, talks 2 min
    clock.advance(seconds=10)
    send(Client(), "answered", "c1", ext="201")
    send(Client(), "new", "c2")  # answered after 45 s by ken: outside the 20 s target
    clock.advance(seconds=45)
    send(Client(), "answered", "c2", ext="202")
    clock.advance(seconds=110)
    send(Client(), "hungup", "c1")
    send(Client(), "new", "c3")  # abandoned
    clock.advance(seconds=30)
    send(Client(), "hungup", "c3")
    send(Client(), "new", "c4")  # still waiting
    send(Client(), "new", "c5", called=COUNSELLING_LINE)  # another queue: not counted here
    figures = selectors.desk_figures()
    assert (figures.offered, figures.waiting, figures.answered) == (4, 1, 2)
    assert (figures.answered_within_target, figures.abandoned) == (1, 1)
    assert figures.within_target_percent == 50
    by_name = {a.name: a for a in figures.agents}
    assert (by_name["Agnes"].answered, by_name["Agnes"].on_call) == (1, False)
    assert by_name["Agnes"].average_talk_seconds == 155
    assert (by_name["Ken"].answered, by_name["Ken"].on_call) == (1, True)
    page = _signed_in(agnes).get("/contact/").content.decode()
    assert 'data-figure="abandoned">1<' in page and 'data-figure="within">1 (50%)<' in page


def test_counselling_notes_are_for_counsellors_only(world, team, clock):
    agnes, _ken, carol = team
    call = _on_call("t1", ext="301", called=COUNSELLING_LINE)
    assert (call.queue, call.agent) == ("counselling", carol)
    counsellor = _signed_in(carol)
    saved = counsellor.post(
        f"/contact/calls/{call.pk}/note/", {"text": "Caller distressed after job loss."}
    )
    assert saved.status_code == 200 and "Note saved." in saved.content.decode()
    assert "Caller distressed" in counsellor.get(f"/contact/calls/{call.pk}/").content.decode()
    assert counsellor.get(f"/api/contact/calls/{call.pk}/notes").json()[0]["text"] == (
        "Caller distressed after job loss."
    )
    # An agent reads them neither on a page nor over the API, nor adds one.
    agent = _signed_in(agnes)
    assert agent.get(f"/contact/calls/{call.pk}/").status_code == 403
    notes = agent.get(f"/api/contact/calls/{call.pk}/notes")
    assert notes.status_code == 403 and "Caller distressed" not in notes.content.decode()
    assert agent.post(f"/contact/calls/{call.pk}/note/", {"text": "x"}).status_code == 403
    # The counselling queue is kept apart: not on the agents' desk, its calls not in history.
    send(Client(), "new", "t2", called=COUNSELLING_LINE)
    assert selectors.waiting_calls("general") == []
    assert len(selectors.waiting_calls("counselling")) == 1
    general = _on_call("g1", ext="201")
    history = agent.get(f"/api/contact/calls/{general.pk}/history").json()
    assert history["previous_calls"] == []
    assert "Tele-counselling desk" in counsellor.get("/contact/").content.decode()


def test_only_the_contact_centre_and_the_secretariat_open_the_desk(world, team):
    assert _signed_in(world.alice).get("/contact/").status_code == 403  # a counter officer
    assert _signed_in(world.mona).get("/contact/panel/").status_code == 403  # a monitor
    assert Client().get("/contact/").status_code == 302  # signed out: to the sign-in page
    supervisor = Client()
    sign_in_verified(supervisor, world.sam)  # the Secretariat signs in with a second factor
    assert "Contact centre desk" in supervisor.get("/contact/").content.decode()
    # The Secretariat watches the figures; it is never on a call, so never sees a caller.
    call = _on_call()
    assert supervisor.get(f"/contact/calls/{call.pk}/").status_code == 403
    assert supervisor.get(f"/api/contact/calls/{call.pk}/history").status_code == 403
