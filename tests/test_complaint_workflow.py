"""A complaint's life: acknowledged, assigned, in progress, resolved, closed, reopened; an SMS
at every step; a poor resolution rating opens an appeal to the next level instead of closing."""

import pytest

from huduma.complaints import services
from huduma.complaints.models import Category, Channel, Complaint, ComplaintEvent, Level, Status
from huduma.core.errors import DomainError, Forbidden
from huduma.notify.models import Message
from tests.conftest import sign_in_verified

PHONE = "+254712345678"


def sms_templates():
    return list(
        Message.objects.filter(to=PHONE).order_by("created_at").values_list("template", flat=True)
    )


def lodge(world, **extra):
    return services.complaint_lodge(
        channel=Channel.WEB,
        category=Category.SERVICE_QUALITY,
        text="Nobody answered at the NHIF counter for an hour.",
        phone="0712345678",
        centre=world.gpo,
        service=world.nhif_reg,
        **extra,
    )


def test_complaint_walked_through_every_state_with_an_sms_at_each_step(world, clock):
    complaint = lodge(world)
    assert complaint.status == Status.ACKNOWLEDGED
    steps = [
        (lambda c: services.complaint_take(complaint=c, actor=world.bob), Status.ASSIGNED),
        (lambda c: services.complaint_start(complaint=c, actor=world.bob), Status.IN_PROGRESS),
        (
            lambda c: services.complaint_resolve(
                complaint=c, actor=world.bob, resolution="Counter 2 now opens at 08:00."
            ),
            Status.RESOLVED,
        ),
        (lambda c: services.complaint_confirm(complaint=c, rating=4), Status.CLOSED),
        (
            lambda c: services.complaint_reopen(complaint=c, note="It happened again"),
            Status.REOPENED,
        ),
        (lambda c: services.complaint_take(complaint=c, actor=world.bob), Status.ASSIGNED),
    ]
    for step, expected in steps:
        clock.advance(minutes=30)
        complaint = step(complaint)
        assert complaint.status == expected
    complaint = services.complaint_resolve(complaint=complaint, actor=world.bob, resolution="Done.")
    # Nobody answers: it closes by itself after the set number of days.
    clock.advance(days=8)
    assert services.complaints_sweep().closed == 1
    complaint.refresh_from_db()
    assert complaint.status == Status.CLOSED and complaint.resolution_rating is None

    assert sms_templates() == [
        "complaint_received",
        "complaint_assigned",
        "complaint_in_progress",
        "complaint_resolved",
        "complaint_closed",
        "complaint_reopened",
        "complaint_assigned",
        "complaint_resolved",
        "complaint_closed",
    ]
    kinds = list(complaint.events.values_list("kind", flat=True))
    K = ComplaintEvent.Kind
    assert kinds == [
        K.RECEIVED, K.ACKNOWLEDGED, K.ASSIGNED, K.IN_PROGRESS, K.RESOLVED, K.CLOSED,
        K.REOPENED, K.ASSIGNED, K.RESOLVED, K.CLOSED,
    ]  # fmt: skip
    assert complaint.events.filter(actor=world.bob).count() == 5
    assert "Counter 2 now opens" in Message.objects.filter(template="complaint_resolved")[1].body


def test_poor_resolution_rating_opens_an_appeal_to_the_next_level(world, clock):
    complaint = lodge(world)
    services.complaint_take(complaint=complaint, actor=world.bob)
    services.complaint_resolve(complaint=complaint, actor=world.bob, resolution="Apologised.")
    complaint = services.complaint_confirm(complaint=complaint, rating=1)

    assert complaint.status == Status.ACKNOWLEDGED  # not closed
    assert complaint.level == Level.MDA and complaint.mda == world.nhif
    assert complaint.resolution_rating == 1 and complaint.assigned_to is None
    assert complaint.due_at is not None
    assert complaint.events.last().kind == ComplaintEvent.Kind.APPEALED
    assert sms_templates()[-1] == "complaint_appealed"
    # The Centre Manager no longer holds it.
    with pytest.raises(Forbidden):
        services.complaint_take(complaint=complaint, actor=world.bob)


def test_steps_out_of_order_and_late_reopening_are_refused(world, clock):
    complaint = lodge(world)
    with pytest.raises(DomainError):
        services.complaint_start(complaint=complaint, actor=world.bob)  # not taken yet
    with pytest.raises(DomainError):
        services.complaint_confirm(complaint=complaint, rating=5)  # not resolved
    with pytest.raises(Forbidden):
        services.complaint_take(complaint=complaint, actor=world.alice)  # not a manager
    services.complaint_take(complaint=complaint, actor=world.bob)
    services.complaint_resolve(complaint=complaint, actor=world.bob, resolution="Fixed.")
    with pytest.raises(DomainError) as bad_rating:
        services.complaint_confirm(complaint=complaint, rating=9)
    assert bad_rating.value.field == "rating"
    services.complaint_confirm(complaint=complaint, rating=5)
    clock.advance(days=15)
    with pytest.raises(DomainError):
        services.complaint_reopen(complaint=complaint)
    assert Complaint.objects.get().status == Status.CLOSED


def test_staff_pages_walk_the_worklist(client, world, clock):
    complaint = lodge(world)
    client.force_login(world.bob)
    worklist = client.get("/staff/complaints/")
    assert worklist.status_code == 200 and complaint.reference in worklist.content.decode()
    base = f"/staff/complaints/{complaint.reference}/"
    assert "Take this complaint" in client.get(base).content.decode()
    assert client.post(base + "take/").status_code == 302
    assert client.post(base + "start/").status_code == 302
    refused = client.post(base + "resolve/", {"resolution": ""})
    assert refused.status_code == 400 and "There is a problem" in refused.content.decode()
    assert client.post(base + "resolve/", {"resolution": "Fixed."}).status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == Status.RESOLVED

    # The citizen confirms on the tracking page.
    citizen = client.__class__()
    citizen.post("/complaints/track/", {"reference": complaint.reference, "proof": "0712345678"})
    page = citizen.get(f"/complaints/{complaint.reference}/")
    assert "Confirm and rate" in page.content.decode()
    assert "bob" not in page.content.decode()  # staff names stay inside
    citizen.post(f"/complaints/{complaint.reference}/confirm/", {"rating": "5"})
    complaint.refresh_from_db()
    assert complaint.status == Status.CLOSED and complaint.resolution_rating == 5


def test_worklists_are_scoped(client, world, clock):
    complaint = lodge(world)
    client.force_login(world.charlie)  # counter officer at another centre
    assert client.get("/staff/complaints/").status_code == 403
    assert client.get(f"/staff/complaints/{complaint.reference}/").status_code == 404
    sign_in_verified(client, world.sam)  # Secretariat sees everything, acts at its own level
    page = client.get(f"/staff/complaints/{complaint.reference}/")
    assert page.status_code == 200 and "Take this complaint" not in page.content.decode()
    assert client.post(f"/staff/complaints/{complaint.reference}/take/").status_code == 403
