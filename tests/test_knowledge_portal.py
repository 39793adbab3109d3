"""The staff knowledge portal: browse and search by MDA and service, versions, owners and review
dates; a stale article is flagged on the list and told to its owner once per review date."""

import datetime as dt

import pytest
from django.test import Client

from huduma.accounts.models import Role, User
from huduma.catalogue.models import Article
from huduma.catalogue.services import article_save
from huduma.catalogue.tasks import stale_articles_task
from huduma.notify.models import Message

pytestmark = pytest.mark.django_db


@pytest.fixture
def kb(world, clock):
    owner = User.objects.create_user(
        username="olive",
        role=Role.SECRETARIAT,
        email="olive@huduma.example",
        first_name="Olive",
    )
    today = clock.current.date()
    lost_id = Article.objects.create(
        slug="lost-id-what-to-do",
        service=world.id_dup,
        title_en="I lost my ID card. What do I do first?",
        title_sw="Nimepoteza kitambulisho changu. Nifanye nini kwanza?",
        body_en="Report the loss at any police station.",
        owner=owner,
        review_due=today - dt.timedelta(days=3),
    )
    nhif_note = Article.objects.create(
        slug="nhif-staff-note",
        service=world.nhif_reg,
        audience=Article.Audience.STAFF,
        title_en="NHIF: checking a member's status",
        body_en="Use the member portal; never ask for the PIN.",
        owner=owner,
        review_due=today + dt.timedelta(days=30),
    )
    kra_general = Article.objects.create(
        slug="kra-itax-help",
        mda=world.kra,
        title_en="iTax help desk hours",
        body_en="The KRA help desk answers 8am to 5pm.",
    )
    return owner, lost_id, nhif_note, kra_general


def _staff(world) -> Client:
    client = Client()
    client.force_login(world.alice)
    return client


def test_staff_browse_and_search_by_mda_and_service(world, kb):
    client = _staff(world)
    page = client.get("/staff/knowledge/").content.decode()
    for title in ("I lost my ID card", "NHIF: checking", "iTax help desk hours"):
        assert title in page  # staff-only articles too
    by_mda = client.get("/staff/knowledge/", {"mda": world.kra.pk}).content.decode()
    assert "iTax help desk hours" in by_mda and "I lost my ID card" not in by_mda
    by_service = client.get("/staff/knowledge/", {"service": world.nhif_reg.pk}).content.decode()
    assert "NHIF: checking" in by_service and "iTax" not in by_service
    words = client.get("/staff/knowledge/", {"q": "police"}).content.decode()
    assert "I lost my ID card" in words and "NHIF: checking" not in words
    swahili = client.get("/staff/knowledge/", {"q": "Nimepoteza"}).content.decode()
    assert "I lost my ID card" in swahili
    bad = client.get("/staff/knowledge/", {"mda": "999999"})
    assert bad.status_code == 400 and 'href="#mda"' in bad.content.decode()
    assert Client().get("/staff/knowledge/").status_code == 302  # staff only
    assert client.get("/staff/knowledge/", {"page": "9"}).status_code == 404


def test_the_list_flags_stale_articles_with_owner_and_review_date(world, kb):
    client = _staff(world)
    page = client.get("/staff/knowledge/").content.decode()
    assert page.count('data-testid="stale"') == 1
    row = page[page.index("I lost my ID card") :]
    assert "Olive" in row[:600] and "Stale: review it" in row[:600]
    stale_only = client.get("/staff/knowledge/", {"stale": "on"}).content.decode()
    assert "I lost my ID card" in stale_only and "NHIF: checking" not in stale_only


def test_each_edit_is_a_version_shown_to_staff(world, kb):
    _owner, lost_id, _nhif, _kra = kb
    lost_id.body_en = "Report the loss at any police station and ask for an abstract."
    article_save(article=lost_id, editor=world.sam)
    lost_id.title_en = "Lost your ID card?"
    article_save(article=lost_id, editor=world.sam)
    page = _staff(world).get("/staff/knowledge/lost-id-what-to-do/").content.decode()
    assert "Lost your ID card?" in page
    assert "<td>1</td><td>I lost my ID card. What do I do first?</td><td>sam</td>" in page
    assert "<td>2</td>" in page and "3 (" in page  # the current version is the third


def test_a_stale_article_is_told_to_its_owner_once_per_review_date(world, kb, clock):
    owner, lost_id, _nhif_note, _kra = kb
    stale_articles_task()
    mail = Message.objects.get(template="knowledge_stale")
    assert mail.channel == "email" and mail.to == "olive@huduma.example"
    assert "I lost my ID card. What do I do first?" in mail.body
    assert "/staff/knowledge/lost-id-what-to-do/" in mail.body
    stale_articles_task()  # the next hour: already told
    assert Message.objects.filter(template="knowledge_stale").count() == 1
    # Reviewed, given a new date, which passes too: told again. An owner without an email
    # address gets an SMS.
    owner.email, owner.phone = "", "0722000111"
    owner.save()
    Article.objects.filter(pk=lost_id.pk).update(review_due=clock.current.date())
    clock.advance(days=2)
    stale_articles_task()
    sms = Message.objects.filter(template="knowledge_stale", channel="sms").get()
    assert sms.to == "+254722000111" and "was due for review on 24/11/2026" in sms.body
    assert Message.objects.filter(template="knowledge_stale").count() == 2
