"""The citizen tracks an application with its number AND the phone; tries are limited."""

import pytest

from huduma.applications import services as applications
from huduma.queues import services as queues


@pytest.fixture
def application(world, clock):
    counter = world.counters[("gpo-nairobi", 1)]
    queues.counter_open(counter=counter, officer=world.alice)
    queues.visit_issue(
        centre=world.gpo,
        services=[world.id_dup],
        channel="reception",
        requirements_confirmed=True,
        phone="0712345678",
    )
    ticket = queues.ticket_call_next(counter=counter, officer=world.alice)
    queues.ticket_start(ticket=ticket, counter=counter, officer=world.alice)
    return applications.application_open(ticket=ticket, officer=world.alice)[0]


def test_number_and_phone_show_the_application(client, application):
    number = application.tracking_number.lower().replace("-", " ")
    response = client.post(
        "/applications/track/", {"tracking_number": number, "phone": "+254 712 345 678"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert application.tracking_number in page
    assert "Replacement of a lost ID card" in page


@pytest.mark.parametrize(
    "number, phone",
    [("RIGHT", "0722000000"), ("A222-2222", "0712345678")],
)
def test_nothing_is_shown_without_both(client, application, number, phone):
    number = application.tracking_number if number == "RIGHT" else number
    response = client.post("/applications/track/", {"tracking_number": number, "phone": phone})
    assert response.status_code == 404
    page = response.content.decode()
    assert "No application matches this number and phone" in page
    assert "lost ID card" not in page


def test_tries_are_limited(client, application, real_cache):
    for _ in range(10):
        client.post("/applications/track/", {"tracking_number": "A222-2222", "phone": "0712345678"})
    response = client.post(
        "/applications/track/",
        {"tracking_number": application.tracking_number, "phone": "0712345678"},
    )
    assert response.status_code == 429
    assert application.tracking_number not in response.content.decode().split("<form")[0]


def test_a_failed_try_has_the_error_summary_in_swahili_without_browser_bubbles(client, db):
    """novalidate: the browser's own (English) "Please fill out this field" never shows; the
    server's message, in the citizen's language, is summarised at the top and on the field."""
    client.cookies["django_language"] = "sw"
    response = client.post("/applications/track/", {"tracking_number": "", "phone": ""})
    assert response.status_code == 400
    page = response.content.decode()
    assert '<a href="#track-phone">' in page and 'id="track-phone-error"' in page
    assert '<form method="post" novalidate>' in page
    assert "Kuna tatizo" in page
    assert '<a href="#track-number">' in page
    assert 'id="track-number-error"' in page
    assert 'type="text" id="track-number"' in page  # styled like every other text field
    assert "No application matches" not in page


@pytest.mark.parametrize("number, phone", [("RIGHT", ""), ("", "0712345678")])
def test_a_box_left_empty_is_named_and_does_not_use_up_a_try(
    client, application, real_cache, number, phone
):
    number = application.tracking_number if number == "RIGHT" else number
    for _ in range(12):  # more than the tries allowed
        response = client.post("/applications/track/", {"tracking_number": number, "phone": phone})
        assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page and "lost ID card" not in page
    assert ("Enter the tracking number" in page) == (number == "")
    assert ("Enter the phone number" in page) == (phone == "")
    # The tries were not used up: the right pair still shows the application.
    response = client.post(
        "/applications/track/",
        {"tracking_number": application.tracking_number, "phone": "0712345678"},
    )
    assert response.status_code == 200


def test_switching_language_keeps_the_result(client, application, settings):
    """The language switch comes back to the page by GET: the result stays (this browser proved
    number and phone), in the new language; another browser sees an empty form."""
    assert application.tracking_number not in client.get("/applications/track/").content.decode()
    client.post(
        "/applications/track/",
        {"tracking_number": application.tracking_number, "phone": "0712345678"},
    )
    client.post("/i18n/setlang/", {"language": "sw", "next": "/applications/track/"})
    page = client.get("/applications/track/").content.decode()
    assert application.tracking_number in page and 'lang="sw"' in page
    assert 'data-testid="track-status"' in page
    other = client.__class__()
    assert application.tracking_number not in other.get("/applications/track/").content.decode()
