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
    # The complaint was lodged in Kiswahili; the officer chose to send this English text.
    complaints.complaint_resolve(
        complaint=complaint, actor=world.bob, resolution=resolution, send_as_written=True
    )
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


@pytest.mark.parametrize(
    "text, expected",
    [
        ("We have added a second officer to the NHIF counter and the queue moves.", "en"),
        ("Tumeongeza afisa wa pili kwenye dirisha la NHIF na foleni sasa inasonga.", "sw"),
        ("Officer Peter Mwangi moved 20 chairs in.", None),  # too few common words: unsure
        ("Usajili wa NHIF", None),  # a service's name is not a sentence
        ("The counter ya NHIF na foleni is shorter", None),  # mixed
    ],
)
def test_which_language_a_resolution_is_written_in(text, expected):
    from huduma.core.text import written_in

    assert written_in(text) == expected


def test_an_english_resolution_is_not_sent_to_a_swahili_complainant_unless_chosen(world, clock):
    from huduma.core.errors import DomainError

    complaint = lodge(world)
    assert complaint.language == "sw"
    complaint = complaints.complaint_take(complaint=complaint, actor=world.bob)
    english = "We have added a second officer to the NHIF counter and the queue moves."
    with pytest.raises(DomainError) as refused:
        complaints.complaint_resolve(
            complaint=complaint, actor=world.bob, resolution=english, send_as_written=False
        )
    assert refused.value.field == "resolution" and "Kiswahili" in str(refused.value)
    assert not Message.objects.filter(template="complaint_resolved").exists()
    swahili = "Tumeongeza afisa wa pili kwenye dirisha la NHIF na foleni sasa inasonga."
    complaints.complaint_resolve(
        complaint=complaint, actor=world.bob, resolution=swahili, send_as_written=False
    )
    body = Message.objects.get(template="complaint_resolved").body
    assert body.startswith("Huduma: malalamiko") and "Tumeongeza afisa" in body
