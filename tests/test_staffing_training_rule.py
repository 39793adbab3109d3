"""The training rule at every way a skill can be given: an officer signing in to a counter,
the manager opening a counter for an officer, a skill for one day, a lasting counter skill in
the admin; and the supervised-practice way round it, opened on purpose."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from huduma.accounts.models import Role, User
from huduma.catalogue.models import CounterService
from huduma.core.errors import Forbidden
from huduma.queues import services as queues
from huduma.queues.errors import NotQualified
from huduma.queues.models import CounterSession, DaySkill
from huduma.staffing import services
from huduma.staffing.models import Course
from tests.conftest import sign_in_verified

TODAY = dt.date(2026, 11, 24)


def make_course(code, kind=Course.Kind.SERVICE, service=None, months=12):
    return Course.objects.create(
        code=code,
        kind=kind,
        service=service,
        name_en=code,
        name_sw=code,
        hours=Decimal(8),
        valid_months=months,
    )


def train(world, officer, course, result="passed", ends=dt.date(2026, 11, 1)):
    session = services.session_create(
        course=course, centre=world.gpo, starts_on=ends, ends_on=ends, actor=world.bob
    )
    return services.attendance_record(
        session=session, officer=officer, result=result, score=70, actor=world.bob
    )


@pytest.fixture
def gpo(world, clock):
    """NHIF's officer dave at GPO; NHIF registration and NRB replacement have skill courses."""
    world.dave = User.objects.create_user(
        username="dave", role=Role.COUNTER_OFFICER, centre=world.gpo, mda=world.nhif
    )
    world.nhif_course = make_course("nhif-reg", service=world.nhif_reg)
    world.nrb_course = make_course("nrb-dup", service=world.id_dup)
    world.c1 = world.counters[("gpo-nairobi", 1)]  # NRB replacement
    world.c2 = world.counters[("gpo-nairobi", 2)]  # NHIF registration
    world.c3 = world.counters[("gpo-nairobi", 3)]  # KRA PIN and NHIF registration
    return world


def test_signing_in_needs_the_training_of_every_service_of_the_counter(gpo):
    with pytest.raises(NotQualified, match="no training record for NHIF registration"):
        queues.counter_open(counter=gpo.c2, officer=gpo.dave)
    assert not CounterSession.objects.filter(officer=gpo.dave).exists()
    train(gpo, gpo.dave, gpo.nhif_course)
    assert queues.counter_open(counter=gpo.c2, officer=gpo.dave).status == "open"


def test_a_failed_or_expired_course_is_no_record(gpo, clock):
    train(gpo, gpo.dave, gpo.nhif_course, result="failed")
    with pytest.raises(NotQualified):
        queues.counter_open(counter=gpo.c2, officer=gpo.dave)
    train(gpo, gpo.dave, gpo.nhif_course, ends=dt.date(2025, 10, 1))  # valid to 2026-10-01
    with pytest.raises(NotQualified):
        queues.counter_open(counter=gpo.c2, officer=gpo.dave)
    clock.set(dt.datetime(2025, 11, 3, 9, 0, tzinfo=ZoneInfo("Africa/Nairobi")))
    assert queues.counter_open(counter=gpo.c2, officer=gpo.dave)  # still valid then


def test_a_service_without_a_course_needs_no_record_yet(gpo):
    # Counter 3 serves KRA PIN (no course) and NHIF registration (a course).
    train(gpo, gpo.dave, gpo.nhif_course)
    assert queues.counter_open(counter=gpo.c3, officer=gpo.dave)


def test_the_manager_cannot_open_a_counter_for_an_untrained_officer(gpo):
    with pytest.raises(NotQualified):
        queues.counter_open_for(counter=gpo.c2, officer=gpo.dave, actor=gpo.bob)
    assert not CounterSession.objects.filter(officer=gpo.dave).exists()


def test_a_skill_for_one_day_needs_the_record_of_the_officer_at_the_counter(gpo):
    train(gpo, gpo.dave, gpo.nhif_course)
    queues.counter_open(counter=gpo.c2, officer=gpo.dave)
    with pytest.raises(NotQualified, match="Replacement of a lost ID card"):
        queues.counter_add_skill_today(counter=gpo.c2, service=gpo.id_dup, actor=gpo.bob)
    assert not DaySkill.objects.exists()
    services.practice_open(
        officer=gpo.dave,
        service=gpo.id_dup,
        starts_on=TODAY,
        ends_on=TODAY + dt.timedelta(days=6),
        supervisor="Alice",
        reason="NRB queue over an hour",
        actor=gpo.bob,
    )
    assert queues.counter_add_skill_today(counter=gpo.c2, service=gpo.id_dup, actor=gpo.bob)


def test_supervised_practice_is_opened_only_by_the_manager_and_briefly(gpo):
    kwargs = {
        "officer": gpo.dave,
        "service": gpo.nhif_reg,
        "starts_on": TODAY,
        "supervisor": "Alice",
        "reason": "New officer",
    }
    with pytest.raises(Forbidden):
        services.practice_open(**kwargs, ends_on=TODAY, actor=gpo.alice)
    with pytest.raises(Exception, match="at most 28 days") as exc:
        services.practice_open(**kwargs, ends_on=TODAY + dt.timedelta(days=40), actor=gpo.bob)
    assert exc.value.field == "ends_on"
    services.practice_open(**kwargs, ends_on=TODAY + dt.timedelta(days=2), actor=gpo.bob)
    assert queues.counter_open(counter=gpo.c2, officer=gpo.dave)


def test_practice_ends_with_its_period(gpo, clock):
    services.practice_open(
        officer=gpo.dave,
        service=gpo.nhif_reg,
        starts_on=TODAY,
        ends_on=TODAY,
        supervisor="Alice",
        reason="Cover",
        actor=gpo.bob,
    )
    clock.advance(days=1)
    with pytest.raises(NotQualified):
        queues.counter_open(counter=gpo.c2, officer=gpo.dave)


def test_customer_service_excellence_is_needed_by_everyone_once_the_course_exists(gpo):
    train(gpo, gpo.dave, gpo.nhif_course)
    cse = make_course("huduma-dna", kind=Course.Kind.CSE, months=24)
    with pytest.raises(NotQualified, match="Customer Service Excellence"):
        queues.counter_open(counter=gpo.c2, officer=gpo.dave)
    train(gpo, gpo.dave, cse)
    assert queues.counter_open(counter=gpo.c2, officer=gpo.dave)


def test_the_admin_refuses_a_counter_skill_the_signed_in_officer_lacks(gpo, client):
    train(gpo, gpo.dave, gpo.nhif_course)
    queues.counter_open(counter=gpo.c2, officer=gpo.dave)
    sign_in_verified(client, gpo.sam)
    url = "/admin/catalogue/counterservice/add/"
    response = client.post(url, {"counter": gpo.c2.pk, "service": gpo.id_dup.pk})
    assert response.status_code == 200
    assert "no training record for Replacement of a lost ID card" in response.content.decode()
    assert not CounterService.objects.filter(counter=gpo.c2, service=gpo.id_dup).exists()
    # A counter nobody is signed in to takes the skill; whoever signs in there is checked then.
    response = client.post(url, {"counter": gpo.c1.pk, "service": gpo.nhif_reg.pk})
    assert response.status_code == 302
    assert CounterService.objects.filter(counter=gpo.c1, service=gpo.nhif_reg).exists()


def test_the_api_sign_in_answers_4xx_naming_the_field(gpo, client):
    client.force_login(gpo.dave)
    response = client.post(f"/api/queues/counters/{gpo.c2.pk}/open")
    assert response.status_code == 400
    assert response.json()["code"] == "not_qualified"


def test_the_refusal_is_in_swahili_for_a_swahili_reader(gpo):
    from django.utils import translation

    with translation.override("sw"), pytest.raises(NotQualified, match="hana rekodi ya mafunzo"):
        queues.counter_open(counter=gpo.c2, officer=gpo.dave)


def test_a_manager_records_national_sessions_only_for_their_own_officers(gpo):
    national = services.session_create(
        course=gpo.nhif_course,
        centre=None,
        starts_on=dt.date(2026, 11, 2),
        ends_on=dt.date(2026, 11, 2),
        actor=gpo.sam,
    )
    with pytest.raises(Forbidden):
        services.attendance_record(
            session=national, officer=gpo.charlie, result="passed", actor=gpo.bob
        )
    row = services.attendance_record(
        session=national, officer=gpo.dave, result="passed", actor=gpo.bob
    )
    assert row.valid_until == dt.date(2027, 11, 2)
    # The Secretariat records anyone's.
    assert (
        services.attendance_record(
            session=national, officer=gpo.charlie, result="failed", score=30, actor=gpo.sam
        ).valid_until
        is None
    )


def test_a_pass_cannot_be_recorded_before_the_session_ends(gpo):
    future = services.session_create(
        course=gpo.nhif_course,
        centre=gpo.gpo,
        starts_on=dt.date(2026, 12, 1),
        ends_on=dt.date(2026, 12, 2),
        actor=gpo.bob,
    )
    with pytest.raises(Exception, match="once the session has ended") as exc:
        services.attendance_record(session=future, officer=gpo.dave, result="passed", actor=gpo.bob)
    assert exc.value.field == "result"


@pytest.mark.parametrize(
    ("post", "field"),
    [
        ({"action": "session", "course": "x", "starts_on": "2026-11-02"}, "course"),
        ({"action": "session", "course": "{c}", "starts_on": "02/11/2026"}, "starts_on"),
        (
            {
                "action": "session",
                "course": "{c}",
                "starts_on": "2026-11-03",
                "ends_on": "2026-11-02",
            },
            "ends_on",
        ),
        ({"action": "result", "session": "99999999999999999999", "officer": "1"}, "session"),
        (
            {
                "action": "result",
                "session": "{s}",
                "officer": "{o}",
                "result": "passed",
                "score": "1e3",
            },
            "score",
        ),
        ({"action": "result", "session": "{s}", "officer": "{o}", "result": "top"}, "result"),
        (
            {
                "action": "practice",
                "officer": "{o}",
                "service": "{v}",
                "starts_on": "2026-11-24",
                "ends_on": "2027-02-01",
                "supervisor": "A",
                "reason": "B",
            },
            "p-ends_on",
        ),
        ({"action": "nonsense"}, "action"),
    ],
)
def test_the_training_page_names_the_field_at_fault(gpo, client, post, field):
    session = services.session_create(
        course=gpo.nhif_course,
        centre=gpo.gpo,
        starts_on=dt.date(2026, 11, 2),
        ends_on=dt.date(2026, 11, 2),
        actor=gpo.bob,
    )
    ids = {"{c}": gpo.nhif_course.pk, "{s}": session.pk, "{o}": gpo.dave.pk, "{v}": gpo.id_dup.pk}
    data = {k: str(ids.get(v, v)) for k, v in post.items()}
    client.force_login(gpo.bob)
    response = client.post(f"/staff/centres/{gpo.gpo.code}/training/", data)
    assert response.status_code == 400
    assert f'href="#{field}"' in response.content.decode()
    assert not session.attendees.exists()
