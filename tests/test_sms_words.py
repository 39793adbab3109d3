"""Every SMS in the citizen's language, service names included, and cut between words."""

import pytest

from huduma.complaints import services as complaints
from huduma.core.text import shorten
from huduma.notify.models import Message
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
