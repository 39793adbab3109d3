"""A citizen on a 360 px phone asks the assistant, reads the answer and its source, and says
whether it helped (real Chromium, axe)."""

import pytest
from playwright.sync_api import expect

from huduma.channels.assistant.models import AssistantAnswer
from tests.conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    yield page
    context.close()


def fits(page) -> bool:
    return page.evaluate("document.scrollingElement.scrollWidth") <= 360


def test_ask_read_the_answer_and_say_it_helped(phone, live_server, world, settings):
    settings.CONTACT_CENTRE_PHONE = "1919"
    page = phone
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Ask a question about a service").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Ask a question"
    assert_accessible(page)
    assert fits(page)

    page.get_by_label("Your question").fill("what do I need to replace a lost ID?")
    page.get_by_role("button", name="Ask", exact=True).click()
    answer = page.get_by_test_id("answer")
    assert "For Replacement of a lost ID card, bring: Police abstract." in answer.inner_text()
    source = answer.get_by_role("link", name="Replacement of a lost ID card")
    assert source.get_attribute("href") == "/services/NRB-ID-DUPLICATE/"
    expect(page.get_by_role("group", name="Did this help?")).to_be_visible()
    assert_accessible(page)
    assert fits(page)

    page.get_by_role("button", name="Yes").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Thank you"
    assert AssistantAnswer.objects.get().helpful is True
    assert_accessible(page)


def test_a_question_it_cannot_answer_and_a_swahili_one(phone, live_server, world, settings):
    settings.CONTACT_CENTRE_PHONE = "1919"
    page = phone
    page.goto(live_server.url + "/assistant/")
    page.get_by_role("button", name="Ask", exact=True).click()  # nothing typed
    assert "Type your question" in page.get_by_role("alert").inner_text()
    assert_accessible(page)

    page.get_by_label("Your question").fill("will it rain in Kisumu tomorrow?")
    page.get_by_role("button", name="Ask", exact=True).click()
    answer = page.get_by_test_id("answer")
    assert "I cannot answer that" in answer.inner_text()
    expect(answer.get_by_role("link", name="Call the Huduma Contact Centre: 1919")).to_be_visible()
    expect(answer.get_by_role("link", name="Make a complaint")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Ask another question").fill("kitambulisho kilichopotea ni pesa ngapi?")
    page.get_by_role("button", name="Ask", exact=True).click()
    answer = page.get_by_test_id("answer")
    assert answer.get_attribute("lang") == "sw"
    assert "Ada rasmi ya Kubadilisha kitambulisho kilichopotea ni KES 100.00." in (
        answer.inner_text()
    )
    # The whole answer, its source and "Did this help?" in the question's language.
    expect(answer.get_by_role("heading", name="Jibu")).to_be_visible()
    expect(page.get_by_role("group", name="Je, jibu hili limekusaidia?")).to_be_visible()
    assert_accessible(page)
    assert fits(page)
