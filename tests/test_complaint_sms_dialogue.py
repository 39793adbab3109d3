"""SMS complaints ask what they are about, whether they name staff and which centre, in a short
dialogue: recorded at once with the Secretariat and a deadline, then routed by the answers, so
a bribery report by SMS reaches the monitors (EACC, Ombudsman) with a deadline, and one naming
staff never reaches that centre."""

from huduma.complaints.models import Category, Complaint, ComplaintEvent, Level
from huduma.notify.models import Message

URL = "/api/queues/sms/inbound?token=test-callback-token"


def sms(client, text, n, phone="0712345678"):
    response = client.post(URL, {"from": phone, "text": text, "id": f"at-{n}"})
    assert response.status_code == 200
    return response.json()["reply"]


def test_a_bribery_report_by_sms_reaches_the_monitors(client, world, clock):
    sms(client, "COMPLAINT officer at counter 1 asked me for 500 shillings", 1)
    complaint = Complaint.objects.get()
    # From the first minute: an owner and a deadline, before any answer.
    assert complaint.level == Level.SECRETARIAT and complaint.due_at is not None
    ask = Message.objects.get(template="complaint_sms_ask_category")
    assert complaint.reference in ask.body and "3 bribe" in ask.body

    assert sms(client, "3", 2) == f"complaint {complaint.reference}: category bribery"
    complaint.refresh_from_db()
    assert complaint.category == Category.BRIBERY
    assert complaint.level == Level.MONITOR and complaint.due_at is not None
    assert Message.objects.filter(template="complaint_sms_ask_centre").count() == 1

    assert sms(client, "atlantis", 3).endswith("asked the centre again")
    assert sms(client, "GPO", 4) == f"complaint {complaint.reference}: with monitor"
    complaint.refresh_from_db()
    assert complaint.centre == world.gpo and complaint.level == Level.MONITOR
    received = Message.objects.get(template="complaint_received")
    assert "EACC" in received.body
    assert complaint.events.filter(kind=ComplaintEvent.Kind.CLASSIFIED).count() == 2

    client.force_login(world.mona)
    assert complaint.reference in client.get("/staff/complaints/").content.decode()
    client.force_login(world.bob)  # the centre's manager never sees it
    assert complaint.reference not in client.get("/staff/complaints/").content.decode()


def test_a_service_complaint_by_sms_goes_to_its_centre(client, world, clock):
    sms(client, "MALALAMIKO foleni ndefu sana bila viti", 1)
    complaint = Complaint.objects.get()
    assert sms(client, "seven", 2).endswith("asked the category again")
    sms(client, "1", 3)
    assert Message.objects.filter(template="complaint_sms_ask_staff").count() == 1
    assert sms(client, "maybe", 31).endswith("asked about staff again")
    sms(client, "2", 32)
    sms(client, "kisumu", 4)
    complaint.refresh_from_db()
    assert complaint.category == Category.SERVICE_QUALITY
    assert complaint.centre == world.kisumu and complaint.level == Level.CENTRE
    assert Message.objects.get(template="complaint_received").language == "sw"
    # The dialogue is over: the next SMS goes to the other keywords.
    assert not sms(client, "JOIN gpo-nairobi NRB-ID-DUPLICATE", 5).startswith("complaint")


def test_no_centre_answer_and_other_keywords_during_the_dialogue(client, world, clock):
    sms(client, "COMPLAINT my KRA PIN was never sent", 1)
    complaint = Complaint.objects.get()
    # A longer SMS that is not an answer goes to the other keywords (here the queue).
    assert not sms(client, "JOIN gpo-nairobi NRB-ID-DUPLICATE", 2).startswith("complaint")
    sms(client, "2", 3)
    sms(client, "2", 31)
    sms(client, "0", 4)
    complaint.refresh_from_db()
    assert complaint.category == Category.DELAY and complaint.centre is None
    assert complaint.level == Level.SECRETARIAT and complaint.sms_step == ""
    # Another phone's "1" is not an answer to this dialogue.
    assert sms(client, "1", 5, phone="0722000111") != f"complaint {complaint.reference}"


def test_a_complaint_naming_staff_by_sms_stays_away_from_the_centre(client, world, clock):
    sms(client, "COMPLAINT the manager shouted at me and threw my papers", 1)
    complaint = Complaint.objects.get()
    sms(client, "1", 2)
    assert sms(client, "1", 3) == f"complaint {complaint.reference}: names staff True"
    sms(client, "GPO", 4)
    complaint.refresh_from_db()
    assert complaint.names_staff and complaint.centre == world.gpo
    assert complaint.level == Level.SECRETARIAT and complaint.due_at is not None
    client.force_login(world.bob)
    assert complaint.reference not in client.get("/staff/complaints/").content.decode()
