"""The verbs of performance: the daily report made once at closing and emailed through the
outbox, rewards and sanctions approved by a second person, the officer's own comment, the
savings method's history, and bad input refused with the field named."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from huduma.accounts.models import Role, User
from huduma.core.errors import DomainError, Forbidden
from huduma.core.models import AuditEntry
from huduma.notify.models import Message
from huduma.performance import services
from huduma.performance.models import (
    Appraisal,
    CountyContact,
    DailyReport,
    Recognition,
    SavingsMethod,
)
from huduma.performance.tasks import performance_daily_reports_task
from tests.conftest import sign_in_verified
from tests.performance_rows import DAY, at, ensure_method, ticket

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def method(db):
    return ensure_method()


@pytest.fixture
def day(world, clock):
    world.bob.email = "bob@huduma.example"
    world.bob.save()
    CountyContact.objects.create(county=world.gpo.county, email="county@nairobi.example")
    ticket(
        world.gpo,
        world.id_dup,
        waiting="09:00",
        called="09:05",
        started="09:05",
        finished="09:15",
        officer=world.alice,
        counter=world.counters[("gpo-nairobi", 1)],
    )
    return world


def test_daily_report_is_made_at_closing_once_and_emailed(day, clock):
    clock.set(at(DAY, "16:59"))
    services.daily_reports_due()  # GPO closes at 17:00 on a Tuesday (Monday's are made)
    assert not DailyReport.objects.filter(day=DAY).exists()
    clock.set(at(DAY, "17:00"))
    performance_daily_reports_task.call_local()
    report = DailyReport.objects.get(centre=day.gpo, day=DAY)
    assert report.figures["served"]["totals"]["today"] == 1
    # Kisumu closed too (same hours), but has no manager with an email and no county contact.
    assert DailyReport.objects.filter(day=DAY).count() == 2
    mails = Message.objects.filter(
        channel="email", template="daily_report", subject__contains="2026-11-24"
    )
    assert sorted(mails.values_list("to", flat=True)) == [
        "bob@huduma.example",
        "county@nairobi.example",
    ]
    mail = mails.first()
    assert "Huduma Centre GPO" in mail.subject and "2026-11-24" in mail.subject
    assert "Citizens served: 1" in mail.body
    assert "/staff/centres/gpo-nairobi/daily-report.pdf?day=2026-11-24" in mail.body
    # A second run (another worker, a rerun after a crash) makes nothing and sends nothing.
    clock.set(at(DAY, "17:15"))
    assert services.daily_reports_due() == 0
    assert mails.count() == 2
    _report, made = services.daily_report_make(centre=day.gpo, day=DAY)
    assert not made
    assert AuditEntry.objects.filter(action="performance.daily_report_made").count() == 4


def test_one_report_per_centre_and_day_in_the_database(day, clock):
    DailyReport.objects.create(centre=day.gpo, day=DAY, made_at=clock.current)
    with pytest.raises(IntegrityError), transaction.atomic():
        DailyReport.objects.create(centre=day.gpo, day=DAY, made_at=clock.current)


def test_a_worker_down_at_closing_makes_yesterdays_report_next_morning(day, clock):
    clock.set(at(DAY + dt.timedelta(days=1), "07:00"))
    assert services.daily_reports_due() == 2  # both centres' Tuesday reports
    assert DailyReport.objects.filter(day=DAY).count() == 2


def test_a_closed_day_has_no_report(day, clock):
    sunday = dt.date(2026, 11, 29)
    clock.set(at(sunday, "20:00"))
    services.daily_reports_due()
    assert not DailyReport.objects.filter(day=sunday).exists()


@pytest.fixture
def second_manager(world):
    return User.objects.create_user(
        username="betty",
        password="pw",
        role=Role.CENTRE_MANAGER,
        centre=world.gpo,
        first_name="Betty",
    )


def test_reward_needs_a_second_person(world, second_manager, clock):
    row = services.recognition_propose(
        officer=world.alice,
        kind="reward",
        what="Letter of commendation",
        reason="Fastest ID desk this month",
        by=world.bob,
    )
    with pytest.raises(services.SameOfficer):
        services.recognition_decide(recognition_id=row.pk, approve=True, by=world.bob)
    # The database refuses it as well, whatever the code does.
    with pytest.raises(IntegrityError), transaction.atomic():
        Recognition.objects.filter(pk=row.pk).update(
            status="approved", decided_by=world.bob, decided_at=clock.current
        )
    row = services.recognition_decide(recognition_id=row.pk, approve=True, by=second_manager)
    assert row.status == "approved" and row.decided_by == second_manager
    with pytest.raises(services.NotPending):
        services.recognition_decide(recognition_id=row.pk, approve=False, note="no", by=world.sam)
    actions = list(
        AuditEntry.objects.filter(
            object_id=str(row.pk), object_type="performance.recognition"
        ).values_list("action", flat=True)
    )
    assert actions == ["performance.reward_proposed", "performance.reward_approved"]


def test_a_sanction_refused_needs_a_note_and_another_centre_cannot_decide(world, clock):
    kim = User.objects.create_user(
        username="kim", password="pw", role=Role.CENTRE_MANAGER, centre=world.kisumu
    )
    row = services.recognition_propose(
        officer=world.alice,
        kind="sanction",
        what="Warning letter",
        reason="Late three times",
        by=world.bob,
    )
    with pytest.raises(Exception) as refused:
        services.recognition_decide(recognition_id=row.pk, approve=True, by=kim)
    assert "manage" in str(refused.value)
    with pytest.raises(DomainError) as exc:
        services.recognition_decide(recognition_id=row.pk, approve=False, by=world.sam)
    assert exc.value.field == "decision_note"
    row = services.recognition_decide(
        recognition_id=row.pk, approve=False, note="Lateness was the bus strike", by=world.sam
    )
    assert row.status == "refused"


def test_nobody_rewards_themselves(world):
    with pytest.raises(Exception):  # noqa: B017 - PermissionDenied from the permission check
        services.recognition_propose(
            officer=world.bob, kind="reward", what="Bonus", reason="Me", by=world.bob
        )


def test_only_the_officer_comments_on_their_appraisal(world, clock):
    a = services.appraisal_record(
        officer=world.alice,
        first_day=dt.date(2026, 10, 1),
        last_day=dt.date(2026, 10, 31),
        rating=4,
        comment="Steady work.",
        by=world.bob,
    )
    assert a.figures["served"] == 0
    with pytest.raises(Forbidden):
        services.appraisal_comment(appraisal=a, comment="Great!", by=world.bob)
    a = services.appraisal_comment(appraisal=a, comment="I ask for ID training.", by=world.alice)
    assert a.officer_comment == "I ask for ID training."
    with pytest.raises(services.AlreadyAppraised):
        services.appraisal_record(
            officer=world.alice,
            first_day=dt.date(2026, 10, 1),
            last_day=dt.date(2026, 10, 31),
            rating=3,
            comment="Again",
            by=world.sam,
        )


@pytest.mark.parametrize(
    ("post", "field"),
    [
        ({"rating": "9", "comment": "x"}, "rating"),
        ({"rating": "4", "comment": "   "}, "comment"),
        ({"rating": "4", "comment": "x", "last_day": "2099-01-31"}, "last_day"),
        ({"rating": "4", "comment": "x", "first_day": "31/10/2026"}, "first_day"),
    ],
)
def test_bad_appraisal_is_refused_with_the_field_named(client, world, clock, post, field):
    sign_in_verified(client, world.bob)
    data = {"first_day": "2026-10-01", "last_day": "2026-10-31", **post}
    response = client.post(reverse("performance:appraise", args=[world.alice.pk]), data)
    assert response.status_code == 400
    assert f'href="#{field}"' in response.content.decode()
    assert not Appraisal.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("trip_cost_kes", "-5"),
        ("hour_value_kes", "abc"),
        ("bribe_share_pct", "120"),
        ("hours_saved_per_service", "NaN"),
        ("source", ""),
    ],
)
def test_bad_savings_input_is_refused_with_the_field_named(client, world, clock, field, value):
    sign_in_verified(client, world.sam)
    before = SavingsMethod.objects.count()
    data = {
        "trip_cost_kes": "400",
        "hour_value_kes": "200",
        "hours_saved_per_service": "4.5",
        "bribe_kes": "1000",
        "bribe_share_pct": "10",
        "source": "Survey",
        field: value,
    }
    response = client.post(reverse("performance:savings_method"), data)
    assert response.status_code == 400
    assert f'href="#{field}"' in response.content.decode()
    assert SavingsMethod.objects.count() == before


def test_savings_method_keeps_its_history_and_is_audited(client, world, clock):
    sign_in_verified(client, world.sam)
    first = SavingsMethod.objects.get()  # the one in force (see the `method` fixture)
    client.post(
        reverse("performance:savings_method"),
        {
            "trip_cost_kes": "400",
            "hour_value_kes": "200",
            "hours_saved_per_service": "4.5",
            "bribe_kes": "1,500",
            "bribe_share_pct": "12.5",
            "source": "Citizen survey 2026",
        },
    )
    current = SavingsMethod.objects.order_by("-created_at", "-id").first()
    assert current.pk != first.pk and current.bribe_kes == Decimal("1500.00")
    assert SavingsMethod.objects.count() == 2
    entry = AuditEntry.objects.get(action="performance.savings_method_set")
    assert entry.before["trip_cost_kes"] == "300.00" and entry.after["trip_cost_kes"] == "400.00"
    page = client.get(reverse("performance:savings")).content.decode()
    assert "Citizen survey 2026" in page and "KES 1,500.00" in page


def test_standard_target_out_of_range_is_refused(client, world, clock):
    sign_in_verified(client, world.sam)
    url = reverse("performance:standard_target", args=[world.id_dup.pk])
    response = client.post(url, {"kind": "wait", "target_pct": "150"})
    assert response.status_code == 400
    assert f'href="#target-{world.id_dup.pk}-wait"' in response.content.decode()
    assert client.post(url, {"kind": "wait", "target_pct": "85"}).status_code == 302
    assert AuditEntry.objects.filter(action="performance.standard_target_set").count() == 1


def test_unknown_quarter_is_a_400(client, world):
    sign_in_verified(client, world.sam)
    assert client.get(reverse("performance:evaluation_pdf", args=["2026-Q9"])).status_code == 400


def test_pages_in_swahili(client, world, clock):
    client.cookies["django_language"] = "sw"
    page = client.get(reverse("performance:savings")).content.decode()
    assert "Huduma inavyowaokolea wananchi" in page and "Safari zilizoepukwa" in page
    sign_in_verified(client, world.bob)
    client.cookies["django_language"] = "sw"
    report = client.get(reverse("performance:daily_report", args=["gpo-nairobi"]))
    assert "Ripoti ya siku" in report.content.decode()
    assert "Madirisha yaliyokaa bure watu wakisubiri" in report.content.decode()


def test_the_public_savings_page_refuses_more_than_a_year(client, world, clock):
    response = client.get(reverse("performance:savings") + "?since=2020-01-01&until=2026-11-24")
    assert response.status_code == 400
    assert "Choose a period of a year at most." in response.content.decode()
    assert 'href="#since"' in response.content.decode()
