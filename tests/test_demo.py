"""`make demo` on a fresh database: the reference data and load_demo give every feature a login
that opens its page, with figures to show."""

import io
import re

import pytest
from django.core.management import call_command
from django.test import Client

from huduma.accounts.models import User
from huduma.catalogue.models import Article
from huduma.core import clock
from huduma.feedback.models import Rating
from huduma.insights.models import Pending
from huduma.queues.models import Ticket
from huduma.staffing.models import Attendance, Course

from .conftest import sign_in_verified

# (login, role, pages it opens): the staff pages of the apps added for the demo.
PAGES = [
    ("agent.contact", "contact_agent", ["/contact/", "/staff/knowledge/"]),
    ("counsellor", "counsellor", ["/contact/"]),
    ("committee", "technical_committee", ["/staff/standards/", "/insights/"]),
    (
        "manager.gpo",
        "centre_manager",
        [
            "/staff/centres/gpo-nairobi/daily-report/",
            "/staff/centres/gpo-nairobi/training/",
            "/staff/centres/gpo-nairobi/establishment/",
            "/staff/centres/gpo-nairobi/planner/",
            "/staff/appraisals/",
        ],
    ),
    ("officer.gpo.1a", "counter_officer", ["/staff/staffing/my-training/"]),
    ("secretariat", "secretariat", ["/insights/", "/staff/standards/", "/staff/staffing/"]),
    ("monitor.eacc", "monitor", ["/insights/"]),
    (
        "liaison.nrb",
        "back_office",
        ["/staff/staffing/", "/staff/centres/gpo-nairobi/establishment/"],
    ),
]


@pytest.fixture
def demo(reference):
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def test_the_demo_prints_the_new_logins_and_each_opens_its_pages(demo):
    for username in ("agent.contact", "counsellor", "committee", "liaison.nrb"):
        assert username in demo
    for username, role, urls in PAGES:
        user = User.objects.get(username=username)
        assert user.role == role and user.check_password("huduma-demo"), username
        client = Client()
        sign_in_verified(client, user)
        for url in urls:
            assert client.get(url).status_code == 200, (username, url)
    # The liaison has the GPO manager's request for officers waiting.
    client = Client()
    sign_in_verified(client, User.objects.get(username="liaison.nrb"))
    assert len(client.get("/staff/staffing/").context["pending"]) == 1
    for url in ("/assistant/", "/open-data/", "/savings/"):
        assert Client().get(url).status_code == 200, url


def test_the_demo_has_training_history_and_knowledge_to_show_once(demo):
    officers = User.objects.filter(username__startswith="officer.gpo.")
    cse = Course.objects.get(kind=Course.Kind.CSE)
    assert Course.objects.filter(kind=Course.Kind.SERVICE).exists()
    # Every GPO officer holds a valid Huduma DNA pass, so the training rule lets them serve.
    for officer in officers:
        assert Attendance.objects.filter(
            officer=officer,
            session__course=cse,
            result="passed",
            valid_until__gt=clock.local_date(),
        ).exists(), officer.username
    today = clock.local_date()
    assert Article.objects.filter(owner__isnull=False, review_due__lt=today).count() == 1
    assert Article.objects.filter(owner__isnull=False, review_due__gt=today).exists()
    served = Ticket.objects.filter(centre__code="gpo-nairobi", status="served")
    assert served.count() > 100 and Rating.objects.filter(centre__code="gpo-nairobi").count() > 50
    assert not Pending.objects.exists()  # the rollups were refreshed over them
    # The daily report the demo points at (its last day of history) shows figures.
    yesterday = re.search(r"daily-report/\?day=(\d{4}-\d\d-\d\d)", demo).group(1)
    client = Client()
    sign_in_verified(client, User.objects.get(username="manager.gpo"))
    page = client.get(f"/staff/centres/gpo-nairobi/daily-report/?day={yesterday}")
    assert page.status_code == 200
    figures = page.context["f"]
    assert figures["served"]["totals"]["today"] > 0 and figures["satisfaction"]["ratings"] > 0
    # Loading again (make demo twice) writes no second history.
    tickets = Ticket.objects.count()
    call_command("load_demo", stdout=io.StringIO())
    assert Ticket.objects.count() == tickets
