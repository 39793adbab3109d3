"""The citizen's complaint form and tracking page, staff entry, the SMS keyword, rate limits."""

import re

from django.test import Client

from huduma.complaints.models import Category, Channel, Complaint
from huduma.notify.models import Message
from tests.conftest import sign_in_verified

PHONE = "+254712345678"


def post_details(client, category="service_quality", **data):
    fields = {"text": "Waited four hours and nobody served me.", "phone": "0712345678"}
    fields.update(data)
    return client.post(f"/complaints/new/details/?category={category}", fields)


def test_complaint_form_one_question_then_details_then_reference(client, world, clock):
    page = client.get("/complaints/new/")
    assert page.status_code == 200
    assert "What is your complaint about?" in page.content.decode()
    refused = client.post("/complaints/new/", {})
    assert refused.status_code == 400 and "There is a problem" in refused.content.decode()
    step = client.post("/complaints/new/", {"category": "delay"})
    assert step.status_code == 302 and step["Location"].endswith("details/?category=delay")

    details = client.get(step["Location"])
    assert "Tell us what happened" in details.content.decode()
    assert "secret phrase" not in details.content.decode().lower()  # not for a delay

    response = post_details(client, "delay", centre=world.gpo.pk)
    assert response.status_code == 302
    complaint = Complaint.objects.get()
    assert complaint.channel == Channel.WEB and complaint.category == Category.DELAY
    assert complaint.centre == world.gpo and complaint.phone == PHONE
    lodged = client.get(response["Location"])
    assert complaint.reference in lodged.content.decode()


def test_form_errors_are_summarised_at_the_top(client, world, clock):
    response = post_details(client, text="", phone="12")
    body = response.content.decode()
    assert response.status_code == 400
    assert body.index("There is a problem") < body.index("Tell us what happened</h1>")
    assert 'href="#text"' in body
    response = post_details(client, phone="12")
    assert response.status_code == 400 and 'href="#phone"' in response.content.decode()
    assert not Complaint.objects.exists()


def test_same_form_sent_twice_makes_one_complaint(client, world, clock):
    post_details(client, form_token="tok-1")
    post_details(client, form_token="tok-1")
    assert Complaint.objects.count() == 1


def test_swahili_form(client, world, clock):
    client.cookies["django_language"] = "sw"
    page = client.get("/complaints/new/", HTTP_ACCEPT_LANGUAGE="sw")
    assert "Malalamiko yako yanahusu nini?" in page.content.decode()


def test_the_services_to_complain_about_are_in_the_order_of_the_language_shown(
    client, world, clock
):
    client.cookies["django_language"] = "sw"
    html = client.get("/complaints/new/details/?category=delay").content.decode()
    select = re.search(r'<select name="service".*?</select>', html, re.DOTALL).group(0)
    shown = re.findall(r'<option value="\d+">([^<]+)</option>', select)
    assert shown == [
        "Kubadilisha kitambulisho kilichopotea",
        "Usajili wa NHIF",
        "Usajili wa PIN ya KRA",
    ]


def test_centres_to_complain_about_are_in_alphabetical_order_whatever_the_case(
    client, world, clock
):
    from huduma.places.models import Centre

    Centre.objects.create(code="garissa", name="Huduma Centre Garissa", county=world.gpo.county)
    html = client.get("/complaints/new/details/?category=delay").content.decode()
    select = re.search(r'<select name="centre".*?</select>', html, re.DOTALL).group(0)
    shown = re.findall(r'<option value="\d+">([^<]+)</option>', select)
    # "Garissa" before "GPO": a reader's order, not the capital letters first.
    assert shown == ["Huduma Centre Garissa", "Huduma Centre GPO", "Huduma Centre Kisumu"]


def test_tracking_shows_nothing_without_reference_and_phone(client, world, clock):
    post_details(client)
    complaint = Complaint.objects.get()
    stranger = Client()
    assert stranger.get(f"/complaints/{complaint.reference}/").status_code == 404
    wrong = stranger.post(
        "/complaints/track/", {"reference": complaint.reference, "proof": "0722000111"}
    )
    assert wrong.status_code == 400
    assert "Waited four hours" not in wrong.content.decode()
    right = stranger.post(
        "/complaints/track/", {"reference": complaint.reference.lower(), "proof": "0712 345 678"}
    )
    assert right.status_code == 302
    page = stranger.get(right["Location"])
    assert "Waited four hours" in page.content.decode()


def test_sms_keyword_lodges_a_complaint(client, world, clock):
    url = "/api/queues/sms/inbound?token=test-callback-token"
    response = client.post(
        url, {"from": "0712345678", "text": "MALALAMIKO afisa aliniomba pesa", "id": "at-1"}
    )
    assert response.status_code == 200
    complaint = Complaint.objects.get()
    assert complaint.channel == Channel.SMS and complaint.language == "sw"
    assert complaint.text == "afisa aliniomba pesa"
    assert response.json()["reply"] == f"complaint {complaint.reference}"
    # The acknowledgement asks what it is about (tests/test_complaint_sms_dialogue.py).
    sms = Message.objects.get(template="complaint_sms_ask_category")
    assert sms.language == "sw" and complaint.reference in sms.body
    help_reply = client.post(url, {"from": "0712345678", "text": "complaint", "id": "at-2"})
    assert help_reply.json()["reply"] == "sent complaint instructions"
    assert Message.objects.filter(template="complaint_sms_help").count() == 1


def test_staff_enter_complaints_for_their_channel(client, world, clock):
    client.force_login(world.alice)  # counter officer at GPO
    page = client.get("/staff/complaints/new/")
    assert page.status_code == 200
    response = client.post(
        "/staff/complaints/new/",
        {
            "channel": "centre",
            "category": "service_quality",
            "text": "Citizen says the queue display was off all morning.",
            "phone": "0712345678",
            "centre": world.kisumu.pk,  # ignored: centre staff enter their own centre's
        },
    )
    assert response.status_code == 200
    complaint = Complaint.objects.get()
    assert complaint.reference in response.content.decode()
    assert complaint.created_by == world.alice and complaint.centre == world.gpo
    assert complaint.channel == Channel.CENTRE
    refused = client.post(
        "/staff/complaints/new/",
        {"channel": "social_media", "category": "other", "text": "x", "phone": "0712345678"},
    )
    assert refused.status_code == 400  # not a channel a counter officer enters

    sign_in_verified(client, world.sam)  # Secretariat social-media team: no phone needed
    response = client.post(
        "/staff/complaints/new/",
        {"channel": "social_media", "category": "other", "text": "Tweet: @HudumaKenya ..."},
    )
    assert response.status_code == 200
    assert Complaint.objects.filter(channel=Channel.SOCIAL_MEDIA, phone="").count() == 1


def test_public_complaint_form_is_rate_limited(client, world, clock, real_cache):
    statuses = [
        post_details(client, text=f"Complaint number {n}", form_token=f"t{n}").status_code
        for n in range(11)
    ]
    assert statuses[:10] == [302] * 10
    assert statuses[10] == 429
    assert Complaint.objects.count() == 10
