"""Queue verbs: issue a visit, open counters, call, recall, serve, transfer, add services.

Every verb is one transaction that writes the ticket rows and their events together; anything
a client may retry is idempotent. Call-next takes row locks with SKIP LOCKED on PostgreSQL so
two counters never get the same ticket; SQLite serialises writers (IMMEDIATE transactions).
"""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from huduma.accounts.models import Role
from huduma.catalogue.models import Service
from huduma.catalogue.selectors import services_in_needed_order
from huduma.core import audit, clock, idempotency
from huduma.core.errors import NotFound
from huduma.core.phones import normalise_phone
from huduma.notify.services import enqueue_safely
from huduma.places.models import Centre, Counter
from huduma.queues import dispatch, notifications, reference, sql, tasks
from huduma.queues.errors import (
    AlreadyServes,
    CounterBusy,
    CounterHoldsTicket,
    CounterNotOpen,
    IdempotencyMismatch,
    NoOpenCounter,
    NotYourTicket,
    OtherCentre,
    RequirementsNotConfirmed,
    ServiceNotOffered,
    TicketBeingServed,
    TicketStateError,
    TooManyVirtualTickets,
)
from huduma.queues.models import (
    Appointment,
    CounterSession,
    DailyCounter,
    DaySkill,
    IssueChannel,
    OfficerSkill,
    Ticket,
    TicketEvent,
    Visit,
)
from huduma.queues.reference import HEAVY_SERVICE_FIELDS

# Who may be signed in to a counter (by themselves, or by their Centre Manager).
SERVING_ROLES = (Role.COUNTER_OFFICER, Role.CENTRE_MANAGER)
MAX_SERVICES_PER_VISIT = 5
MAX_VIRTUAL_TICKETS_PER_PHONE = 2
# A no-show may be marked this long after the ticket was called at the counter, counted from
# the call whatever the recalls: counting recalls refused it, with no word why, when two presses
# of Recall fell within RECALL_REPEAT_WINDOW of the call (they count once, as they should).
NO_SHOW_AFTER_CALL = dt.timedelta(seconds=60)
CANDIDATE_WINDOW = 30
APPOINTMENT_GRACE = dt.timedelta(minutes=15)
# A recall this soon after the last call or recall is the same press repeated (a double click,
# a retried request): it changes nothing. Nobody recalls a number the display showed 10 s ago.
RECALL_REPEAT_WINDOW = dt.timedelta(seconds=10)
# Idempotency keys: core.idempotency (1 to 80 visible ASCII characters; the column holds 80).
VIRTUAL_CHANNELS = (IssueChannel.WEB, IssueChannel.SMS, IssueChannel.USSD)

Status = Ticket.Status
Kind = TicketEvent.Kind


def policy() -> dispatch.Policy:
    return dispatch.Policy(wait_standard_s=settings.QMS_WAIT_STANDARD_MINUTES * 60)


def _event(ticket: Ticket, kind: str, *, at, actor=None, counter=None, **data) -> TicketEvent:
    return TicketEvent.objects.create(
        ticket=ticket,
        centre_id=ticket.centre_id,
        kind=kind,
        at=at,
        actor=actor if actor is not None and actor.is_authenticated else None,
        counter=counter,
        data=data,
    )


def _visit_appointment(visit: Visit) -> Appointment | None:
    try:
        return visit.appointment
    except Appointment.DoesNotExist:
        return None


def _dispatch_candidate(w: sql.WaitingTicket) -> dispatch.Candidate:
    """What dispatch weighs; an appointment counts only if checked in within the grace."""
    on_time = w.slot_start is not None and (
        w.arrived_at <= w.slot_start + APPOINTMENT_GRACE.total_seconds()
    )
    return dispatch.Candidate(
        ticket_id=w.id,
        service_id=w.service_id,
        arrived_at=w.arrived_at,
        priority=bool(w.priority),
        appointment_slot=w.slot_start if on_time else None,
        target_counter_id=w.target_counter_id,
    )


_READ = object()  # "read the visit's appointment": a visit being created passes its own


def _candidate(ticket: Ticket, visit: Visit, appointment=_READ) -> dispatch.Candidate:
    if appointment is _READ:
        appointment = _visit_appointment(visit)
    return _dispatch_candidate(
        sql.WaitingTicket(
            id=ticket.pk,
            service_id=ticket.service_id,
            target_counter_id=ticket.target_counter_id,
            arrived_at=visit.arrived_at.timestamp(),
            priority=visit.priority or "",
            slot_start=appointment.slot_start.timestamp() if appointment else None,
        )
    )


def _start_waiting(ticket: Ticket, visit: Visit, now, appointment=_READ) -> None:
    ticket.status = Status.WAITING
    ticket.waiting_since = now
    ticket.queue_key = dispatch.queue_key(_candidate(ticket, visit, appointment), policy())


# --- issuing -----------------------------------------------------------------------------


def services_offered(centre: Centre, services: Sequence[Service]) -> None:
    if not services:
        raise ServiceNotOffered(_("Choose at least one service."), field="services")
    if len(services) > MAX_SERVICES_PER_VISIT:
        raise ServiceNotOffered(
            _("One visit can have at most %(n)s services.") % {"n": MAX_SERVICES_PER_VISIT},
            field="services",
        )
    if len({s.pk for s in services}) != len(services):
        raise ServiceNotOffered(_("A service is listed twice."), field="services")
    offered = reference.offered_service_ids(centre.pk)
    missing = [s for s in services if s.pk not in offered]
    if missing:
        raise ServiceNotOffered(
            _("%(centre)s does not offer %(service)s (%(code)s).")
            % {"centre": centre.name, "service": missing[0].name, "code": missing[0].code},
            field="services",
        )


def idempotency_key_checked(key: str | None, *, field: str = "idempotency_key") -> str | None:
    """The one rule for an idempotency key (core.idempotency), applied by every page and
    endpoint that takes one: None when absent, else 1 to 80 visible ASCII characters."""
    return idempotency.key_checked(key, field=field)


def idempotency_scope(*, channel: str, actor, phone: str) -> str:
    """Whose key it is: a staff user's keys are theirs alone; an anonymous channel's belong to
    the channel and the phone. An appointment's key is its (unique) reference."""
    if channel == IssueChannel.APPOINTMENT:
        return "appointment"
    if actor is not None and actor.is_authenticated:
        return f"user:{actor.pk}"
    return f"{channel}:{phone}"


# The parts of a request a replayed key must repeat, in the order idempotency_request joins them.
_REQUEST_PARTS = ("services", "channel", "priority", "phone", "language")


def idempotency_request(*, services, channel, priority, phone, language) -> str:
    """What was asked, as stored beside the key, so a replay asking otherwise is refused."""
    ids = ",".join(str(s.pk) for s in services)
    return idempotency.signature(
        services=ids, channel=channel, priority=priority, phone=phone, language=language
    )


@dataclass(frozen=True)
class IssuedVisit:
    """What issuing answers: the visit, and what was just written with it, so that the answer
    (a page, the API, the ticket SMS) needs no query. `tickets` and `places_ahead` are None
    for a repeated request answered with the visit the first one made: read them."""

    visit: Visit
    tickets: tuple[Ticket, ...] | None = None
    places_ahead: int | None = None


def visit_issue(**request) -> Visit:
    """visit_issue_answer(...).visit: the visit alone, for callers that need no more."""
    return visit_issue_answer(**request).visit


def visit_issue_answer(
    *,
    centre: Centre,
    services: Sequence[Service],
    channel: str,
    requirements_confirmed: bool,
    priority: str = "",
    phone: str = "",
    language: str = "sw",
    idempotency_key: str | None = None,
    actor=None,
    appointment: Appointment | None = None,
    now: dt.datetime | None = None,
    near_front_sms: bool = False,
) -> IssuedVisit:
    """Issue one ticket number for a visit with one or more services, in the order given,
    except that a service another needs first queues before it (an ID card first).

    A virtual ticket's holder is texted when a few places from the front; a citizen already
    in the centre only if they asked (`near_front_sms`, and a phone).

    A request repeated with the same idempotency key (by the same user, or from the same
    anonymous channel and phone) gets the visit the first one made; the same key with a
    different request is refused. Virtual tickets are issued one at a time per phone, centre
    and day, so the per-phone limit holds however many arrive at once.

    Priority chosen at a kiosk is stored as requested, not applied: staff confirm it
    (visit_priority_confirm). Priority given by staff applies at once."""
    idempotency_key = idempotency_key_checked(idempotency_key)
    services = services_in_needed_order(services)
    if phone:
        phone = normalise_phone(phone)
    language = language if language in ("en", "sw") else "sw"
    scope = idempotency_scope(channel=channel, actor=actor, phone=phone)
    asked = idempotency_request(
        services=services, channel=channel, priority=priority, phone=phone, language=language
    )
    if centre.status != Centre.Status.OPEN:
        raise ServiceNotOffered(
            _("%(centre)s is not open.") % {"centre": centre.name}, field="centre"
        )
    services_offered(centre, services)
    needs_confirmation = channel != IssueChannel.SMS and any(s.needs_documents for s in services)
    if needs_confirmation and not requirements_confirmed:
        raise RequirementsNotConfirmed(
            _("Confirm that the citizen has every document on the checklist."),
            field="requirements_confirmed",
        )
    now = now or clock.now()
    virtual = channel in VIRTUAL_CHANNELS
    if virtual and not phone:
        raise RequirementsNotConfirmed(_("A virtual ticket needs a mobile number."), field="phone")
    create = partial(
        _create_visit,
        centre=centre,
        services=services,
        channel=channel,
        priority=priority,
        phone=phone,
        language=language,
        priority_requested=priority if channel == IssueChannel.KIOSK else "",
        idempotency_key=idempotency_key,
        idempotency_scope=scope,
        idempotency_request=asked,
        actor=actor,
        appointment=appointment,
        now=now,
        confirmed=requirements_confirmed,
        near_front_sms=bool(phone) and (virtual or near_front_sms),
    )
    try:
        if not phone:
            # Without a phone the insert itself finds a repeated key (unique per centre and
            # scope): the hot path makes no extra query, and no transaction on PostgreSQL.
            with sql.one_statement():
                issued = create()
        else:
            # The visit and its SMS are written together (the outbox: a worker only delivers).
            with transaction.atomic():
                if virtual:
                    # Counting a phone's live tickets and then inserting is only a limit if no
                    # other request for the same phone counts in between: hold a lock for
                    # (phone, centre, day) until this one commits. A retry (same key) is
                    # answered inside the lock, so the limit does not refuse it.
                    sql.lock_citizen(centre.pk, clock.local_date(now), phone)
                    if idempotency_key:
                        existing_id = sql.visit_with_key(centre.pk, scope, idempotency_key)
                        if existing_id is not None:
                            existing = Visit.objects.get(pk=existing_id)
                            return IssuedVisit(_same_request(existing, asked, services))
                    _virtual_tickets_allowed(centre, phone, now)
                issued = create()
                notifications.visit_issued_sms(issued=issued, services=services, now=now)
    except IntegrityError:
        if idempotency_key:  # the same request raced itself: answer with the winner
            existing_id = sql.visit_with_key(centre.pk, scope, idempotency_key)
            if existing_id is not None:
                existing = Visit.objects.get(pk=existing_id)
                return IssuedVisit(_same_request(existing, asked, services))
        raise
    return issued


def _virtual_tickets_allowed(centre: Centre, phone: str, now: dt.datetime) -> None:
    """One phone may hold only a few live virtual tickets at a centre, so nobody can reserve
    places in the queue for others (or for sale). Call it under sql.lock_citizen."""
    live = (
        Visit.objects.filter(
            centre=centre,
            phone=phone,
            service_day=clock.local_date(now),
            channel__in=VIRTUAL_CHANNELS,
            tickets__status__in=[*Ticket.ACTIVE, Status.PENDING],
        )
        .distinct()
        .count()
    )
    if live >= MAX_VIRTUAL_TICKETS_PER_PHONE:
        raise TooManyVirtualTickets(
            _("This number already holds %(n)s tickets in the queue today.") % {"n": live},
            field="phone",
        )


def _same_request(existing: Visit, asked: str, services: Sequence[Service]) -> Visit:
    """The visit a key made, if this request asks for the same thing; else a 409 naming
    what differs."""
    if existing.idempotency_request:
        idempotency.replay_check(existing.idempotency_request, asked, parts=_REQUEST_PARTS)
        return existing
    # A visit written before requests were stored: compare its services.
    original = list(existing.tickets.order_by("position").values_list("service_id", flat=True))
    if original[: len(services)] != [s.pk for s in services]:
        raise IdempotencyMismatch(
            _("This idempotency key was already used for a different request."),
            field="idempotency_key",
        )
    return existing


def _create_visit(
    *,
    centre,
    services,
    channel,
    priority,
    phone,
    language,
    priority_requested,
    idempotency_key,
    idempotency_scope,
    idempotency_request,
    actor,
    appointment,
    now,
    confirmed,
    near_front_sms,
) -> IssuedVisit:
    day = clock.local_date(now)
    # A field kit numbers every ticket with its outreach's own prefix, which no centre uses.
    prefix = settings.FIELD_TICKET_PREFIX or services[0].group or "A"
    visit = Visit(
        centre=centre,
        service_day=day,
        prefix=prefix,
        sequence=0,  # numbered as it is written
        number="",
        arrived_at=now,
        # A requested priority (from a kiosk) does not count until staff confirm it.
        priority="" if priority_requested else (priority or ""),
        priority_requested=priority_requested or "",
        channel=channel,
        phone=phone,
        language=language,
        requirements_confirmed_at=now if confirmed else None,
        near_front_sms=near_front_sms,
        idempotency_key=idempotency_key or None,
        idempotency_scope=idempotency_scope if idempotency_key else "",
        idempotency_request=idempotency_request if idempotency_key else "",
        issued_by=actor if actor is not None and actor.is_authenticated else None,
    )
    tickets = []
    for position, service in enumerate(services):
        ticket = Ticket(visit=visit, centre=centre, service=service, position=position)
        if position == 0:
            _start_waiting(ticket, visit, now, appointment)  # known here: no query
        tickets.append(ticket)
    events = [
        TicketEvent(
            ticket=t,
            centre=centre,
            kind=Kind.ISSUED,
            at=now,
            actor=visit.issued_by,
            data={"channel": channel},
        )
        for t in tickets
    ]
    events.append(TicketEvent(ticket=tickets[0], centre=centre, kind=Kind.WAITING, at=now))
    ahead = sql.create_visit(visit, tickets, events)
    return IssuedVisit(visit=visit, tickets=tuple(tickets), places_ahead=ahead)


# --- who may be given a skill ------------------------------------------------------------

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


def _call_candidates(*, counter: Counter, skills: frozenset, learning: frozenset, rules):
    """The front of this counter's queues for dispatch. A learner's own services and the
    services they are learning are read apart, so a long queue of the latter never pushes the
    former out of the window (dispatch must see that their own customers wait)."""
    groups = [skills - learning, skills & learning] if learning else [skills]
    return [
        _dispatch_candidate(w)
        for group in groups
        for w in sql.front_of_queues(
            centre_id=counter.centre_id,
            counter_id=counter.pk,
            service_ids=group,
            named_credit_s=rules.named_counter_credit_s,
            limit=CANDIDATE_WINDOW,
        )
    ]


def counter_skill_check(*, counter: Counter, service: Service) -> None:
    """A lasting skill is about to be given to `counter`: the officer signed in there now must
    be allowed to serve it (whoever signs in later is checked at sign-in)."""
    session = live_session(counter)
    if session is not None:
        skills_guarded(officer=session.officer, service_ids={service.pk}, day=clock.local_date())


# --- counters ----------------------------------------------------------------------------


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


def _own_session(counter: Counter, officer) -> CounterSession:
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
    session = _own_session(counter, officer)
    session.status = CounterSession.Status.PAUSED
    session.save(update_fields=["status"])
    return session


def counter_close(*, counter: Counter, officer) -> CounterSession:
    session = _own_session(counter, officer)
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


# --- calling and serving -------------------------------------------------------------------


def ticket_call_next(*, counter: Counter, officer, now: dt.datetime | None = None) -> Ticket | None:
    """Call the most urgent waiting ticket this counter can serve (see dispatch.py).

    Returns None when nobody is waiting for this counter's services. Safe to repeat: while
    the counter holds a ticket (called or being served), calling again answers with it.
    """
    now = now or clock.now()
    skills = skills_at_counter(counter, officer, now)
    learning = learning_skills(officer_id=officer.pk, day=clock.local_date(now)) & skills
    rules = policy()
    try:
        with sql.one_statement():
            ranked = dispatch.rank(
                _call_candidates(counter=counter, skills=skills, learning=learning, rules=rules),
                now=now.timestamp(),
                counter_id=counter.pk,
                skills=skills,
                policy=rules,
                learning=learning,
            )
            # Only if this officer has the counter open and free. Another counter may hold or
            # have taken a row: it is skipped, never waited for.
            ticket = sql.claim(
                ranked_ids=[c.ticket_id for c in ranked],
                counter_id=counter.pk,
                officer_id=officer.pk,
                now=now,
                sms=notifications.called_sms(counter=counter, now=now),
            )
            if ticket is not None:
                transaction.on_commit(partial(_after_call, counter.centre_id, ticket.called_sms_id))
    except IntegrityError:
        # The claim saw the counter free, but another request from it (a double click) claimed
        # a ticket meanwhile, and the index one_held_ticket_per_counter refused this one.
        held = _held_ticket(counter, officer)
        if held is None:
            raise
        return held
    if ticket is not None:
        return _as_held(ticket, counter)
    try:
        _may_call(counter, officer)  # raises if the counter could not call
    except CounterHoldsTicket:
        held = _held_ticket(counter, officer)
        if held is None:
            raise
        return held
    return None


def _held_ticket(counter: Counter, officer) -> Ticket | None:
    """The ticket this officer holds at this counter (called or being served), if any."""
    held = current_ticket(counter)
    if held is None or held.officer_id != officer.pk:
        return None
    held.counter = counter
    return held


def _may_call(counter: Counter, officer) -> None:
    """Raise the reason this officer cannot call at this counter now, if there is one.

    The ORM's account of the rule sql.claim applies in SQL; tests/test_rule_tables.py runs
    both on one table of cases."""
    state = sql.counter_state(counter.pk)
    if state is None or state.officer_id != officer.pk:
        _own_session(counter, officer)  # raises the precise error
    if state.status != CounterSession.Status.OPEN:
        raise CounterNotOpen(_("The counter is paused; resume it to call."), field="counter")
    if state.busy:
        raise CounterHoldsTicket(_("Finish the current ticket first."), field="counter")


def _as_held(ticket: Ticket, counter: Counter) -> Ticket:
    """Fill in what callers read of a ticket a counter holds, without more queries."""
    ticket.visit = Visit(pk=ticket.visit_id, centre_id=ticket.centre_id, number=ticket.visit_number)
    ticket.service = reference.service_by_id(ticket.service_id)
    ticket.counter = counter
    return ticket


def _after_call(centre_id: int, called_sms_id) -> None:
    # The called SMS is already a row; the task delivers it, then texts whoever is now near
    # the front. If the task is lost, the sweeps do both within about a minute.
    message_id = str(called_sms_id) if called_sms_id else None
    enqueue_safely(tasks.after_call_task, centre_id, message_id)


def _at_counter(ticket: Ticket, counter: Counter, officer, *allowed: str) -> Ticket:
    """Lock the ticket and check it is this counter's, in one of the allowed states (callers
    allow the state their own action leaves, to answer a repeat with the current state)."""
    locked = (
        Ticket.objects.select_for_update(of=("self",))
        .select_related("visit", "service", "counter")
        .defer(*(f"service__{name}" for name in HEAVY_SERVICE_FIELDS))
        .filter(pk=ticket.pk)
        .first()
    )
    if locked is None:
        raise NotFound(_("There is no such ticket."), field="ticket")
    if locked.centre_id != counter.centre_id:
        raise OtherCentre(_("This ticket belongs to another centre."), field="ticket")
    # The officer who called a ticket holds the counter's session until it is finished (a
    # counter cannot close with a ticket on it), so matching both is the session check.
    if locked.counter_id != counter.pk or locked.officer_id != officer.pk:
        raise NotYourTicket(_("This ticket is not at your counter."), field="ticket")
    if locked.status not in allowed:
        raise TicketStateError(
            _("Ticket %(number)s is %(status)s.")
            % {"number": locked.visit.number, "status": locked.get_status_display().lower()},
            field="ticket",
        )
    return locked


@transaction.atomic
def ticket_recall(*, ticket: Ticket, counter: Counter, officer) -> Ticket:
    """Call the ticket again. A repeat within RECALL_REPEAT_WINDOW changes nothing."""
    ticket = _at_counter(ticket, counter, officer, Status.CALLED)
    now = clock.now()
    if ticket.called_at is not None and now - ticket.called_at < RECALL_REPEAT_WINDOW:
        return ticket
    ticket.recalls += 1
    ticket.called_at = now
    ticket.save(update_fields=["recalls", "called_at"])
    _event(ticket, Kind.RECALLED, at=now, actor=officer, counter=counter, recalls=ticket.recalls)
    return ticket


def _move(
    ticket: Ticket, counter: Counter, officer, leaving: str, entering: str, stamp: str, kind: str
) -> tuple[Ticket, dt.datetime | None]:
    """One conditional UPDATE (with its event); if it matches nothing, the ORM path says why
    (and raises), or finds the move already made by this officer (a repeated request) and
    answers with the ticket as it is, and None for the time: nothing changed."""
    now = clock.now()
    moved = sql.move(
        ticket_id=ticket.pk,
        counter_id=counter.pk,
        officer_id=officer.pk,
        leaving=leaving,
        entering=entering,
        stamp=stamp,
        kind=kind,
        now=now,
    )
    if moved is None:
        with transaction.atomic():
            current = _at_counter(ticket, counter, officer, leaving, entering)
        if current.status == entering:
            return current, None
        # It was in that state after all: another request moved it meanwhile.
        raise TicketStateError(_("The ticket changed meanwhile; try again."), field="ticket")
    return _as_held(moved, counter), now


def ticket_start(*, ticket: Ticket, counter: Counter, officer) -> Ticket:
    with sql.one_statement():
        ticket, _now = _move(
            ticket, counter, officer, Status.CALLED, Status.SERVING, "started_at", Kind.SERVING
        )
    return ticket


def _advance_visit(visit: Visit, now, actor=None) -> Ticket | None:
    """Put the visit's next pending service in its queue, keeping the original arrival."""
    remaining = list(
        Ticket.objects.select_for_update(of=("self",))
        .filter(visit=visit, status__in=[*Ticket.ACTIVE, Status.PENDING])
        .order_by("position")
    )
    if not remaining or any(t.status in Ticket.ACTIVE for t in remaining):
        return None
    following = remaining[0]
    _start_waiting(following, visit, now)
    following.save(update_fields=["status", "waiting_since", "queue_key"])
    _event(following, Kind.WAITING, at=now, actor=actor)
    return following


def ticket_finish(*, ticket: Ticket, counter: Counter, officer) -> Ticket:
    """Finish serving; the visit's next service, if any, joins its queue."""
    with sql.one_statement():
        # The usual case, a visit's last service, in one statement.
        done = sql.move(
            ticket_id=ticket.pk,
            counter_id=counter.pk,
            officer_id=officer.pk,
            leaving=Status.SERVING,
            entering=Status.SERVED,
            stamp="finished_at",
            kind=Kind.SERVED,
            now=clock.now(),
            unless_pending=True,
        )
    if done is not None:
        return _as_held(done, counter)
    with transaction.atomic():
        ticket, now = _move(
            ticket, counter, officer, Status.SERVING, Status.SERVED, "finished_at", Kind.SERVED
        )
        if now is not None and ticket.has_pending:
            _advance_visit(Visit.objects.get(pk=ticket.visit_id), now, officer)
    return ticket


@dataclass(frozen=True)
class FinishedAndCalled:
    finished: Ticket
    called: Ticket | None  # None when nobody is waiting for this counter's services


def ticket_finish_and_call_next(*, ticket: Ticket, counter: Counter, officer) -> FinishedAndCalled:
    """Finish the ticket being served and call the next one, in one transaction (the counter's
    usual press, one request). A repeat (a double click) finds the ticket already finished and
    the counter holding the ticket it called, and answers with both: nothing changes twice."""
    with transaction.atomic():
        finished = ticket_finish(ticket=ticket, counter=counter, officer=officer)
        called = ticket_call_next(counter=counter, officer=officer)
    return FinishedAndCalled(finished=finished, called=called)


@transaction.atomic
def visit_priority_confirm(*, visit: Visit, actor) -> Visit:
    """Apply the priority a citizen asked for at a kiosk (elderly, disability, expectant
    mother), once staff have seen them: the waiting ticket moves up as dispatch credits it.
    Confirming twice changes nothing."""
    visit = Visit.objects.select_for_update().get(pk=visit.pk)
    if actor.centre_id not in (None, visit.centre_id):
        raise OtherCentre(_("This visit belongs to another centre."), field="visit")
    if not visit.priority_requested:
        raise TicketStateError(_("No priority was asked for on this ticket."), field="priority")
    if visit.priority == visit.priority_requested:
        return visit  # a repeated request
    before = {"priority": visit.priority}
    visit.priority = visit.priority_requested
    visit.save(update_fields=["priority"])
    now = clock.now()
    tickets = list(
        Ticket.objects.select_for_update(of=("self",))
        .filter(visit=visit, status__in=[*Ticket.ACTIVE, Status.PENDING])
        .order_by("position")
    )
    for ticket in tickets:
        if ticket.status == Status.WAITING:
            ticket.queue_key = dispatch.queue_key(_candidate(ticket, visit), policy())
            ticket.save(update_fields=["queue_key"])
    if tickets:
        _event(tickets[0], Kind.PRIORITY, at=now, actor=actor, priority=visit.priority)
    audit.record(
        action="queues.visit.priority_confirmed",
        instance=visit,
        before=before,
        after={"priority": visit.priority},
        actor=actor if actor is not None and actor.is_authenticated else None,
    )
    return visit


def ticket_no_show_from(ticket: Ticket) -> dt.datetime:
    """When a no-show may be marked: NO_SHOW_AFTER_CALL after the ticket's latest call (not a
    recall: a recall moves `called_at`, the call's event stays)."""
    called = (
        TicketEvent.objects.filter(ticket=ticket, kind=Kind.CALLED)
        .order_by("-at")
        .values_list("at", flat=True)
        .first()
    )
    return (called or ticket.called_at or clock.now()) + NO_SHOW_AFTER_CALL


@transaction.atomic
def ticket_no_show(*, ticket: Ticket, counter: Counter, officer) -> Ticket:
    ticket = _at_counter(ticket, counter, officer, Status.CALLED, Status.NO_SHOW)
    if ticket.status == Status.NO_SHOW:
        return ticket  # a repeated request: already done
    now = clock.now()
    allowed = ticket_no_show_from(ticket)
    if now < allowed:
        raise TicketStateError(
            _("Not yet: a no-show can be marked from %(time)s, a minute after the call.")
            % {"time": allowed.astimezone(clock.NAIROBI).strftime("%H:%M:%S")},
            field="ticket",
        )
    ticket.status = Status.NO_SHOW
    ticket.finished_at = now
    ticket.save(update_fields=["status", "finished_at"])
    _event(ticket, Kind.NO_SHOW, at=now, actor=officer, counter=counter)
    # The citizen has gone: the rest of the visit will not be served today.
    for rest in Ticket.objects.filter(visit=ticket.visit, status=Status.PENDING):
        rest.status = Status.CANCELLED
        rest.save(update_fields=["status"])
        _event(rest, Kind.CANCELLED, at=now, actor=officer, reason="no_show")
    return ticket


@transaction.atomic
def ticket_transfer(
    *,
    ticket: Ticket,
    actor,
    to_service: Service | None = None,
    to_counter: Counter | None = None,
    even_if_unstaffed: bool = True,
) -> Ticket:
    """Move a ticket to another service and/or a named counter without re-queuing it.

    With even_if_unstaffed=False (the console, until the officer confirms), a destination no
    open counter serves is refused with NoOpenCounter: the citizen would wait for nobody.

    A ticket called or being served can be transferred only by the officer who holds it (the
    usual way: at their own counter, when the citizen needs another service); anyone else is
    refused until that officer is done with it, so nobody pulls a citizen from a counter."""
    ticket = (
        Ticket.objects.select_for_update(of=("self",))
        .select_related("visit", "service", "counter")
        .get(pk=ticket.pk)
    )
    if actor.centre_id not in (None, ticket.centre_id):
        raise OtherCentre(_("This ticket belongs to another centre."), field="ticket")
    held = ticket.status in (Status.CALLED, Status.SERVING)
    if held and ticket.officer_id != getattr(actor, "pk", None):
        raise TicketBeingServed(
            _(
                "Ticket %(number)s is %(status)s at counter %(counter)s; only its officer can "
                "transfer it now."
            )
            % {
                "number": ticket.visit.number,
                "status": ticket.get_status_display().lower(),
                "counter": ticket.counter.number if ticket.counter else "-",
            },
            field="ticket",
        )
    if ticket.status not in Ticket.ACTIVE:
        raise TicketStateError(
            _("Ticket %(number)s is %(status)s and cannot be transferred.")
            % {"number": ticket.visit.number, "status": ticket.get_status_display().lower()},
            field="ticket",
        )
    if to_service is None and to_counter is None:
        raise TicketStateError(
            _("Choose a service or a counter to transfer to."), field="to_service"
        )
    service = to_service or ticket.service
    already = ticket.status == Status.WAITING and ticket.service_id == service.pk
    if already and ticket.target_counter_id == (to_counter.pk if to_counter else None):
        return ticket  # a repeated request: it waits where it was sent, logged once
    if to_service is not None and to_service.pk != ticket.service_id:
        services_offered(ticket.visit.centre, [to_service])
    if to_counter is not None:
        if to_counter.centre_id != ticket.centre_id or not to_counter.is_active:
            raise OtherCentre(_("That counter is not in this centre."), field="to_counter")
        if service.pk not in counter_skills(to_counter):
            raise ServiceNotOffered(
                _("Counter %(number)s does not serve %(service)s.")
                % {"number": to_counter.number, "service": service.name},
                field="to_counter",
            )
    if not even_if_unstaffed and not destination_staffed(
        centre_id=ticket.centre_id, service=service, counter=to_counter
    ):
        where = (
            _("counter %(number)s") % {"number": to_counter.number}
            if to_counter is not None
            else service.name
        )
        raise NoOpenCounter(
            _("Nobody is serving at %(where)s now: the citizen would wait until someone opens.")
            % {"where": where},
            field="to_counter" if to_counter is not None else "to_service",
        )
    now = clock.now()
    previous = {"service": ticket.service.code, "counter": ticket.counter_id}
    ticket.service = service
    ticket.target_counter = to_counter
    ticket.counter = None
    ticket.officer = None
    ticket.recalls = 0
    ticket.called_at = ticket.started_at = None
    _start_waiting(ticket, ticket.visit, now)
    ticket.save()
    _event(
        ticket,
        Kind.TRANSFERRED,
        at=now,
        actor=actor,
        previous=previous,
        service=service.code,
        to_counter=to_counter.pk if to_counter else None,
    )
    return ticket


def destination_staffed(*, centre_id: int, service: Service, counter: Counter | None) -> bool:
    """Whether an open counter session serves `service` (at `counter`, if one is named)."""
    sessions = CounterSession.objects.filter(
        status=CounterSession.Status.OPEN,
        counter__centre_id=centre_id,
        counter__is_active=True,
        counter__skills__service=service,
    )
    if counter is not None:
        sessions = sessions.filter(counter=counter)
    return sessions.exists()


@transaction.atomic
def visit_add_service(*, visit: Visit, service: Service, actor) -> Ticket:
    """Add a service to a visit; it queues after the visit's current one, arrival kept."""
    visit = Visit.objects.select_for_update().get(pk=visit.pk)
    if actor.centre_id not in (None, visit.centre_id):
        raise OtherCentre(_("This visit belongs to another centre."), field="visit")
    tickets = list(visit.tickets.all())
    if any(t.service_id == service.pk and t.status not in (Status.CANCELLED,) for t in tickets):
        raise ServiceNotOffered(_("This visit already has that service."), field="service")
    if len(tickets) >= MAX_SERVICES_PER_VISIT:
        raise ServiceNotOffered(_("This visit has the most services allowed."), field="service")
    if tickets and all(t.status in (Status.NO_SHOW, Status.CANCELLED) for t in tickets):
        raise TicketStateError(_("This visit has ended."), field="visit")
    services_offered(visit.centre, [service])
    now = clock.now()
    position = (visit.tickets.aggregate(m=Max("position"))["m"] or 0) + 1
    ticket = Ticket.objects.create(
        visit=visit, centre_id=visit.centre_id, service=service, position=position
    )
    _event(ticket, Kind.SERVICE_ADDED, at=now, actor=actor)
    _advance_visit(visit, now, actor)
    ticket.refresh_from_db()
    return ticket


@dataclass(frozen=True)
class DayClosed:
    closed: list[Ticket]  # ended now, each with a "cancelled" event (reason day_closed)
    being_served: int  # left to their counter: the officer finishes them


@transaction.atomic
def tickets_close_day(*, centre: Centre, day: dt.date, actor=None) -> DayClosed:
    """The end of a day (an outreach tent packing up): every ticket of `centre` on `day` not
    yet served (later in its visit, waiting, called) is cancelled, with an event whose reason
    is day_closed (the citizen is told by SMS where that event is received: on the centre
    server, for a field kit's tickets). A ticket being served is left to its counter."""
    now = clock.now()
    closed = []
    for ticket in (
        Ticket.objects.select_for_update(of=("self",))
        .filter(
            centre=centre,
            visit__service_day=day,
            status__in=[Status.PENDING, Status.WAITING, Status.CALLED],
        )
        .order_by("visit__arrived_at", "position")
    ):
        ticket.status = Status.CANCELLED
        ticket.finished_at = now
        ticket.save(update_fields=["status", "finished_at"])
        _event(ticket, Kind.CANCELLED, at=now, actor=actor, reason="day_closed")
        closed.append(ticket)
    serving = Ticket.objects.filter(
        centre=centre, visit__service_day=day, status=Status.SERVING
    ).count()
    return DayClosed(closed=closed, being_served=serving)


@transaction.atomic
def numbers_continue_after(
    *, centre: Centre, day: dt.date, prefix: str, last: int, renumber=()
) -> list[tuple[str, str]]:
    """The day's numbers under `prefix` go on after `last` (numbers the centre server holds,
    told to a field kit restored from an old copy): the next visit issued takes a higher one,
    and the visits `renumber` (ids) numbered `last` or below (issued since the copy, so their
    numbers are another citizen's on the server) take the next free ones, in order of arrival.
    Returns [(old number, new number)]."""
    counter, _created = DailyCounter.objects.select_for_update().get_or_create(
        centre=centre, day=day, prefix=prefix
    )
    top = max(
        last,
        counter.last,
        Visit.objects.filter(centre=centre, service_day=day, prefix=prefix).aggregate(
            top=Max("sequence")
        )["top"]
        or 0,
    )
    moved = []
    for visit in (
        Visit.objects.select_for_update()
        .filter(
            pk__in=list(renumber), centre=centre, service_day=day, prefix=prefix, sequence__lte=last
        )
        .order_by("arrived_at", "sequence")
    ):
        top += 1
        old = visit.number
        visit.sequence = top
        visit.number = visit.format_number()
        visit.save(update_fields=["sequence", "number"])
        moved.append((old, visit.number))
    counter.last = top
    counter.save(update_fields=["last"])
    return moved


@transaction.atomic
def visit_cancel(*, visit: Visit, actor=None) -> Visit:
    now = clock.now()
    for ticket in Ticket.objects.select_for_update(of=("self",)).filter(
        visit=visit, status__in=[Status.PENDING, Status.WAITING, Status.CALLED]
    ):
        ticket.status = Status.CANCELLED
        ticket.save(update_fields=["status"])
        _event(ticket, Kind.CANCELLED, at=now, actor=actor)
    return visit
