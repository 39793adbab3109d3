"""The verbs of applications: open from the counter, move through the back office (one or a
batch), answer a query, sweep for turnaround breaches; and refer a citizen to an MDA's office.

Each verb opens its transaction, locks the application row, writes an ApplicationEvent and the
citizen's SMS (an outbox row) in that same transaction.
"""

import datetime as dt
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from huduma.accounts.models import Role, User
from huduma.accounts.permissions import has_role, works_at
from huduma.applications.models import (
    CLOCK_RUNNING,
    REASON_MAX_LENGTH,
    Application,
    ApplicationEvent,
    Referral,
    Status,
)
from huduma.catalogue.models import MDA, Service
from huduma.core import clock
from huduma.core.errors import Conflict, DomainError, Forbidden, NotFound
from huduma.core.phones import InvalidPhoneNumber, normalise_phone
from huduma.core.throttle import target_check, target_missed
from huduma.notify.services import email_send, sms_send
from huduma.places.models import Centre
from huduma.queues.models import Ticket

# No 0/O or 1/I/L: the number is read aloud over the phone. "A" then 7 characters, grouped
# 4-4 (A7KQ-M2XP): 31^7 = 2.8e10 numbers.
TRACKING_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
# Who opens an application at the counter; who moves it in the back office.
FRONT_OFFICE = (Role.COUNTER_OFFICER, Role.CENTRE_MANAGER)
BACK_OFFICE = (Role.BACK_OFFICE,)

# The steps the back office (and the counter, for collection) may take from each status.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    Status.RECEIVED: (Status.IN_PROCESSING, Status.QUERY_RAISED, Status.REJECTED),
    Status.IN_PROCESSING: (Status.QUERY_RAISED, Status.APPROVED, Status.REJECTED),
    Status.QUERY_RAISED: (Status.IN_PROCESSING, Status.REJECTED),
    Status.APPROVED: (Status.READY,),
    Status.READY: (Status.COLLECTED,),
    Status.REJECTED: (),
    Status.COLLECTED: (),
}
SMS_TEMPLATE = {
    Status.RECEIVED: "application_received",
    Status.IN_PROCESSING: "application_in_processing",
    Status.QUERY_RAISED: "application_query",
    Status.APPROVED: "application_approved",
    Status.REJECTED: "application_rejected",
    Status.READY: "application_ready",
    Status.COLLECTED: "application_collected",
}
BULK_MAX = 500
REFERRERS = (Role.RECEPTION, Role.COUNTER_OFFICER, Role.CENTRE_MANAGER)


class WrongStep(Conflict):
    code = "wrong_step"


def normalise_tracking_number(raw: str) -> str:
    """'a7kq m2xp', 'A7KQ-M2XP' -> 'A7KQ-M2XP'."""
    compact = "".join(ch for ch in (raw or "").upper() if ch not in " -")[:16]
    return f"{compact[:4]}-{compact[4:]}" if len(compact) == 8 else compact


def _new_tracking_number() -> str:
    chars = "A" + "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(7))
    return f"{chars[:4]}-{chars[4:]}"


def application_fee_due(application: Application) -> Decimal:
    """What the citizen owes for this application: the official fee when it was received.

    The payments app raises its invoice for exactly this amount; nothing else may be asked."""
    return application.fee_kes


def application_fee_paid(application: Application) -> bool:
    """Has a payment of this application's invoice completed? (The payments app's invoices
    point at the application; nothing here depends on how it was paid.)"""
    return application.invoices.filter(payments__status="completed").exists()


def _event(
    application: Application, kind: str, *, actor=None, note: str = "", **data
) -> ApplicationEvent:
    user = actor if actor is not None and getattr(actor, "pk", None) else None
    return ApplicationEvent.objects.create(
        application=application,
        kind=kind,
        status=application.status,
        at=clock.now(),
        actor=user,
        actor_label=user.get_username() if user else "",
        note=note[:REASON_MAX_LENGTH],
        data=data,
    )


def _tell(application: Application, status: str) -> None:
    """The citizen's SMS for this step, in the caller's transaction (the outbox)."""
    centre = application.collection_centre or application.centre
    context = {
        "number": application.tracking_number,
        "service": application.service.name_sw
        if application.language == "sw"
        else application.service.name_en,
        "due": application.due_on.strftime("%d/%m/%Y"),
        "reason": application.reason,
        "centre": centre.name,
    }
    try:
        sms_send(
            to=application.phone,
            template=SMS_TEMPLATE[status],
            context=context,
            language=application.language,
        )
    except InvalidPhoneNumber:
        pass  # checked when opened; a number that no longer parses gets no SMS, the record stands


def applications_from_kit(ids: list) -> None:
    """Applications a field kit's batch has just stored: the citizen's SMS for where each
    stands is rendered and sent here, by the server (a kit's own text is never sent)."""
    for application in Application.objects.filter(pk__in=ids).select_related(
        "service", "centre", "collection_centre"
    ):
        _tell(application, application.status)


def _checklist(service: Service, confirmed: Iterable[int]) -> list[dict]:
    ticked = set(confirmed)
    return [
        {"id": r.pk, "text_en": r.text_en, "text_sw": r.text_sw, "confirmed": r.pk in ticked}
        for r in service.requirements.order_by("position", "id")
    ]


def due_on(received: dt.datetime, turnaround_days: int) -> dt.date:
    return clock.add_working_days(clock.local_date(received), turnaround_days)


def application_open(
    *,
    ticket: Ticket,
    officer,
    service: Service | None = None,
    confirmed: Sequence[int] = (),
    phone: str = "",
) -> tuple[Application, bool]:
    """Open the application for the ticket the officer is serving (its service by default).

    One application per ticket and service: a second submission (a double click, a resent
    form) returns the first one unchanged. Returns (application, created)."""
    # Read afresh: the queue's hot path hands out tickets whose visit is only partly loaded.
    ticket = Ticket.objects.select_related("visit", "centre", "service").get(pk=ticket.pk)
    if not has_role(officer, *FRONT_OFFICE) or not works_at(officer, ticket.centre):
        raise Forbidden(_("Only the centre's counter officers open applications"))
    service = service or ticket.service
    existing = Application.objects.filter(ticket=ticket, service=service).first()
    if existing is not None:
        return existing, False
    if ticket.status not in (Ticket.Status.CALLED, Ticket.Status.SERVING):
        raise WrongStep(_("Open the application while serving the ticket"), field="ticket")
    visit = ticket.visit
    try:
        phone = normalise_phone(phone or visit.phone)
    except InvalidPhoneNumber as exc:
        raise DomainError(
            _("The citizen's phone is needed to track the application"), field="phone"
        ) from exc
    known = set(service.requirements.values_list("pk", flat=True))
    if not set(confirmed) <= known:
        raise DomainError(_("Tick only this service's requirements"), field="confirmed")
    now = clock.now()
    try:
        with transaction.atomic():
            application = Application.objects.create(
                tracking_number=_new_tracking_number(),
                ticket=ticket,
                visit=visit,
                service=service,
                mda_id=service.mda_id,
                centre=ticket.centre,
                phone=phone,
                language=visit.language if visit.language in ("en", "sw") else "sw",
                fee_kes=service.fee_kes,
                checklist=_checklist(service, confirmed),
                turnaround_days=service.turnaround_days,
                received_at=now,
                due_on=due_on(now, service.turnaround_days),
                created_by=officer,
                updated_at=now,
            )
            _event(
                application,
                ApplicationEvent.Kind.RECEIVED,
                actor=officer,
                confirmed=sorted(confirmed),
            )
            _tell(application, Status.RECEIVED)
    except IntegrityError:
        # The same form submitted twice at once: the other request created it.
        existing = Application.objects.filter(ticket=ticket, service=service).first()
        if existing is None:
            raise
        return existing, False
    return application, True


def back_office_scope(user) -> Q:
    """The one rule of what a back office sees and moves: its MDA's applications received at
    the centre it is assigned to (User.centre); a back-office account with no centre is the
    MDA's headquarters and sees all of its MDA's. Anyone else: nothing."""
    if not has_role(user, *BACK_OFFICE) or not user.mda_id:
        return Q(pk__in=[])
    scope = Q(mda_id=user.mda_id)
    if user.centre_id:
        scope &= Q(centre_id=user.centre_id)
    return scope


def can_process(user, application: Application) -> bool:
    """Back-office officers of the MDA that owns the application, within their scope."""
    return (
        has_role(user, *BACK_OFFICE)
        and Application.objects.filter(back_office_scope(user), pk=application.pk).exists()
    )


def can_hand_over(user, application: Application) -> bool:
    """The counter of the collection centre hands the document over."""
    centre = application.collection_centre
    return centre is not None and has_role(user, *FRONT_OFFICE) and works_at(user, centre)


def _move(
    application: Application,
    to: str,
    *,
    actor,
    reason: str = "",
    collection_centre: Centre | None = None,
) -> Application:
    """One step, on a row locked by the caller. Raises WrongStep for a step not allowed now."""
    now = clock.now()
    current = application.status
    if to not in TRANSITIONS.get(current, ()):
        raise WrongStep(
            _("Application %(number)s is %(status)s: it cannot become %(to)s")
            % {
                "number": application.tracking_number,
                "status": application.get_status_display().lower(),
                "to": Status(to).label.lower(),
            },
            field="status",
        )
    allowed = can_hand_over(actor, application) if to == Status.COLLECTED else False
    if not (allowed or can_process(actor, application)):
        raise Forbidden(_("This application is not yours to act on"))
    reason = (reason or "").strip()[:REASON_MAX_LENGTH]
    if to in (Status.REJECTED, Status.QUERY_RAISED) and not reason:
        raise DomainError(_("Give the reason the citizen will read"), field="reason")
    kind = to
    if current == Status.QUERY_RAISED:
        # The citizen answered: restart the clock, later by the working days it stood still.
        stopped = clock.local_date(application.clock_stopped_at)
        application.due_on = clock.add_working_days(
            application.due_on, max(clock.working_days_between(stopped, clock.local_date(now)), 0)
        )
        application.clock_stopped_at = None
        if to == Status.IN_PROCESSING:
            kind = ApplicationEvent.Kind.QUERY_ANSWERED
    if to == Status.QUERY_RAISED:
        application.clock_stopped_at = now
    if to == Status.READY:
        application.collection_centre = collection_centre or application.centre
    application.status = to
    if to in (Status.REJECTED, Status.QUERY_RAISED):
        application.reason = reason
    application.updated_at = now
    application.save()
    _event(application, kind, actor=actor, note=reason)
    _tell(application, to)
    return application


@transaction.atomic
def application_move(
    *,
    application: Application,
    to: str,
    actor,
    reason: str = "",
    collection_centre: Centre | None = None,
) -> Application:
    """Move one application to status `to` (checked against TRANSITIONS and the actor)."""
    locked = Application.objects.select_for_update().get(pk=application.pk)
    return _move(locked, to, actor=actor, reason=reason, collection_centre=collection_centre)


@dataclass
class BulkResult:
    moved: list[Application]
    refused: list[tuple[str, str]]  # (tracking number, why)


@transaction.atomic
def applications_move_bulk(
    *,
    applications: Sequence[Application],
    to: str,
    actor,
    reason: str = "",
    collection_centre: Centre | None = None,
) -> BulkResult:
    """Move a batch (a delivery of printed ID cards): each application gets its own event and
    SMS; one that cannot move is listed with its reason and the others still move."""
    if len(applications) > BULK_MAX:
        raise DomainError(
            _("At most %(n)s applications at a time") % {"n": BULK_MAX}, field="applications"
        )
    ids = sorted({a.pk for a in applications})
    # Locked in one order, so two batches that overlap cannot deadlock.
    rows = list(Application.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
    result = BulkResult(moved=[], refused=[])
    for application in rows:
        try:
            with transaction.atomic():
                result.moved.append(
                    _move(
                        application,
                        to,
                        actor=actor,
                        reason=reason,
                        collection_centre=collection_centre,
                    )
                )
        except DomainError as exc:
            result.refused.append((application.tracking_number, exc.message))
    return result


# Wrong phone tries per tracking number, whatever the address, per window.
TRACK_WRONG_TRIES = 5
TRACK_WINDOW_S = 3600


def application_for_citizen(*, tracking_number: str, phone: str) -> Application:
    """The citizen's own application: the number and the phone it was opened with must both
    match; either wrong gives the same answer, so neither can be guessed alone."""
    number = normalise_tracking_number(tracking_number)
    # Wrong tries count per tracking number whatever the address (throttle.py): a number's
    # phone cannot be found by trying from many addresses.
    target_check(
        "application",
        number,
        limit=TRACK_WRONG_TRIES,
        message=_("Too many wrong tries for this tracking number. Please wait and try again."),
    )
    try:
        phone = normalise_phone(phone)
    except InvalidPhoneNumber:
        phone = ""
    application = (
        Application.objects.select_related("service", "centre", "collection_centre")
        .filter(tracking_number=number, phone=phone)
        .first()
        if number and phone
        else None
    )
    if application is None:
        if number:
            target_missed("application", number, window_s=TRACK_WINDOW_S)
        raise NotFound(_("No application matches this number and phone"), field="tracking_number")
    return application


# --- turnaround breaches ---------------------------------------------------------------------


def is_breached(application: Application, today: dt.date | None = None) -> bool:
    """The due day has passed while the clock runs (a query stops it; ready ends it)."""
    today = today or clock.local_date()
    return application.status in CLOCK_RUNNING and today > application.due_on


def due_on_recomputed(application: Application) -> dt.date:
    """The due day under today's holiday list: the turnaround from the day received, moved
    later by the working days each answered query kept the clock stopped (its events)."""
    due = due_on(application.received_at, application.turnaround_days)
    raised = None
    for kind, at in application.events.order_by("at", "pk").values_list("kind", "at"):
        if kind == ApplicationEvent.Kind.QUERY_RAISED:
            raised = at
        elif kind == ApplicationEvent.Kind.QUERY_ANSWERED and raised is not None:
            stood = clock.working_days_between(clock.local_date(raised), clock.local_date(at))
            due = clock.add_working_days(due, max(stood, 0))
            raised = None
    return due


def applications_due_recompute() -> int:
    """After the holiday list changed: every application whose clock still counts gets its due
    day again under the new list. Returns how many moved."""
    moved = 0
    open_ones = Application.objects.filter(status__in=[*CLOCK_RUNNING, Status.QUERY_RAISED])
    for pk in open_ones.values_list("pk", flat=True).iterator():
        with transaction.atomic():
            application = Application.objects.select_for_update().filter(pk=pk).first()
            if application is None or application.status not in (
                *CLOCK_RUNNING,
                Status.QUERY_RAISED,
            ):
                continue
            due = due_on_recomputed(application)
            if due != application.due_on:
                Application.objects.filter(pk=pk).update(due_on=due)
                moved += 1
    return moved


def working_days_left(application: Application, today: dt.date | None = None) -> int:
    return clock.working_days_between(today or clock.local_date(), application.due_on)


def _alert_staff(application: Application) -> None:
    """Email the Centre Manager(s) of the receiving centre and the MDA's back office."""
    recipients = User.objects.filter(is_active=True).exclude(email="")
    managers = recipients.filter(role=Role.CENTRE_MANAGER, centre_id=application.centre_id)
    # The back offices whose scope holds it (back_office_scope): its centre's, and headquarters.
    mda_staff = recipients.filter(role=Role.BACK_OFFICE, mda_id=application.mda_id).filter(
        Q(centre_id=application.centre_id) | Q(centre__isnull=True)
    )
    subject = _("Turnaround breached: application %(number)s") % {
        "number": application.tracking_number
    }
    body = _(
        "Application %(number)s for %(service)s, received at %(centre)s on %(received)s, was due "
        "on %(due)s and is still %(status)s."
    ) % {
        "number": application.tracking_number,
        "service": application.service.name_en,
        "centre": application.centre.name,
        "received": clock.local_date(application.received_at).strftime("%d/%m/%Y"),
        "due": application.due_on.strftime("%d/%m/%Y"),
        "status": application.get_status_display().lower(),
    }
    for address in sorted({u.email for u in (*managers, *mda_staff)}):
        email_send(to=address, subject=subject, body=body, template="application_breach")


def applications_breach_sweep(*, now: dt.datetime | None = None, batch_size: int = 500) -> int:
    """Mark and alert every application past its due day, once each. Returns how many.

    Each row is claimed with a conditional UPDATE (breached_at still empty), so two sweeps
    running at once alert once."""
    now = now or clock.now()
    today = clock.local_date(now)
    due = Application.objects.filter(
        breached_at__isnull=True, status__in=CLOCK_RUNNING, due_on__lt=today
    ).order_by("due_on")[:batch_size]
    alerted = 0
    for application_id in list(due.values_list("pk", flat=True)):
        with transaction.atomic():
            claimed = Application.objects.filter(
                pk=application_id, breached_at__isnull=True, status__in=CLOCK_RUNNING
            ).update(breached_at=now)
            if claimed != 1:
                continue
            application = Application.objects.select_related("service", "centre").get(
                pk=application_id
            )
            _event(application, ApplicationEvent.Kind.BREACHED, due_on=str(application.due_on))
            _alert_staff(application)
            alerted += 1
    return alerted


# --- referrals -------------------------------------------------------------------------------


def _mda_address(mda: MDA) -> str:
    parts = [mda.office_address, mda.office_phone, mda.office_hours]
    return ", ".join(p for p in parts if p)


@transaction.atomic
def referral_record(
    *, centre: Centre, service: Service, phone: str, actor, ticket: Ticket | None = None, note=""
) -> Referral:
    """Send the citizen to the MDA's office for a service the centre does not offer: they get
    the address by SMS and a follow-up stays open until a member of staff closes it."""
    if not works_at(actor, centre):
        raise Forbidden(_("Only the centre's staff record referrals"))
    if service.offered_at.filter(centre=centre).exists():
        raise DomainError(
            _("This service is offered here: serve it at the centre"), field="service"
        )
    mda = service.mda
    address = _mda_address(mda)
    if not mda.office_address:
        raise DomainError(
            _("%(mda)s has no office address yet; ask the Secretariat to add it") % {"mda": mda},
            field="service",
        )
    try:
        phone = normalise_phone(phone)
    except InvalidPhoneNumber as exc:
        raise DomainError(exc.args[0] if exc.args else str(exc), field="phone") from exc
    language = ticket.visit.language if ticket is not None else "sw"
    referral = Referral.objects.create(
        centre=centre,
        service=service,
        mda=mda,
        ticket=ticket,
        phone=phone,
        language=language if language in ("en", "sw") else "sw",
        address=address[:300],
        note=(note or "").strip()[:REASON_MAX_LENGTH],
        created_by=actor,
        created_at=clock.now(),
    )
    _referral_sms(referral)
    return referral


def _referral_sms(referral: Referral) -> None:
    service, mda = referral.service, referral.mda
    sms_send(
        to=referral.phone,
        template="referral_address",
        context={
            "service": service.name_sw if referral.language == "sw" else service.name_en,
            "mda": mda.name_sw or mda.name_en if referral.language == "sw" else mda.name_en,
            "address": referral.address,
        },
        language=referral.language,
    )


def referrals_from_kit(ids: list) -> None:
    """Referrals a field kit's batch has just stored: each citizen gets the MDA office's
    address by SMS from the server (the address the server holds: applications.kit_rules
    writes it), and the follow-up is the centre's, on its referrals page."""
    for referral in Referral.objects.filter(pk__in=ids).select_related("service", "mda"):
        try:
            _referral_sms(referral)
        except InvalidPhoneNumber:
            continue  # kept for the follow-up; no message


@transaction.atomic
def referral_close(*, referral: Referral, actor, outcome: str) -> Referral:
    locked = Referral.objects.select_for_update().get(pk=referral.pk)
    if not works_at(actor, locked.centre):
        raise Forbidden(_("Only the centre's staff close its referrals"))
    if locked.status != Referral.Status.OPEN:
        raise WrongStep(_("This referral is already closed"), field="status")
    outcome = (outcome or "").strip()[:REASON_MAX_LENGTH]
    if not outcome:
        raise DomainError(_("Say how the follow-up ended"), field="outcome")
    locked.status = Referral.Status.CLOSED
    locked.outcome = outcome
    locked.closed_by = actor
    locked.closed_at = clock.now()
    locked.save()
    return locked
