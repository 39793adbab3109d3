"""The assistant's answers: the rules read the question, the catalogue search finds the
service (huduma.catalogue.selectors, never a second search), and a template is filled from the
structured record, citing the page it came from. Nothing is written here."""

from dataclasses import dataclass, field

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from huduma.catalogue import selectors as catalogue
from huduma.catalogue.models import Article, Service
from huduma.catalogue.pdf import fee_text, opening_hours_text, turnaround_text
from huduma.channels.assistant import rules
from huduma.core.text import normalise
from huduma.places.models import Centre

# When the search's best service is an answer rather than a guess: it met at least this share
# of the question's topic words (after the cue and filler words are left out) ...
MIN_COVERAGE = 0.6
# ... and met them well enough on average (1 = every word as typed, in the service's name; a
# word found only in a description, or through a typo, counts for less).
MIN_STRENGTH = 0.3
# A "where" answer names this many centres, then says how many more (an SMS has little room).
MAX_CENTRES_LISTED = 5
# Words of a question about a general page ("how do I track my application") that do not name
# a service there.
GENERAL_WORDS = frozenset(
    [
        "application",
        "applications",
        "apply",
        "applied",
        "request",
        "ombi",
        "maombi",
        "service",
        "services",
        "huduma",
        "my",
        "number",
        "namba",
        "nambari",
        "kumbukumbu",
        "reference",
        "complaint",
        "malalamiko",
        "document",
    ]
)
# Words in every centre's name: never a place of their own.
NOT_PLACES = frozenset(["huduma", "centre", "center", "kituo"])
MIN_PLACE_WORD = 3  # "gpo"; shorter words ("id") are never taken for a place


@dataclass
class Answer:
    """What the assistant says. `refused` answers offer the contact centre and a complaint."""

    language: str
    intent: str | None
    lines: list[str]
    source_title: str = ""
    source_url: str = ""
    service: Service | None = None
    centre: Centre | None = None
    refused: bool = False
    coverage: float = 0.0
    strength: float = 0.0
    links: list[tuple[str, str]] = field(default_factory=list)

    @property
    def text(self) -> str:
        return " ".join(self.lines)


def _place(topic: str) -> tuple[Centre | None, str]:
    """A centre, town or county named in the topic (the first open centre there), and the
    topic without the place's words."""
    kept, centre = [], None
    for word in topic.split():
        if centre is None and len(word) >= MIN_PLACE_WORD and word not in NOT_PLACES:
            found = catalogue.centres_find(q=word).filter(status=Centre.Status.OPEN).first()
            if found is not None and _names_place(found, word):
                centre = found
                continue
        kept.append(word)
    return centre, " ".join(kept)


def _names_place(centre: Centre, word: str) -> bool:
    """The word is a whole word of the centre's name, town or county (not just inside one)."""
    names = f"{centre.name} {centre.town} {centre.county.name}"
    return word in normalise(names).split()


def _best_service(topic: str) -> tuple[Service | None, float, float]:
    hits = catalogue.services_search_hits(topic, limit=1)
    if not hits:
        return None, 0.0, 0.0
    best = hits[0]
    return best.service, best.coverage, best.strength


def answer_question(text: str, *, default_language: str = "en") -> Answer:
    """The answer to a citizen's question, in the question's language (the page's on a tie)."""
    reading = rules.read(text, default_language)
    with translation.override(reading.language):
        return _answer(reading)


def _answer(reading: rules.Reading) -> Answer:
    centre, topic = _place(reading.topic)
    if reading.intent in rules.GENERAL_INTENTS:
        topic = " ".join(w for w in topic.split() if w not in GENERAL_WORDS)
    service, coverage, strength = _best_service(topic) if topic else (None, 0.0, 0.0)
    confident = service is not None and coverage >= MIN_COVERAGE and strength >= MIN_STRENGTH
    # A receipt's check and tracking are named by their cue words ("receipt", "track"): the
    # rest of the question needs no service. "Open" and "close" name nothing by themselves
    # ("is the road to Narok open"): hours need a centre, a service or nothing else.
    named = reading.intent in (rules.TRACK, rules.RECEIPT) or not topic
    if reading.intent in rules.GENERAL_INTENTS and (named or confident):
        answer = _general(reading, centre, service if confident else None)
    elif confident and topic:
        answer = _about_service(reading, service, centre)
    else:
        answer = refusal(reading.language, reading.intent)
    answer.coverage, answer.strength = coverage, strength
    return answer


def _service_url(service: Service) -> str:
    return reverse("catalogue:service", args=[service.code])


def _demo(flag: bool) -> str:
    return " " + _("(a demo value until the agency publishes its charter)") if flag else ""


def _about_service(reading: rules.Reading, service: Service, centre: Centre | None) -> Answer:
    intent = reading.intent or rules.APPLY
    name = service.name
    lines: list[str] = []
    title, url = service.name, _service_url(service)
    if intent == rules.FEE:
        lines.append(
            _("The official fee for %(service)s is %(fee)s.")
            % {"service": name, "fee": fee_text(service.fee_kes)}
            + _demo(service.fee_is_demo)
        )
        lines.append(_("Pay only this fee, and ask for a receipt."))
    elif intent == rules.TURNAROUND:
        lines.append(
            _("%(service)s takes %(time)s.")
            % {"service": name, "time": turnaround_text(service.turnaround_days)}
            + _demo(service.turnaround_is_demo)
        )
    elif intent == rules.DOCUMENTS:
        needs = [r.text for r in service.requirements.order_by("position", "id")]
        if needs:
            lines.append(
                _("For %(service)s, bring: %(documents)s.")
                % {"service": name, "documents": "; ".join(needs)}
            )
        else:
            lines.append(_("%(service)s needs no documents: just come.") % {"service": name})
    elif intent == rules.WHERE:
        return _where(reading, service, centre)
    elif intent == rules.HOURS:  # a service named with "open": the centre's hours
        return _general(reading, centre, service)
    else:  # how to apply, or only a service named
        lines.append(
            _("%(service)s: official fee %(fee)s, takes %(time)s.")
            % {
                "service": name,
                "fee": fee_text(service.fee_kes),
                "time": turnaround_text(service.turnaround_days),
            }
        )
        for channel in service.channels.order_by("channel")[:2]:
            if channel.how:
                lines.append(f"{channel.get_channel_display()}: {channel.how}")
    answer = Answer(
        language=reading.language,
        intent=intent,
        lines=lines,
        source_title=title,
        source_url=url,
        service=service,
        centre=centre,
    )
    article = article_for(service)
    if article is not None:  # the knowledge base's question and answer about it, cited too
        answer.links.append((article.title, reverse("catalogue:article", args=[article.slug])))
    return answer


def _where(reading: rules.Reading, service: Service, centre: Centre | None) -> Answer:
    county_id = centre.county_id if centre else None
    offering = [
        c
        for c in catalogue.service_centres(service, county_id=county_id)
        if c.status == Centre.Status.OPEN
    ]
    near = [c for c in offering if county_id is None or c.county_id == county_id]
    lines = []
    if near:
        names = ", ".join(c.name for c in near[:MAX_CENTRES_LISTED])
        more = len(near) - MAX_CENTRES_LISTED
        lines.append(
            _("%(service)s is offered at %(centres)s.")
            % {"service": service.name, "centres": names}
        )
        if more > 0:
            lines.append(_("And at %(count)s more centres.") % {"count": more})
    elif offering:
        lines.append(
            _("No Huduma Centre in %(county)s offers %(service)s; the nearest are: %(centres)s.")
            % {
                "county": centre.county.name,
                "service": service.name,
                "centres": ", ".join(c.name for c in offering[:MAX_CENTRES_LISTED]),
            }
        )
    else:
        lines.append(
            _("%(service)s is not offered at a Huduma Centre. See how to apply on its page.")
            % {"service": service.name}
        )
    return Answer(
        language=reading.language,
        intent=rules.WHERE,
        lines=lines,
        source_title=service.name,
        source_url=_service_url(service) + "#where",
        service=service,
        centre=centre,
    )


def _general(reading: rules.Reading, centre: Centre | None, service: Service | None) -> Answer:
    intent = reading.intent
    lines: list[str] = []
    if intent == rules.HOURS:
        if centre is not None:
            lines.append(
                _("%(centre)s is open %(hours)s.")
                % {"centre": centre.name, "hours": opening_hours_text(centre.opening_hours)}
            )
            title, url = (
                _("Service charter of %(centre)s") % {"centre": centre.name},
                reverse("catalogue:charter", args=[centre.code]),
            )
        else:
            hours = Centre._meta.get_field("opening_hours").default
            lines.append(
                _("Most Huduma Centres are open %(hours)s; each centre's charter gives its own.")
                % {"hours": opening_hours_text(hours)}
            )
            title, url = _("Huduma Centres and their charters"), reverse("catalogue:centres")
        lines.append(_("Closed on public holidays."))
    elif intent == rules.TRACK:
        lines.append(
            _(
                "Track an application with the tracking number from your SMS and your phone "
                "number; track a complaint with its reference."
            )
        )
        title, url = _("Track your application"), reverse("applications:track")
    else:  # a receipt's check
        lines.append(
            _(
                "Checking a receipt is free: enter its number on the receipt check page to see "
                "whether it is genuine."
            )
        )
        title, url = _("Check a receipt"), reverse("ledger:verify")
    answer = Answer(
        language=reading.language,
        intent=intent,
        lines=lines,
        source_title=title,
        source_url=url,
        service=service if intent != rules.HOURS else None,
        centre=centre,
    )
    if intent == rules.TRACK:
        answer.links.append((_("Track a complaint"), reverse("complaints:track")))
    return answer


def refusal(language: str, intent: str | None = None) -> Answer:
    """What the assistant says outside what it knows: not a guess, but who can answer."""
    with translation.override(language):
        lines = [
            _(
                "Sorry, I can only answer questions about Huduma services: fees, documents, "
                "how long they take, where and when."
            ),
            _("Call the Huduma Contact Centre on %(phone)s, or make a complaint.")
            % {"phone": settings.CONTACT_CENTRE_PHONE},
        ]
        return Answer(
            language=language,
            intent=intent,
            lines=lines,
            source_title=_("Make a complaint"),
            source_url=reverse("complaints:start"),
            refused=True,
        )


def article_for(service: Service) -> Article | None:
    """A public question-and-answer of the knowledge base about the service, cited with it."""
    return catalogue.service_articles(service).filter(kind=Article.Kind.FAQ).first()
