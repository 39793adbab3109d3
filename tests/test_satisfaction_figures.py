"""Satisfaction figures from rating rows: a rating flows from the finished ticket to the live
view; every ending is in the response rate's denominator; misuse is left out and counted."""

import datetime as dt

import pytest

from huduma.feedback import selectors
from huduma.feedback.models import Rating
from huduma.queues import services as queue
from tests.conftest import sign_in_verified
from tests.feedback_helpers import paired_tablet, serve


@pytest.fixture
def tablet(client, world):
    counter = world.counters[("gpo-nairobi", 1)]
    _device, token = paired_tablet(world, counter)
    return counter, token


def rate_at_tablet(client, token, ticket, score, reasons=()):
    client.cookies["huduma_device"] = token
    client.post("/eifd/rate/", {"ticket": str(ticket.pk), "score": str(score)})
    if reasons:
        rating = Rating.objects.get(ticket=ticket)
        client.post("/eifd/details/", {"rating": str(rating.pk), "reasons": list(reasons)})
    del client.cookies["huduma_device"]


def test_rating_flows_from_finished_ticket_to_live_satisfaction(client, world, tablet, clock):
    counter, token = tablet
    client.force_login(world.bob)
    panel = client.get("/staff/centres/gpo-nairobi/feedback/live/").content.decode()
    assert "None today." in panel

    first = serve(world, counter, world.alice, world.id_dup)
    rate_at_tablet(client, token, first, 5)
    client.force_login(world.bob)
    panel = client.get("/staff/centres/gpo-nairobi/feedback/live/").content.decode()
    assert "<strong>100.0%</strong>" in panel
    assert "1 of 1 ratings 4-5" in panel
    assert "1 ratings for 1 tickets ended" in panel

    second = serve(world, counter, world.alice, world.id_dup)
    rate_at_tablet(client, token, second, 1, reasons=["long_wait"])
    client.force_login(world.bob)
    panel = client.get("/staff/centres/gpo-nairobi/feedback/live/").content.decode()
    assert "<strong>50.0%</strong>" in panel and "1 of 2 ratings 4-5" in panel
    assert "below the standard" in panel
    assert "A002" in panel and "Long wait" in panel  # the latest low rating, with its reason
    # The live view page polls the panel.
    assert (
        "/staff/centres/gpo-nairobi/feedback/live/"
        in client.get("/staff/centres/gpo-nairobi/live/").content.decode()
    )


def test_every_ending_counts_and_misuse_is_left_out(client, world, tablet, officers, clock):
    counter, token = tablet
    served = serve(world, counter, world.alice, world.id_dup)
    rate_at_tablet(client, token, served, 4)
    # A no-show at counter 2: an ending without a rating.
    counter2 = world.counters[("gpo-nairobi", 2)]
    queue.visit_issue(
        centre=world.gpo,
        services=[world.nhif_reg],
        channel="reception",
        requirements_confirmed=True,
    )
    queue.counter_open(counter=counter2, officer=officers[2])
    called = queue.ticket_call_next(counter=counter2, officer=officers[2])
    for _ in range(2):
        clock.advance(seconds=30)  # a recall within seconds is the same press
        queue.ticket_recall(ticket=called, counter=counter2, officer=officers[2])
    queue.ticket_no_show(ticket=called, counter=counter2, officer=officers[2])
    # A child presses the idle tablet three times.
    client.cookies["huduma_device"] = token
    for _ in range(3):
        client.post("/eifd/rate/", {"ticket": "", "score": "1"})

    since, until = selectors.today()
    [total] = selectors.satisfaction(since=since, until=until, centre=world.gpo)
    assert (total.ratings, total.ended, total.csat_pct, total.response_pct) == (1, 2, 100.0, 50.0)
    assert total.levels == (0, 0, 0, 1, 0)
    assert selectors.misuse_count(since=since, until=until, centre=world.gpo) == 3

    by = {g: selectors.satisfaction(since=since, until=until, group_by=g) for g in selectors.GROUPS}
    by_counter = {f.key: f for f in by["counter"]}
    assert (by_counter[counter.pk].ratings, by_counter[counter.pk].ended) == (1, 1)
    assert (by_counter[counter2.pk].ratings, by_counter[counter2.pk].ended) == (0, 1)
    assert by_counter[counter2.pk].csat_pct is None
    assert {f.key: f.ratings for f in by["officer"]} == {world.alice.pk: 1, officers[2].pk: 0}
    assert {f.key: f.ended for f in by["service"]} == {world.id_dup.pk: 1, world.nhif_reg.pk: 1}
    assert {f.key: f.ratings for f in by["mda"]} == {world.nrb.pk: 1, world.nhif.pk: 0}
    assert [(f.key, f.ratings, f.ended) for f in by["centre"]] == [(world.gpo.pk, 1, 2)]
    assert [(f.label, f.ratings, f.ended) for f in by["channel"]] == [
        ("Feedback tablet at the counter", 1, 2)
    ]

    client.force_login(world.bob)
    report = client.get("/staff/centres/gpo-nairobi/feedback/").content.decode()
    assert "3 presses with no served ticket behind them were left out" in report
    assert "100.0% (1/1)" in report and "50.0% (1/2)" in report


def test_any_period_and_weekly_trend(client, world, tablet, clock):
    counter, token = tablet
    rate_at_tablet(client, token, serve(world, counter, world.alice, world.id_dup), 5)
    clock.advance(days=7)
    rate_at_tablet(client, token, serve(world, counter, world.alice, world.id_dup), 1)

    since, until = selectors.today()
    assert selectors.satisfaction(since=since, until=until)[0].csat_pct == 0.0
    week = selectors.day_bounds(clock.current.date() - dt.timedelta(days=7), clock.current.date())
    [both] = selectors.satisfaction(since=week[0], until=week[1])
    assert (both.ratings, both.csat_pct) == (2, 50.0)
    trend = selectors.weekly_trend(weeks=3)
    assert [p.figures.csat_pct for p in trend] == [None, 100.0, 0.0]

    sign_in_verified(client, world.sam)
    page = client.get("/staff/feedback/", {"since": week[0].date().isoformat(), "until": "garbage"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "<polyline" in html and 'role="img"' in html  # the server-rendered trend chart
    assert "Huduma Centre GPO" in html


def test_centres_are_ranked_for_the_secretariat(client, world, tablet, clock):
    counter, token = tablet
    kisumu = world.counters[("kisumu", 1)]
    _device, kisumu_token = paired_tablet(world, kisumu, name="Kisumu tablet")
    rate_at_tablet(client, token, serve(world, counter, world.alice, world.id_dup), 2)
    rate_at_tablet(client, kisumu_token, serve(world, kisumu, world.charlie, world.id_dup), 5)
    since, until = selectors.today()
    ranked = selectors.satisfaction(since=since, until=until, group_by="centre")
    assert [f.label for f in ranked] == ["Huduma Centre Kisumu", "Huduma Centre GPO"]
    sign_in_verified(client, world.sam)
    html = client.get("/staff/feedback/").content.decode()
    assert html.index("Huduma Centre Kisumu") < html.index("Huduma Centre GPO")


def test_figures_are_for_managers_and_the_secretariat_only(client, world):
    client.force_login(world.alice)
    assert client.get("/staff/centres/gpo-nairobi/feedback/live/").status_code == 403
    assert client.get("/staff/centres/gpo-nairobi/feedback/").status_code == 403
    client.force_login(world.bob)
    assert client.get("/staff/feedback/").status_code == 403
    assert client.get("/staff/centres/kisumu/feedback/").status_code == 403
    sign_in_verified(client, world.sam)
    assert client.get("/staff/centres/kisumu/feedback/").status_code == 200


def test_a_low_rating_becomes_a_complaint_in_one_click(client, world, tablet, clock):
    from huduma.complaints.models import Channel, Complaint

    counter, token = tablet
    ticket = serve(world, counter, world.alice, world.id_dup)
    rate_at_tablet(client, token, ticket, 1, reasons=["long_wait"])
    rating = Rating.objects.get(ticket=ticket)
    client.force_login(world.bob)
    panel = client.get("/staff/centres/gpo-nairobi/feedback/live/").content.decode()
    assert "Turn into a complaint" in panel
    for _ in range(2):  # a double click opens one complaint
        done = client.post(f"/staff/feedback/ratings/{rating.pk}/complaint/")
        assert done.status_code == 302
    complaint = Complaint.objects.get()
    assert complaint.channel == Channel.LOW_RATING
    assert (complaint.centre, complaint.service) == (world.gpo, world.id_dup)
    assert "Long wait" in complaint.text
    # Another centre's staff cannot, and a watcher sees the rating without the button.
    client.force_login(world.charlie)
    assert client.post(f"/staff/feedback/ratings/{rating.pk}/complaint/").status_code == 403
    sign_in_verified(client, world.sam)
    panel = client.get("/staff/centres/gpo-nairobi/feedback/live/").content.decode()
    assert "Long wait" in panel and "Turn into a complaint" not in panel
