"""`manage.py ussd` plays a session in the terminal as a phone would, through the same engine."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from huduma.queues.models import Visit

pytestmark = pytest.mark.django_db


def test_a_scripted_session_shows_each_screen_and_the_sms(world, capsys):
    call_command("ussd", phone="0712345678", inputs="2*1*GPO*1*2*1")
    out = capsys.readouterr().out
    assert "Dialling *384*1919# from +254712345678" in out
    assert "|CON Huduma Kenya" in out and "|1. Find a service" in out
    assert "> GPO" in out
    visit = Visit.objects.get(phone="+254712345678")
    assert f"|END Ticket {visit.number} at Huduma" in out  # 30 characters a line
    assert f"SMS to +254712345678: Huduma Centre GPO: your ticket is {visit.number}" in out


def test_a_bad_phone_is_refused(world):
    with pytest.raises(CommandError):
        call_command("ussd", phone="123", inputs="")
