"""The digital assistant answers citizens' questions from the catalogue, the charters and the
knowledge base, and refuses what it does not know (on SQLite and PostgreSQL, the suite runs on
both). One table drives this and `make bench`: bench/assistant_questions.tsv."""

from collections import Counter

import pytest
from django.db import transaction

from bench.assistant import questions, run, share
from huduma.catalogue.loader import load_reference_data
from huduma.catalogue.selectors import services_search_hits
from huduma.channels.assistant import rules
from huduma.channels.assistant.selectors import answer_question

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def catalogue(django_db_setup, django_db_blocker):
    """The reference catalogue, loaded once for the module and rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        load_reference_data(with_boundaries=False)
        yield
        transaction.set_rollback(True)


def test_the_table_has_300_questions_per_language_and_60_outside_scope():
    counts = Counter((row.language, row.in_scope) for row in questions())
    assert counts[("en", True)] >= 300 and counts[("sw", True)] >= 300
    assert counts[("en", False)] >= 60 and counts[("sw", False)] >= 60
    intents = {row.intent for row in questions() if row.in_scope}
    assert intents == set(rules.INTENTS)
    held_out = [row for row in questions() if row.split == "held_out"]
    assert len(held_out) >= len(questions()) / 2


def test_a_sample_of_the_table_is_answered_and_refused_as_the_bench_requires(catalogue):
    # Every third row: the CI's quick run; `make bench` runs all of them on both databases.
    sample = questions()[::3]
    results = run(sample)
    for language in ("en", "sw"):
        answered, n = share(results, in_scope=True, language=language)
        assert n >= 100 and answered >= 0.9, (language, answered)
        refused, n = share(results, in_scope=False, language=language)
        assert n >= 20 and refused >= 0.9, (language, refused)


def test_the_search_reports_how_well_a_service_met_the_words(catalogue):
    [best] = services_search_hits("birth certificate", limit=1)
    assert best.service.code == "CRD-BIRTH-CERT" and best.coverage == 1.0
    weak = services_search_hits("weather nairobi tomorrow", limit=1)
    assert not weak or weak[0].coverage < 0.5
    assert services_search_hits("", limit=3) == []


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("How much is a birth certificate?", "en"),
        ("Cheti cha kuzaliwa ni pesa ngapi?", "sw"),
        ("niaje, kitambulisho kimepotea nifanyeje", "sw"),
        ("lost my ID where do I go", "en"),
    ],
)
def test_the_language_is_the_questions(text, language):
    assert rules.detect_language(text, "en") == language
    assert rules.detect_language(text, "sw") == language


def test_a_tie_takes_the_pages_language():
    assert rules.detect_language("KRA PIN", "sw") == "sw"
    assert rules.detect_language("KRA PIN", "en") == "en"


def test_the_longest_cue_decides_the_intent():
    # "ngapi" (how many) alone asks the price; "siku ngapi" (how many days) asks the time.
    assert rules.read("cheti cha kuzaliwa ni pesa ngapi").intent == rules.FEE
    assert rules.read("cheti cha kuzaliwa siku ngapi").intent == rules.TURNAROUND
    # "How do I" frames any question: tracking, not applying.
    assert rules.read("how do i track my application").intent == rules.TRACK
    assert rules.read("how do i apply for helb").intent == rules.APPLY
    assert rules.read("KRA PIN").intent is None


def test_the_topic_keeps_the_service_words_only():
    assert rules.read("Habari, how much is a birth certificate for my daughter?").topic == (
        "birth certificate"
    )
    # "register" asks how, and also names the service (a business name registered, not searched).
    assert rules.read("how much to register a business name").topic == "register business name"
    assert rules.read("how long does huduma card take").topic == "huduma card"


def test_a_fee_answer_cites_the_service_page_in_the_questions_language(catalogue):
    answer = answer_question("how much is a police clearance certificate")
    assert not answer.refused and answer.intent == rules.FEE
    assert answer.service.code == "DCI-GOOD-CONDUCT"
    assert "KES 1,050.00" in answer.text
    assert answer.source_url == "/services/DCI-GOOD-CONDUCT/"

    swahili = answer_question("cheti cha tabia njema ni pesa ngapi", default_language="en")
    assert swahili.language == "sw" and swahili.service.code == "DCI-GOOD-CONDUCT"
    assert "Ada rasmi" in swahili.text and "KES 1,050.00" in swahili.text


def test_a_documents_answer_lists_the_requirements_from_the_record(catalogue):
    answer = answer_question("what documents do I need to replace a lost id")
    assert answer.service.code == "NRB-ID-DUPLICATE" and answer.intent == rules.DOCUMENTS
    assert "Police abstract for the lost ID" in answer.text


def test_a_where_answer_lists_the_centres_in_the_county_asked(catalogue):
    answer = answer_question("where can i get a good conduct certificate in mombasa")
    assert answer.intent == rules.WHERE and answer.service.code == "DCI-GOOD-CONDUCT"
    assert "Huduma Centre GPO Mombasa" in answer.text
    assert "Nairobi" not in answer.text
    assert answer.source_url.endswith("#where")


def test_opening_hours_of_a_named_centre_cite_its_charter(catalogue):
    answer = answer_question("what time does huduma centre kisumu open on saturday")
    assert answer.intent == rules.HOURS and answer.centre.code == "kisumu"
    assert "Sat 09:00-13:00" in answer.text
    assert answer.source_url == "/centres/kisumu/"


def test_a_receipt_check_is_free_and_cites_the_check_page(catalogue):
    answer = answer_question("how much does a receipt check cost")
    assert answer.intent == rules.RECEIPT and not answer.refused
    assert "free" in answer.text and answer.source_url == "/receipts/verify/"


@pytest.mark.parametrize(
    "text",
    [
        "what is the weather in nairobi tomorrow",
        "which party should i vote for",
        "nitumie dawa gani kwa malaria",
        "how do i renew my ugandan passport",
        "is the road to narok open",
    ],
)
def test_outside_what_it_knows_it_offers_the_contact_centre_instead_of_guessing(
    catalogue, settings, text
):
    settings.CONTACT_CENTRE_PHONE = "1919"
    answer = answer_question(text)
    assert answer.refused and answer.service is None
    assert "1919" in answer.text
    assert answer.source_url == "/complaints/new/"
