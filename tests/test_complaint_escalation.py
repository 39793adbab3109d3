"""Escalation from due dates in working hours: the Centre Manager, then the MDA, then the
Secretariat; computed by a sweep, so complaints that fell due during downtime escalate when the
system comes back. Corruption goes at once to the monitors."""

import datetime as dt

from huduma.complaints import services
from huduma.complaints.models import Category, Channel, ComplaintEvent, Level, Status
from huduma.core.clock import NAIROBI
from huduma.notify.models import Message


def at(*args):
    return dt.datetime(*args, tzinfo=NAIROBI)


def lodge_on_friday_afternoon(world, clock):
    clock.set(at(2026, 11, 27, 15, 0))  # Friday 15:00
    return services.complaint_lodge(
        channel=Channel.WEB,
        category=Category.DELAY,
        text="My NHIF card was due two weeks ago.",
        phone="0712345678",
        centre=world.gpo,
        service=world.nhif_reg,
    )


def test_untouched_complaint_goes_to_the_mda_then_the_secretariat_across_a_weekend(world, clock):
    complaint = lodge_on_friday_afternoon(world, clock)
    # 16 working hours: Fri 15-17, Mon 08-17, Tue 08-13.
    assert complaint.due_at == at(2026, 12, 1, 13, 0)

    for moment in (at(2026, 11, 28, 12, 0), at(2026, 11, 29, 23, 0), at(2026, 12, 1, 12, 59)):
        clock.set(moment)  # the weekend and Monday: nothing due yet
        assert services.complaints_sweep().escalated == 0
    complaint.refresh_from_db()
    assert complaint.level == Level.CENTRE

    clock.set(at(2026, 12, 1, 13, 5))
    assert services.complaints_sweep().escalated == 1
    complaint.refresh_from_db()
    assert complaint.level == Level.MDA and complaint.status == Status.ACKNOWLEDGED
    # 24 working hours at the MDA: Tue 13-17, Wed, Thu, Fri 08-10.
    assert complaint.due_at == at(2026, 12, 4, 10, 0)

    clock.set(at(2026, 12, 4, 10, 5))
    assert services.complaints_sweep().escalated == 1
    complaint.refresh_from_db()
    # The Secretariat has a deadline too (40 working hours), then the independent reviewer.
    assert complaint.level == Level.SECRETARIAT and complaint.due_at == at(2026, 12, 10, 14, 0)
    assert services.complaints_sweep().escalated == 0

    escalations = complaint.events.filter(kind=ComplaintEvent.Kind.ESCALATED)
    assert [(e.level, e.at) for e in escalations] == [
        (Level.MDA, at(2026, 12, 1, 13, 0)),
        (Level.SECRETARIAT, at(2026, 12, 4, 10, 0)),
    ]
    assert Message.objects.filter(template="complaint_escalated").count() == 2


def test_complaint_that_fell_due_twice_during_downtime_escalates_when_the_system_returns(
    world, clock
):
    complaint = lodge_on_friday_afternoon(world, clock)
    clock.set(at(2026, 12, 7, 9, 0))  # the next Monday: no sweep ran for ten days
    result = services.complaints_sweep()
    assert result.escalated == 1
    complaint.refresh_from_db()
    assert complaint.level == Level.SECRETARIAT
    # Each step is recorded when it fell due, not when the sweep came back.
    assert list(
        complaint.events.filter(kind=ComplaintEvent.Kind.ESCALATED).values_list("at", flat=True)
    ) == [at(2026, 12, 1, 13, 0), at(2026, 12, 4, 10, 0)]
    assert Message.objects.filter(template="complaint_escalated").count() == 1


def test_a_complaint_being_worked_on_still_escalates_if_not_resolved_in_time(world, clock):
    complaint = lodge_on_friday_afternoon(world, clock)
    services.complaint_take(complaint=complaint, actor=world.bob)
    clock.set(at(2026, 12, 1, 14, 0))
    services.complaints_sweep()
    complaint.refresh_from_db()
    assert complaint.level == Level.MDA and complaint.assigned_to is None


def test_resolved_complaint_does_not_escalate(world, clock):
    complaint = lodge_on_friday_afternoon(world, clock)
    services.complaint_take(complaint=complaint, actor=world.bob)
    services.complaint_resolve(complaint=complaint, actor=world.bob, resolution="Card ready.")
    clock.set(at(2026, 12, 2, 9, 0))
    assert services.complaints_sweep().escalated == 0
    complaint.refresh_from_db()
    assert complaint.level == Level.CENTRE and complaint.status == Status.RESOLVED


def test_bribery_goes_at_once_to_the_monitors(world, clock):
    complaint = services.complaint_lodge(
        channel=Channel.WEB,
        category=Category.BRIBERY,
        text="Officer at counter 1 asked me for KES 1,000.",
        phone="0712345678",
        centre=world.gpo,
    )
    assert complaint.level == Level.MONITOR and complaint.due_at is not None
    assert "EACC" in Message.objects.get(template="complaint_received").body


def test_escalated_complaint_lands_on_the_mda_worklist(client, world, clock):
    from huduma.accounts.models import Role, User

    nhif_officer = User.objects.create_user(
        username="nhif.back", password="pw", role=Role.BACK_OFFICE, centre=world.gpo, mda=world.nhif
    )
    complaint = lodge_on_friday_afternoon(world, clock)
    client.force_login(nhif_officer)
    assert complaint.reference not in client.get("/staff/complaints/").content.decode()
    clock.set(at(2026, 12, 1, 14, 0))
    services.complaints_sweep()
    client.force_login(nhif_officer)  # days later: the idle session has ended
    assert complaint.reference in client.get("/staff/complaints/").content.decode()
    assert client.post(f"/staff/complaints/{complaint.reference}/take/").status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == Status.ASSIGNED and complaint.assigned_to == nhif_officer
