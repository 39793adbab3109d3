"""The contact centre's small world: agents at extensions, a caller with a history in every
app, and a helper that plays the telephony system."""

from huduma.accounts.models import Role, User
from huduma.applications import services as applications
from huduma.channels.contact.models import AgentSeat
from huduma.complaints.services import complaint_lodge
from huduma.payments import services as payments
from huduma.queues import services as queues

SECRET = "test-call-secret"
CALLER = "+254712345678"
EVENTS = "/api/contact/call-events"
AT_EVENTS = "/api/contact/call-events/africastalking"


def configure(settings) -> None:
    settings.CONTACT_CALL_EVENT_SECRET = SECRET
    settings.CONTACT_CALL_EVENT_ALLOWED_IPS = []
    settings.CONTACT_COUNSELLING_NUMBERS = ["+254800720000"]
    settings.CONTACT_ANSWER_TARGET_SECONDS = 20


def staff(username, role, extension=None):
    user = User.objects.create_user(
        username=username, password="pw-" + username, role=role, first_name=username.title()
    )
    if extension:
        AgentSeat.objects.create(extension=extension, agent=user)
    return user


def agents():
    """agnes and ken: contact-centre agents; carol: a tele-counsellor."""
    return (
        staff("agnes", Role.CONTACT_AGENT, "201"),
        staff("ken", Role.CONTACT_AGENT, "202"),
        staff("carol", Role.COUNSELLOR, "301"),
    )


def send(client, event, call_id, *, caller=CALLER, called="+254206900030", ext="", secret=SECRET):
    body = {
        "event": event,
        "call_id": call_id,
        "caller": caller,
        "called": called,
        "agent_extension": ext,
    }
    headers = {"HTTP_X_HUDUMA_CALL_SECRET": secret} if secret else {}
    return client.post(EVENTS, body, content_type="application/json", **headers)


def caller_history(world):
    """The caller has visited GPO (a ticket), opened an application there, started paying it
    by M-Pesa, booked an appointment and lodged a complaint: one row in every app."""
    counter = world.counters[("gpo-nairobi", 1)]
    queues.counter_open(counter=counter, officer=world.alice)
    visit = queues.visit_issue(
        centre=world.gpo,
        services=[world.id_dup],
        channel="reception",
        requirements_confirmed=True,
        phone="0712345678",
        language="en",
    )
    ticket = queues.ticket_call_next(counter=counter, officer=world.alice)
    queues.ticket_start(ticket=ticket, counter=counter, officer=world.alice)
    application, _ = applications.application_open(ticket=ticket, officer=world.alice)
    invoice = payments.invoice_raise(application=application, actor=world.alice)
    payment = payments.payment_start(
        invoice=invoice,
        channel="mpesa",
        amount=str(invoice.amount_kes),
        idempotency_key="contact-test",
        phone="0712345678",
        actor=world.alice,
    )
    complaint = complaint_lodge(
        channel="web",
        category="delay",
        text="My ID has taken two months.",
        phone="0712345678",
        centre=world.gpo,
    )
    return visit, application, payment, complaint
