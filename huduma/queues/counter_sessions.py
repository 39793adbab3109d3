"""Counter sessions and skills: an officer signs in to a counter (or the Centre Manager signs
them in), pauses and closes it; what a counter and an officer may serve, and the guards a higher
app registers for who may be given a service."""

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from huduma.accounts.models import Role
from huduma.catalogue.models import Service
from huduma.core import audit, clock
from huduma.places.models import Counter
from huduma.queues import reference
from huduma.queues.errors import (
    AlreadyServes,
    CounterBusy,
    CounterNotOpen,
    NotYourTicket,
    OtherCentre,
    ServiceNotOffered,
    TicketStateError,
)
from huduma.queues.issuing import services_offered
from huduma.queues.models import CounterSession, DaySkill, OfficerSkill, Ticket
from huduma.queues.queueing import Status

# Who may be signed in to a counter (by themselves, or by their Centre Manager).
SERVING_ROLES = (Role.COUNTER_OFFICER, Role.CENTRE_MANAGER)


# Checks a higher app (staffing: training records) registers at start-up; queues imports no
# such app. Each is called as fn(officer=, service_ids=, day=) and raises errors.NotQualified
# when the officer may not serve one of the services. Called wherever an officer is given a
# service: signing in to a counter (by themselves or by the manager), a skill for one day, and
# a lasting counter skill added while someone is signed in (the admin, see counter_skill_check).
_skill_guards: list = []


def register_skill_guard(fn) -> None:
    if fn not in _skill_guards:
        _skill_guards.append(fn)


def skills_guarded(*, officer, service_ids, day: dt.date) -> None:
    for guard in _skill_guards:
        guard(officer=officer, service_ids=frozenset(service_ids), day=day)


# Which of an officer's skills are still in their learning period (the first weeks after the
# training, when they serve it slower): a higher app (staffing) registers a reader at start-up,
# fn(officer_id=, day=) -> service ids. Dispatch holds learners back (dispatch.held_back).
_learning_readers: list = []


def register_learning_skills(fn) -> None:
    if fn not in _learning_readers:
        _learning_readers.append(fn)


def learning_skills(*, officer_id: int, day: dt.date) -> frozenset:
    found: set = set()
    for read in _learning_readers:
        found |= read(officer_id=officer_id, day=day)
    return frozenset(found)


def counter_skill_check(*, counter: Counter, service: Service) -> None:
    """A lasting skill is about to be given to `counter`: the officer signed in there now must
    be allowed to serve it (whoever signs in later is checked at sign-in)."""
    session = live_session(counter)
    if session is not None:
        skills_guarded(officer=session.officer, service_ids={service.pk}, day=clock.local_date())


def live_session(counter: Counter) -> CounterSession | None:
    return (
        CounterSession.objects.filter(counter=counter)
        .exclude(status=CounterSession.Status.CLOSED)
        .select_related("officer")
        .first()
    )


def counter_open(*, counter: Counter, officer) -> CounterSession:
    """Sign an officer in to a counter. Re-opening one's own counter is a no-op."""
    if officer.centre_id != counter.centre_id:
        raise OtherCentre(_("You work at another centre."), field="counter")
    if not counter.is_active:
        raise CounterNotOpen(_("This counter is not in use."), field="counter")
    skills_guarded(officer=officer, service_ids=counter_skills(counter), day=clock.local_date())
    with transaction.atomic():
        current = live_session(counter)
        if current is not None:
            if current.officer_id != officer.pk:
                raise CounterBusy(
                    _("%(name)s is signed in to this counter.") % {"name": current.officer},
                    field="counter",
                )
            if current.status == CounterSession.Status.PAUSED:
                current.status = CounterSession.Status.OPEN
                current.save(update_fields=["status"])
            return current
        elsewhere = (
            CounterSession.objects.filter(officer=officer)
            .exclude(status=CounterSession.Status.CLOSED)
            .first()
        )
        if elsewhere is not None and elsewhere.counter_id == counter.pk:
            return elsewhere  # this officer's other request (a double click) opened it just now
        if elsewhere is not None:
            raise CounterBusy(
                _("You are still signed in to %(counter)s; close it first.")
                % {"counter": elsewhere.counter},
                field="counter",
            )
        try:
            with transaction.atomic():
                return CounterSession.objects.create(
                    counter=counter, officer=officer, opened_at=clock.now()
                )
        except IntegrityError as exc:
            current = live_session(counter)
            if current is not None and current.officer_id == officer.pk:
                return current  # this officer's other request (a double click) opened it
            raise CounterBusy(
                _("Someone signed in to this counter just now."), field="counter"
            ) from exc


def _person(user) -> str:
    return user.get_full_name() or user.get_username()


def officer_may_serve(officer, service: Service) -> bool:
    """An officer seconded by an MDA serves that MDA's services; one of Huduma Kenya's own
    (no MDA) serves any. A Centre Manager is not offered: they open their own counter."""
    return officer.mda_id is None or officer.mda_id == service.mda_id


def counter_open_for(
    *, counter: Counter, officer, actor, service: Service | None = None
) -> CounterSession:
    """The Centre Manager signs an officer of the centre in to a counter, to serve a queue
    nobody is serving (`service`, when given, must be one the counter serves today). The same
    rules as the officer's own sign-in hold (one live session per counter and per officer, in
    the database). Audited; a repeat answers with the session it opened and logs nothing."""
    if actor.centre_id != counter.centre_id:
        raise OtherCentre(_("This counter is in another centre."), field="counter")
    if not counter.is_active:
        raise CounterNotOpen(_("This counter is not in use."), field="counter")
    if (
        officer.centre_id != counter.centre_id
        or officer.role not in SERVING_ROLES
        or not officer.is_active
    ):
        raise OtherCentre(
            _("%(name)s does not serve at the counters of this centre.")
            % {"name": _person(officer)},
            field="officer",
        )
    if service is not None and service.pk not in counter_skills(counter):
        raise ServiceNotOffered(
            _("Counter %(number)s does not serve %(service)s.")
            % {"number": counter.number, "service": service.name},
            field="counter",
        )
    # Only someone who may serve what the counter is opened for (once, this opened NHIF's
    # counter for an officer of another MDA without a word).
    serves = (
        [service]
        if service is not None
        else list(Service.objects.filter(pk__in=counter_skills(counter)).select_related("mda"))
    )
    if serves and not any(officer_may_serve(officer, s) for s in serves):
        raise ServiceNotOffered(
            _(
                "%(name)s is an officer of %(mda)s and may not serve %(service)s: choose an officer of %(owner)s."
            )
            % {
                "name": _person(officer),
                "mda": officer.mda,
                "service": serves[0].name,
                "owner": serves[0].mda,
            },
            field="officer",
        )
    with transaction.atomic():
        current = live_session(counter)
        if current is not None and current.officer_id == officer.pk:
            if current.status == CounterSession.Status.OPEN:
                return current  # a repeated request: already open
        elif current is not None:
            raise CounterBusy(
                _("%(name)s is signed in to counter %(number)s.")
                % {"name": _person(current.officer), "number": counter.number},
                field="counter",
            )
        elsewhere = (
            CounterSession.objects.filter(officer=officer)
            .exclude(status=CounterSession.Status.CLOSED)
            .exclude(counter=counter)
            .select_related("counter")
            .first()
        )
        if elsewhere is not None:
            raise CounterBusy(
                _("%(name)s is signed in to counter %(number)s; they must close it first.")
                % {"name": _person(officer), "number": elsewhere.counter.number},
                field="officer",
            )
        session = counter_open(counter=counter, officer=officer)
        audit.record(
            action="queues.counter_opened_for",
            instance=session,
            actor=actor,
            # Numbers and codes people read, under names that are not the model's id fields.
            after={
                "counter_number": counter.number,
                "officer": officer.get_username(),
                "service": service.code if service is not None else None,
            },
        )
    return session


def counter_add_skill_today(
    *, counter: Counter, service: Service, actor, now: dt.datetime | None = None
) -> DaySkill:
    """Let an open counter serve `service` until the end of today (Nairobi time), to cover a
    queue nobody is serving. Dispatch reads it with the counter's lasting skills
    (reference.counter_skills); tomorrow it has lapsed. Audited; a repeat changes nothing."""
    now = now or clock.now()
    day = clock.local_date(now)
    if actor.centre_id != counter.centre_id or not counter.is_active:
        raise OtherCentre(_("This counter is in another centre."), field="counter")
    services_offered(counter.centre, [service])
    session = live_session(counter)
    if session is None or session.status != CounterSession.Status.OPEN:
        raise CounterNotOpen(
            _("Counter %(number)s is not open; open it for an officer instead.")
            % {"number": counter.number},
            field="counter",
        )
    existing = DaySkill.objects.filter(counter=counter, service=service, day=day).first()
    if existing is not None:
        return existing  # a repeated request
    skills_guarded(officer=session.officer, service_ids={service.pk}, day=day)
    if service.pk in counter_skills(counter, now):
        raise AlreadyServes(
            _("Counter %(number)s already serves %(service)s.")
            % {"number": counter.number, "service": service.name},
            field="counter",
        )
    with transaction.atomic():
        try:
            with transaction.atomic():
                skill = DaySkill.objects.create(
                    counter=counter, service=service, day=day, added_by=actor, added_at=now
                )
        except IntegrityError:
            # Another request (a double click) added it just now.
            return DaySkill.objects.get(counter=counter, service=service, day=day)
        audit.record(
            action="queues.skill_added_for_day",
            instance=skill,
            actor=actor,
            after={"counter_number": counter.number, "service": service.code, "day": day},
        )
    return skill


def own_session(counter: Counter, officer) -> CounterSession:
    session = live_session(counter)
    if session is None:
        raise CounterNotOpen(_("Open the counter first."), field="counter")
    if session.officer_id != officer.pk:
        raise NotYourTicket(
            _("%(name)s is signed in to this counter.") % {"name": session.officer},
            field="counter",
        )
    return session


def counter_pause(*, counter: Counter, officer) -> CounterSession:
    session = own_session(counter, officer)
    session.status = CounterSession.Status.PAUSED
    session.save(update_fields=["status"])
    return session


def counter_close(*, counter: Counter, officer) -> CounterSession:
    session = own_session(counter, officer)
    if current_ticket(counter) is not None:
        raise TicketStateError(
            _("Finish, transfer or mark the current ticket before closing."), field="counter"
        )
    session.status = CounterSession.Status.CLOSED
    session.closed_at = clock.now()
    session.save(update_fields=["status", "closed_at"])
    return session


def current_ticket(counter: Counter) -> Ticket | None:
    return (
        Ticket.objects.filter(counter=counter, status__in=[Status.CALLED, Status.SERVING])
        .select_related("visit", "service")
        .first()
    )


def counter_skills(counter: Counter, now: dt.datetime | None = None) -> frozenset[int]:
    """The services the counter serves today: its lasting skills and today's moved ones."""
    return reference.counter_skills(counter.pk, clock.local_date(now))


def skills_at_counter(counter: Counter, officer, now: dt.datetime | None = None) -> frozenset:
    """What dispatch offers `officer` at `counter` today: the counter's skills and the
    officer's own second skills (cross-training; queues.OfficerSkill)."""
    return counter_skills(counter, now) | reference.officer_skills(officer.pk)


def officer_skill_grant(*, officer, service: Service, actor) -> OfficerSkill:
    """Give an officer a second skill they carry to any counter of their centre. The training
    rule (registered by staffing) must pass; audited; a repeat changes nothing."""
    if officer.centre_id is None or (
        actor is not None and actor.centre_id not in (None, officer.centre_id)
    ):
        raise OtherCentre(_("This officer works at another centre."), field="officer")
    services_offered(officer.centre, [service])
    existing = OfficerSkill.objects.filter(officer=officer, service=service).first()
    if existing is not None:
        return existing
    skills_guarded(officer=officer, service_ids={service.pk}, day=clock.local_date())
    with transaction.atomic():
        try:
            with transaction.atomic():
                skill = OfficerSkill.objects.create(
                    officer=officer, service=service, granted_by=actor, granted_at=clock.now()
                )
        except IntegrityError:
            return OfficerSkill.objects.get(officer=officer, service=service)
        audit.record(
            action="queues.officer_skill_granted",
            instance=skill,
            actor=actor,
            after={"officer": officer.get_username(), "service": service.code},
        )
    return skill
