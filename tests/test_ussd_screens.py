"""Every USSD screen, in English and in Kiswahili, fits the operator's limits: at most 182
characters (the CON/END prefix counted), at most 7 choices, menus at most 4 levels deep.

A crawler plays the whole menu from the home screen (each choice shown, the first and last of
every list, "98" for more, a typed answer where one is asked) over a world of the longest
names the catalogue allows, and fails if any screen breaks a limit or a node of the table was
never reached."""

import datetime as dt
import itertools
import uuid
from decimal import Decimal

import pytest

from huduma.accounts.services import citizen_language_set
from huduma.catalogue.models import CentreService, CounterService
from huduma.channels.ussd import journeys, services
from huduma.channels.ussd.flow import Menu
from huduma.channels.ussd.screens import MAX_CHARS, MAX_CHOICES, View, paginate
from huduma.complaints.services import complaint_lodge
from huduma.ledger.services import payment_post
from huduma.places.models import Centre, Counter, SubCounty
from huduma.queues import appointments
from tests.conftest import make_service
from tests.ussd_phone import options

pytestmark = pytest.mark.django_db

LONG = "Registration and replacement of a damaged or lost certificate of good conduct"
LONG_SW = "Usajili na kubadilisha cheti cha tabia njema kilichoharibika au kilichopotea kabisa"
PHRASE = "a very long secret phrase"
MAX_DEPTH = 4
MAX_PATH = 12


def long_world(world, clock):
    """The longest names: a service, its requirements, a centre, a sub-county, a venue."""
    w = world
    w.long = make_service(
        w.nrb,
        "NRB-LONG",
        (LONG + " " + LONG)[:160],
        (LONG_SW + " " + LONG_SW)[:160],
        fee="1050000.00",
        days=30,
        requirements=[(("Original " + LONG)[:240], ("Nakala halisi " + LONG_SW)[:240])] * 4,
    )
    w.far = Centre.objects.create(
        code="far",
        name=("Huduma Centre " + "Kapenguria-Makutano-Chepareria " * 4)[:120].strip(),
        county=w.kisumu.county,
    )
    for centre in (w.gpo, w.far):
        CentreService.objects.create(centre=centre, service=w.long)
        counter = Counter.objects.create(centre=centre, number=9)
        CounterService.objects.create(counter=counter, service=w.long)
    w.sub = SubCounty.objects.create(county=w.gpo.county, name=("Westlands-Parklands " * 5)[:80])
    return w


def caller_world(w, clock, phone: str, language: str) -> dict:
    """What one caller has: a language, a booking, a complaint, an anonymous report, an
    application with its fee due, a visit to rate, a receipt; returns the typed answers."""
    from huduma.applications import services as applications
    from huduma.feedback.services import rating_invitations_send
    from huduma.queues import services as queues

    citizen_language_set(phone=phone, language=language)
    appointments.appointment_book(
        centre=w.gpo,
        service=w.long,
        slot_start=dt.datetime(2026, 11, 26, 10, 0, tzinfo=clock.current.tzinfo),
        phone=phone,
        language=language,
    )
    complaint = complaint_lodge(channel="web", category="delay", text="Slow " + phone, phone=phone)
    complaint_lodge(
        channel="web",
        category="bribery",
        text="Asked for money " + phone,
        anonymous=True,
        secret_phrase=PHRASE + phone,
    )
    counter = Counter.objects.get(centre=w.gpo, number=9)
    if queues.live_session(counter) is None:
        queues.counter_open(counter=counter, officer=w.alice)
    queues.visit_issue(
        centre=w.gpo,
        services=[w.long],
        channel="reception",
        requirements_confirmed=True,
        phone=phone,
    )
    ticket = queues.ticket_call_next(counter=counter, officer=w.alice)
    ticket = queues.ticket_start(ticket=ticket, counter=counter, officer=w.alice)
    application = applications.application_open(ticket=ticket, officer=w.alice)[0]
    queues.ticket_finish(ticket=ticket, counter=counter, officer=w.alice)
    clock.advance(minutes=15)
    rating_invitations_send()
    receipt = payment_post(
        payment_id=uuid.uuid4(),
        amount=Decimal("1050000.00"),
        service_id=w.long.pk,
        centre_id=w.far.pk,
        at=clock.current,
        method="mpesa",
        reference="QKT1AB2CD3",
    )
    return {
        "find_q": "certificate",
        "centre_q": "Huduma",
        "centre_q_join": "Huduma",
        "centre_q_book": "Huduma",
        "application_q": application.tracking_number,
        "complaint_text": ("I waited from morning until evening at the counter " * 4)[:160],
        "complaint_phrase": PHRASE,
        "track_ref": complaint.reference,
        "track_phrase": PHRASE,
        "receipt_q": receipt.number,
        "outreach_q": "westlands",
    }


class Crawler:
    def __init__(self, client, phone, answers, opened):
        self.client, self.phone, self.answers, self.opened = client, phone, answers, opened
        self.screens: list[str] = []
        self.sessions = itertools.count()

    def play(self, path: list[str]) -> tuple[str, str]:
        """Dial, press `path`; the last screen and the node it shows."""
        from django.urls import reverse

        from huduma.channels.ussd.models import UssdSession

        session_id = f"crawl-{self.phone[-4:]}-{next(self.sessions)}"
        body = ""
        said: list[str] = []
        for value in [None, *path]:
            if value is not None:
                said.append(value)
            response = self.client.post(
                reverse("ussd:callback") + "?token=t",
                {
                    "sessionId": session_id,
                    "serviceCode": "*384#",
                    "phoneNumber": self.phone,
                    "networkCode": "63902",
                    "text": "*".join(said),
                },
            )
            assert response.status_code == 200
            body = response.content.decode()
            self.screens.append(body)
            if value is None and path and "\n2. " in body and said == [] and self.resumable(body):
                said.append("2")  # the last crawl was cut short: start again from home
                self.screens.append(self._post(session_id, said))
        session = UssdSession.objects.get(session_id=session_id)
        node = session.stack[-1]["node"] if session.stack else "END"
        top = session.stack[-1] if session.stack else {"data": {}, "page": 0}
        return body, f"{node}:{top['data'].get('then', '')}:{top['page']}"

    def resumable(self, body: str) -> bool:
        return body.startswith(("CON You were cut off", "CON Ulikatika"))

    def _post(self, session_id, said):
        from django.urls import reverse

        response = self.client.post(
            reverse("ussd:callback") + "?token=t",
            {"sessionId": session_id, "phoneNumber": self.phone, "text": "*".join(said)},
        )
        return response.content.decode()

    def crawl(self) -> None:
        explored = set()
        frontier = [[]]
        while frontier:
            path = frontier.pop()
            screen, node = self.play(path)
            # A node (its list's page) is explored once, whatever led to it.
            key = node
            if screen.startswith("END ") or key in explored or len(path) >= MAX_PATH:
                continue
            explored.add(key)
            shown = list(options(screen))
            menu = isinstance(journeys.NODES.get(node.split(":")[0]), Menu)
            # Every choice of a menu; the first and the last of a list.
            tries = set(shown) if menu else {shown[0], shown[-1]} if shown else set()
            if node.startswith("home:"):
                tries.discard("7")  # the language switch: played last, not mid-crawl
            if "\n98 " in screen:
                tries.add("98")
            if not shown and node.split(":")[0] in self.answers:
                tries.add(self.answers[node.split(":")[0]])
            frontier.extend(path + [t] for t in sorted(tries))


@pytest.mark.parametrize("language", ["en", "sw"])
def test_every_screen_fits_in_both_languages(client, world, clock, settings, monkeypatch, language):
    settings.USSD_CALLBACK_TOKEN = "t"
    settings.PAYMENTS_SANDBOX = False
    w = long_world(world, clock)
    phone = "+254712345678" if language == "en" else "+254722345678"
    answers = caller_world(w, clock, phone, language)
    from huduma.outreach import publicity
    from tests.outreach_world import add_mashinani, agreed

    add_mashinani(w)
    outreach = agreed(w, w.sub, [dt.date(2026, 12, 2), dt.date(2026, 12, 3)], {w.id_dup: w.dave})
    outreach.venue_name = ("Chief's camp at the old market " * 4)[:120]
    outreach.venue_ward = ("Parklands-Highridge " * 4)[:80]
    outreach.save()
    publicity.outreach_announce(outreach=outreach, actor=w.bob)

    opened = set()
    original = services._Engine._open

    def recording(self, key, data):
        opened.add(key)
        return original(self, key, data)

    monkeypatch.setattr(services._Engine, "_open", recording)
    crawler = Crawler(client, phone, answers, opened)
    crawler.crawl()
    # The screen offered to a caller cut off mid-journey.
    crawler.play(["7"])  # the other language's home screen
    clock.advance(seconds=5)
    crawler.play(["3", "1"])
    clock.advance(seconds=5)
    _resume, node = crawler.play([])
    assert node == "resume::0"
    opened.add("resume")

    for screen in crawler.screens:
        assert screen.startswith(("CON ", "END "))
        assert len(screen) <= MAX_CHARS, screen
        assert len(options(screen)) <= MAX_CHOICES, screen
        assert screen.isascii(), screen
    missing = set(journeys.NODES) - opened - {journeys.HOME}
    assert not missing, f"never reached: {missing}"
    if language == "sw":
        assert any("Tafuta huduma" in s for s in crawler.screens)
        assert any(s.startswith("CON Chagua huduma") for s in crawler.screens)

    assert len(crawler.screens) > 200


def test_menus_nest_at_most_four_levels_and_offer_at_most_seven_choices():
    depth = {journeys.HOME: 1}
    queue = [journeys.HOME]
    while queue:
        key = queue.pop(0)
        node = journeys.NODES[key]
        assert len(node.items) <= MAX_CHOICES
        for _label, target in node.items:
            assert target in journeys.NODES, target
            if isinstance(journeys.NODES[target], Menu) and target not in depth:
                depth[target] = depth[key] + 1
                queue.append(target)
    assert max(depth.values()) <= MAX_DEPTH


@pytest.mark.parametrize(
    "view",
    [
        View("x" * 500),
        View("word " * 200, tuple(f"Option {n} " * 10 for n in range(30))),
        View("", tuple("o" for _ in range(20))),
        View("Title", (), end=True, error="e" * 400),
        View("\n".join(["line"] * 60), ("a", "b")),
    ],
)
def test_paginate_keeps_every_page_within_the_limits(view):
    pages = paginate(view)
    numbers = []
    for page in pages:
        assert len(page.reply) <= MAX_CHARS
        assert page.options <= MAX_CHOICES
        numbers += list(range(page.first_option, page.first_option + page.options))
        if page is not pages[-1]:
            assert "\n98 More" in page.body
    assert numbers == list(range(1, len(view.options) + 1))  # every choice, once, in order
