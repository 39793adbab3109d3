"""Every SMS in the citizen's language, service names included, and cut between words."""

import pytest

from huduma.applications import services as applications
from huduma.complaints import services as complaints
from huduma.core.text import shorten
from huduma.notify.models import Message
from huduma.payments import services as payments
from huduma.queues import services as queues
from tests.test_complaint_workflow import lodge

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "text, limit, expected",
    [
        ("Counter 2 now opens at 08:00.", 70, "Counter 2 now opens at 08:00."),
        ("Tumeongeza maafisa wawili kwenye dirisha la NHIF", 30, "Tumeongeza maafisa wawili..."),
        ("Supercalifragilisticexpialidocious", 10, "Superca..."),  # one word: no better cut
        ("We  spoke   to the officer, and", 26, "We spoke to the officer..."),
    ],
)
def test_shorten_cuts_between_words(text, limit, expected):
    assert shorten(text, limit) == expected
    assert len(shorten(text, limit)) <= limit


def test_the_resolution_sms_is_cut_on_a_word(world, clock):
    complaint = lodge(world)
    complaint = complaints.complaint_take(complaint=complaint, actor=world.bob)
    resolution = (
        "We have added a second officer to the NHIF counter and the queue now moves within "
        "twenty minutes on most mornings."
    )
    complaints.complaint_resolve(complaint=complaint, actor=world.bob, resolution=resolution)
    body = Message.objects.get(template="complaint_resolved").body
    kept = shorten(resolution, 70)
    assert kept.endswith("...") and kept[:-3] in body
    assert kept[:-3] + "..." in body
    assert resolution.split()[len(kept[:-3].split())] not in body.split()  # no half word


def test_the_payment_sms_names_the_service_in_the_citizens_language(world, clock, sandbox):
    """A Swahili citizen's payment SMS used to carry the English service name."""
    counter = world.counters[("gpo-nairobi", 1)]
    queues.counter_open(counter=counter, officer=world.alice)
    queues.visit_issue(
        centre=world.gpo,
        services=[world.id_dup],
        channel="reception",
        requirements_confirmed=True,
        phone="0712345678",
        language="sw",
    )
    ticket = queues.ticket_call_next(counter=counter, officer=world.alice)
    queues.ticket_start(ticket=ticket, counter=counter, officer=world.alice)
    application, _ = applications.application_open(ticket=ticket, officer=world.alice)
    invoice = payments.invoice_raise(application=application, actor=world.alice)
    payments.payment_start(
        invoice=invoice,
        channel="mpesa",
        amount="100.00",
        phone="0712345678",
        idempotency_key="pay-sw",
        actor=world.alice,
    )
    sandbox.deliver()
    sms = Message.objects.get(template="payment_received")
    assert sms.language == "sw"
    assert world.id_dup.name_sw in sms.body and world.id_dup.name_en not in sms.body
