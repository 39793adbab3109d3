"""The digital assistant's page and SMS keyword: an answer with its source and "Did this help?",
recorded once, kept minimised, rate-limited, forgotten after its retention."""

import pytest
from django.urls import reverse

from huduma.channels.assistant import services
from huduma.channels.assistant.models import AssistantAnswer
from huduma.channels.assistant.sms import SMS_LIMIT, SMS_PER_HOUR
from huduma.notify.keywords import sms_route
from huduma.notify.models import Message

pytestmark = pytest.mark.django_db
PHONE = "+254712000321"
ASK = "/assistant/"


def ask(client, question, **extra):
    return client.post(ASK, {"question": question}, **extra)


def test_the_page_answers_with_the_fee_its_source_and_did_this_help(client, world):
    page = client.get(ASK)
    assert page.status_code == 200 and b'name="question"' in page.content

    response = ask(client, "How much is a lost ID replacement?")
    html = response.content.decode()
    assert response.status_code == 200
    assert "The official fee for Replacement of a lost ID card is KES 100.00." in html
    assert f'href="{reverse("catalogue:service", args=["NRB-ID-DUPLICATE"])}"' in html
    assert "Did this help?" in html
    record = AssistantAnswer.objects.get()
    assert (record.intent, record.service, record.refused) == ("fee", world.id_dup, False)
    assert record.channel == "web" and record.sender_digest == ""


def test_a_swahili_question_gets_a_swahili_answer_marked_as_such(client, world):
    html = ask(client, "Kitambulisho kilichopotea ni pesa ngapi?").content.decode()
    assert 'lang="sw"' in html
    assert "Ada rasmi ya" in html and "KES 100.00" in html
    assert "Je, jibu hili limekusaidia?" in html and "Did this help?" not in html


def test_outside_what_it_knows_the_page_offers_the_contact_centre_and_a_complaint(
    client, world, settings
):
    settings.CONTACT_CENTRE_PHONE = "1919"
    html = ask(client, "who will win the football match tonight").content.decode()
    assert "I cannot answer that" in html
    assert 'href="tel:1919"' in html
    assert f'href="{reverse("complaints:start")}"' in html
    assert AssistantAnswer.objects.get().refused


@pytest.mark.parametrize(
    ("question", "message"),
    [("", "Type your question"), ("   ", "Type your question"), ("x" * 301, "300 characters")],
)
def test_a_bad_question_is_a_form_message_and_nothing_is_kept(client, world, question, message):
    response = ask(client, question)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert 'href="#question"' in response.content.decode()
    assert not AssistantAnswer.objects.exists()


def test_numbers_and_emails_are_not_kept_with_the_question(client, world):
    ask(client, "my id 12345678 is lost, phone 0712 345 678, mail me at a.b@example.com")
    kept = AssistantAnswer.objects.get().question
    assert "12345678" not in kept and "0712" not in kept and "example.com" not in kept
    assert "[number]" in kept and "[email]" in kept


def test_did_this_help_is_recorded_once_by_the_asker_only(client, world, django_user_model):
    ask(client, "how much is a birth certificate")
    record = AssistantAnswer.objects.get()
    url = reverse("assistant:feedback", args=[record.pk])

    response = client.post(url, {"helpful": "no"})
    assert response.status_code == 302
    thanks = client.get(response["Location"]).content.decode()
    assert "make a complaint" in thanks
    client.post(url, {"helpful": "yes"})  # a second click changes nothing
    record.refresh_from_db()
    assert record.helpful is False and record.helpful_at is not None

    assert client.post(url, {"helpful": "maybe"}).status_code == 400
    from django.test import Client

    stranger = Client()
    assert stranger.post(url, {"helpful": "yes"}).status_code == 404


def test_sms_ask_is_answered_in_at_most_two_sms_ending_with_did_this_help(world, settings):
    settings.PUBLIC_URL = "https://huduma.example"
    outcome = sms_route(phone=PHONE, text="ASK what documents do I need for a lost ID card")
    assert outcome == "answered documents"
    message = Message.objects.get(to=PHONE)
    assert len(message.body) <= SMS_LIMIT
    assert "Police abstract" in message.body
    assert "https://huduma.example/services/NRB-ID-DUPLICATE/" in message.body
    assert message.body.endswith("Did this help? Send ASK YES or ASK NO.")
    record = AssistantAnswer.objects.get()
    assert record.channel == "sms" and record.sender_digest and PHONE not in record.sender_digest

    assert sms_route(phone=PHONE, text="ask yes") == "recorded feedback"
    record.refresh_from_db()
    assert record.helpful is True
    assert sms_route(phone=PHONE, text="ASK NO") == "ignored: no answer to rate"


def test_a_long_answer_is_cut_on_a_word_and_keeps_its_source(reference):
    sms_route(phone=PHONE, text="ASK where can i get a good conduct certificate")
    body = Message.objects.get(to=PHONE).body
    assert len(body) <= SMS_LIMIT
    assert "/services/DCI-GOOD-CONDUCT/#where" in body
    answer = body.split(" Source:")[0]
    assert answer.endswith("...") and not answer[:-3].endswith(" ")


def test_sms_uliza_answers_in_swahili(world):
    assert (
        sms_route(phone=PHONE, text="ULIZA kitambulisho kilichopotea ni pesa ngapi")
        == "answered fee"
    )
    body = Message.objects.get(to=PHONE).body
    assert body.startswith("Ada rasmi ya") and body.endswith("Tuma ULIZA NDIYO au ULIZA HAPANA.")


def test_sms_outside_scope_offers_the_contact_centre(world, settings):
    settings.CONTACT_CENTRE_PHONE = "1919"
    assert sms_route(phone=PHONE, text="ASK what is the weather tomorrow") == (
        "refused: outside what it knows"
    )
    assert "1919" in Message.objects.get(to=PHONE).body


def test_sms_not_ours_and_empty_questions(world):
    assert sms_route(phone=PHONE, text="ASKARI wapi") is None  # another word, not the keyword
    assert sms_route(phone=PHONE, text="ASK") == "sent assistant instructions"
    assert "send ASK and your question" in Message.objects.get(to=PHONE).body
    assert sms_route(phone="not a phone", text="ASK fee") == "ignored: bad sender number"


def test_sms_questions_are_rate_limited_per_phone(world, real_cache):
    for _ in range(SMS_PER_HOUR):
        assert sms_route(phone=PHONE, text="ASK kra pin fee").startswith("answered")
    assert sms_route(phone=PHONE, text="ASK kra pin fee") == (
        "ignored: too many questions from this number"
    )
    assert Message.objects.filter(to=PHONE).count() == SMS_PER_HOUR
    assert sms_route(phone="+254712000999", text="ASK kra pin fee").startswith("answered")


def test_senders_are_forgotten_after_a_day_and_answers_after_the_retention(world, clock, settings):
    settings.ASSISTANT_RETENTION_DAYS = 30
    sms_route(phone=PHONE, text="ASK kra pin fee")
    clock.advance(hours=25)
    assert services.assistant_forget() == (1, 0)
    assert AssistantAnswer.objects.get().sender_digest == ""
    assert sms_route(phone=PHONE, text="ASK YES") == "ignored: no answer to rate"
    clock.advance(days=30)
    assert services.assistant_forget() == (0, 1)
    assert not AssistantAnswer.objects.exists()


def test_the_home_page_links_to_the_assistant(client, world):
    assert f'href="{ASK}"' in client.get("/").content.decode()


def test_asking_is_rate_limited_per_browser(client, world, real_cache):
    from huduma.channels.assistant.views import ASK_LIMIT

    for _ in range(ASK_LIMIT):
        assert ask(client, "kra pin fee").status_code == 200
    assert ask(client, "kra pin fee").status_code == 429
    assert client.get(ASK).status_code == 200
