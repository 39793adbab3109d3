"""The live view flags a queue nobody is serving, first, and its manager acts on it there."""

import pytest
from django.urls import reverse

from huduma.accounts.models import Role, User
from huduma.queues import services
from huduma.queues.models import CounterSession, DaySkill
from tests.conftest import sign_in_verified

pytestmark = pytest.mark.django_db

LIVE = reverse("queues:live", args=["gpo-nairobi"])
OPEN = reverse("queues:live_open_counter", args=["gpo-nairobi"])
MOVE = reverse("queues:live_add_skill", args=["gpo-nairobi"])


@pytest.fixture
def unserved(world, clock):
    """Alice is at counter 1 (ID replacements); two citizens wait for NHIF, nobody serves it."""
    services.counter_open(counter=world.counters[("gpo-nairobi", 1)], officer=world.alice)
    for _ in range(2):
        services.visit_issue(
            centre=world.gpo,
            services=[world.nhif_reg],
            channel="reception",
            requirements_confirmed=True,
        )
    return world


def test_flag_comes_first_with_both_remedies(client, unserved, officers):
    client.force_login(unserved.bob)
    html = client.get(LIVE).content.decode()
    flag = html.index("Nobody is serving these queues")
    assert flag < html.index("tickets waiting")  # before everything else of the live view
    assert "NHIF registration" in html[flag:] and "2 waiting" in html
    assert 'name="officer"' in html and "Officer1" in html
    assert "Alice" not in html.split('name="officer"')[1].split("</select>")[0]  # signed in
    assert "Serve it there today" in html


def test_flag_says_minutes_in_plain_words(client, unserved, clock):
    """Not "the longest for 1 minutes": the minutes in the live view's own short form, and
    one citizen waiting is not "the longest" of anyone."""
    client.force_login(unserved.bob)
    clock.advance(minutes=1)
    assert "2 waiting, the longest for 1 min, and no counter" in client.get(LIVE).content.decode()
    services.visit_issue(
        centre=unserved.gpo,
        services=[unserved.id_dup],
        channel="reception",
        requirements_confirmed=True,
    )
    services.counter_close(counter=unserved.counters[("gpo-nairobi", 1)], officer=unserved.alice)
    html = client.get(LIVE).content.decode()
    assert "1 waiting for 0 min, and no counter is open" in html
    client.cookies["django_language"] = "sw"
    assert "wanasubiri, aliyesubiri zaidi kwa dakika 1" in client.get(LIVE).content.decode()


def test_manager_opens_a_counter_for_an_officer(client, unserved, officers):
    client.force_login(unserved.bob)
    counter = unserved.counters[("gpo-nairobi", 2)]
    data = {"counter": counter.pk, "officer": officers[2].pk, "service": unserved.nhif_reg.pk}
    response = client.post(OPEN, data, follow=True)
    assert "Counter 2 is open for Officer2" in response.content.decode()
    assert CounterSession.objects.get(counter=counter).officer == officers[2]
    assert "Nobody is serving these queues" not in client.get(LIVE).content.decode()


def test_manager_moves_the_skill_to_an_open_counter_for_today(client, unserved):
    client.force_login(unserved.bob)
    counter = unserved.counters[("gpo-nairobi", 1)]
    response = client.post(
        MOVE, {"counter": counter.pk, "service": unserved.nhif_reg.pk}, follow=True
    )
    assert "Counter 1 serves NHIF registration until the end of today" in (
        response.content.decode()
    )
    assert DaySkill.objects.get().counter == counter


def test_bad_input_is_a_message_not_an_error(client, unserved):
    client.force_login(unserved.bob)
    response = client.post(OPEN, {"counter": "²", "officer": "x"}, follow=True)
    assert response.status_code == 200 and "Choose a counter and an officer" in (
        response.content.decode()
    )
    busy = unserved.counters[("gpo-nairobi", 1)]  # Alice holds it
    response = client.post(OPEN, {"counter": busy.pk, "officer": unserved.bob.pk}, follow=True)
    assert "Alice is signed in to counter 1" in response.content.decode()
    response = client.post(
        MOVE,
        {"counter": unserved.counters[("gpo-nairobi", 2)].pk, "service": unserved.nhif_reg.pk},
        follow=True,
    )
    assert "Counter 2 is not open; open it for an officer instead" in response.content.decode()
    assert CounterSession.objects.count() == 1 and not DaySkill.objects.exists()


def test_manager_of_another_centre_is_refused(client, unserved):
    kisumu_manager = User.objects.create_user(
        username="kim", password="pw", role=Role.CENTRE_MANAGER, centre=unserved.kisumu
    )
    client.force_login(kisumu_manager)
    assert client.get(LIVE).status_code == 403
    counter = unserved.counters[("gpo-nairobi", 2)]
    data = {"counter": counter.pk, "officer": unserved.alice.pk, "service": unserved.nhif_reg.pk}
    assert client.post(OPEN, data).status_code == 403
    assert (
        client.post(MOVE, {"counter": counter.pk, "service": unserved.nhif_reg.pk}).status_code
        == 403
    )
    assert CounterSession.objects.count() == 1 and not DaySkill.objects.exists()


def test_national_watcher_sees_the_flag_but_cannot_act(client, unserved):
    sign_in_verified(client, unserved.sam)
    html = client.get(LIVE).content.decode()
    assert "Nobody is serving these queues" in html and "NHIF registration" in html
    assert 'name="officer"' not in html and "Serve it there today" not in html
    counter = unserved.counters[("gpo-nairobi", 1)]
    assert (
        client.post(MOVE, {"counter": counter.pk, "service": unserved.nhif_reg.pk}).status_code
        == 403
    )
    assert not DaySkill.objects.exists()


def test_external_monitor_does_not_watch_queues(client, unserved):
    # EACC and the Ombudsman see complaints, not centres' queues (permissions.py).
    client.force_login(unserved.mona)
    assert client.get(LIVE).status_code == 403
    assert client.post(MOVE, {}).status_code == 403


def test_flag_speaks_swahili(client, unserved, officers, settings):
    client.force_login(unserved.bob)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "sw"
    html = client.get(LIVE).content.decode()
    assert "Hakuna anayehudumia foleni hizi" in html
    assert "2 wanasubiri" in html and "Hamishia huduma hii" in html and "Chagua afisa" in html


def test_api_names_the_unserved_queues(client, unserved):
    client.force_login(unserved.bob)
    body = client.get("/api/queues/centres/gpo-nairobi/live").json()
    assert body["unserved"] == ["NHIF-REGISTRATION"]


def test_only_officers_who_may_serve_the_queue_are_offered(client, unserved, officers):
    """Not every member of staff: neither the manager nor an officer of another MDA."""
    User.objects.create_user(
        username="nrb2",
        role=Role.COUNTER_OFFICER,
        centre=unserved.gpo,
        mda=unserved.nrb,
        first_name="Njeri",
    )
    client.force_login(unserved.bob)
    html = client.get(LIVE).content.decode()
    assert "Officer1 (Counter officer)" in html
    assert "Njeri" not in html and "Bob (Centre Manager)" not in html


def test_a_warning_when_no_free_officer_may_serve(client, unserved):
    client.force_login(unserved.bob)
    html = client.get(LIVE).content.decode()
    assert "No free officer may serve it: only officers of" in html
    assert "Choose an officer" not in html
