"""Feedback verbs: record a rating of an ended ticket, add its reasons, record a misuse press,
and invite by SMS the visits that ended without a rating.

A rating is bound to the ticket's centre, counter, officer and service as they were when it
ended; the database holds at most one per ticket (UniqueConstraint), whatever the code does.
"""

import datetime as dt
import secrets
from collections.abc import Iterable
from contextlib import nullcontext

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from huduma.accounts.devices import digest
from huduma.accounts.models import Device
from huduma.core import clock
from huduma.core.errors import NotFound
from huduma.core.phones import InvalidPhoneNumber
from huduma.feedback.errors import (
    AlreadyRated,
    InvalidRating,
    LinkNotValid,
    LinkUsed,
    NotThisCounter,
    OtherCentre,
    TicketNotEnded,
)
from huduma.feedback.models import Channel, Misuse, Rating, RatingInvitation, Reason
from huduma.notify.services import sms_send
from huduma.queues.models import Ticket, TicketEvent, Visit

Status = Ticket.Status
ENDINGS = (Status.SERVED, Status.NO_SHOW, Status.CANCELLED)
MAX_COMMENT = 500
# A tablet may send a rating this long after the ticket was finished (a slow network, a citizen
# still choosing); later, the citizen has gone and the SMS link is the way to rate.
TABLET_LATE_LIMIT = dt.timedelta(minutes=30)
# Reasons and a comment may be added to a fresh rating, once, from the same device.
DETAILS_WINDOW = dt.timedelta(minutes=10)


def _clean_details(reasons: Iterable[str], comment: str) -> tuple[list[str], str]:
    reasons = list(dict.fromkeys(reasons))
    unknown = [r for r in reasons if r not in Reason.values]
    if unknown:
        raise InvalidRating(
            _("Unknown reason %(reason)r.") % {"reason": unknown[0]}, field="reasons"
        )
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT:
        raise InvalidRating(
            _("The comment is too long (at most %(n)s characters).") % {"n": MAX_COMMENT},
            field="comment",
        )
    return reasons, comment


def _check_score(score) -> int:
    if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
        raise InvalidRating(_("Choose a score from 1 to 5."), field="score")
    return score


def rating_record(
    *,
    ticket_id,
    score: int,
    channel: str,
    device: Device | None = None,
    reasons: Iterable[str] = (),
    comment: str = "",
    language: str = "sw",
) -> Rating:
    """Record the one rating of an ended ticket.

    From a tablet: the ticket was served at the tablet's own counter, not long ago. From an SMS
    link: any ending (served, no-show, cancelled) counts, so unhappy endings are heard too.
    """
    score = _check_score(score)
    reasons, comment = _clean_details(reasons, comment)
    now = clock.now()
    ticket = Ticket.objects.select_related("visit").filter(pk=ticket_id).first()
    if ticket is None:
        raise NotFound(_("There is no such ticket."), field="ticket")
    if device is not None and ticket.centre_id != device.centre_id:
        raise OtherCentre(_("This ticket belongs to another centre."), field="ticket")
    if channel == Channel.TABLET:
        if device is None or device.counter_id is None:
            raise NotThisCounter(_("Only a counter's tablet rates at the counter."), field="device")
        if ticket.status != Status.SERVED:
            raise TicketNotEnded(_("This ticket has not been served."), field="ticket")
        if ticket.counter_id != device.counter_id:
            raise NotThisCounter(_("This ticket was served at another counter."), field="ticket")
        if ticket.finished_at and ticket.finished_at < now - TABLET_LATE_LIMIT:
            raise TicketNotEnded(
                _("This visit ended too long ago to rate here."), field="ticket", status=409
            )
    elif ticket.status not in ENDINGS:
        raise TicketNotEnded(_("This visit has not ended yet."), field="ticket")
    try:
        # Outside a transaction the single INSERT is atomic on its own (one round trip instead
        # of three); inside one, a savepoint keeps the caller's transaction usable on a refusal.
        with transaction.atomic() if connection.in_atomic_block else nullcontext():
            return Rating.objects.create(
                ticket=ticket,
                centre_id=ticket.centre_id,
                counter_id=ticket.counter_id,
                officer_id=ticket.officer_id,
                service_id=ticket.service_id,
                ending=ticket.status,
                channel=channel,
                device=device,
                score=score,
                reasons=reasons,
                comment=comment,
                language=language if language in ("en", "sw") else "sw",
                at=now,
            )
    except IntegrityError:
        existing = Rating.objects.filter(ticket=ticket).first()
        # The same tablet sending the same press again (a retry after a lost answer) gets the
        # rating it made; anything else is a second rating.
        if (
            existing is not None
            and device is not None
            and existing.device_id == device.pk
            and existing.score == score
        ):
            return existing
        raise AlreadyRated(
            _("Ticket %(number)s has already been rated. Thank you.")
            % {"number": ticket.visit.number},
            field="ticket",
        ) from None


@transaction.atomic
def rating_add_details(
    *, rating: Rating, device: Device | None, reasons: Iterable[str] = (), comment: str = ""
) -> Rating:
    """Reasons chips and a comment, added once to a fresh rating by the device that made it."""
    reasons, comment = _clean_details(reasons, comment)
    rating = Rating.objects.select_for_update().get(pk=rating.pk)
    if device is None or rating.device_id != device.pk:
        raise NotThisCounter(_("This rating was made on another device."), field="rating")
    if rating.reasons or rating.comment or rating.at < clock.now() - DETAILS_WINDOW:
        raise AlreadyRated(_("This rating is complete. Thank you."), field="rating")
    rating.reasons = reasons
    rating.comment = comment
    rating.save(update_fields=["reasons", "comment"])
    return rating


def misuse_record(*, device: Device, kind: str, score: int | None = None) -> Misuse:
    return Misuse.objects.create(
        centre_id=device.centre_id,
        counter_id=device.counter_id,
        device=device,
        kind=kind,
        score=score if isinstance(score, int) and 1 <= score <= 5 else None,
        at=clock.now(),
    )


# --- the missed rating: an SMS link after a visit that ended without one -----------------------

ENDING_KINDS = (TicketEvent.Kind.SERVED, TicketEvent.Kind.NO_SHOW, TicketEvent.Kind.CANCELLED)
# Visits that ended longer ago than this are not asked any more (the sweep was down for a day).
SWEEP_LOOKBACK = dt.timedelta(hours=24)


def _link_token() -> str:
    # 96 random bits in 16 URL-safe characters: short enough for an SMS, never guessed.
    return secrets.token_urlsafe(12)


def rating_link(token: str) -> str:
    return settings.PUBLIC_URL + reverse("feedback:rate_link", args=[token])


def rating_invitations_send(*, now: dt.datetime | None = None, limit: int = 500) -> int:
    """Text a rating link to each visit that ended a while ago with no rating at all.

    Every ending counts: served and not rated on the tablet, no-show, cancelled. Run by a
    periodic task; safe to run twice or in two workers at once (one invitation per visit,
    written in the same transaction as its SMS).
    """
    now = now or clock.now()
    settled = now - dt.timedelta(minutes=settings.FEEDBACK_SMS_AFTER_MINUTES)
    endings = (
        TicketEvent.objects.filter(
            kind__in=ENDING_KINDS, at__gte=now - SWEEP_LOOKBACK, at__lte=settled
        )
        .exclude(ticket__visit__phone="")
        .filter(ticket__visit__rating_invitation__isnull=True)
        .order_by("-at")
        .values_list("ticket__visit_id", "ticket_id")
    )
    latest: dict = {}
    for visit_id, ticket_id in endings[: limit * 4]:
        latest.setdefault(visit_id, ticket_id)  # newest ending first: the visit's last one
    sent = 0
    for visit_id, ticket_id in list(latest.items())[:limit]:
        sent += _invite(visit_id=visit_id, ticket_id=ticket_id, now=now)
    return sent


def _invite(*, visit_id, ticket_id, now: dt.datetime) -> int:
    visit = Visit.objects.select_related("centre").get(pk=visit_id)
    tickets = Ticket.objects.filter(visit=visit)
    if tickets.filter(status__in=[*Ticket.ACTIVE, Status.PENDING]).exists():
        return 0  # still in the centre: the visit has not ended
    if Rating.objects.filter(ticket__visit=visit).exists():
        return 0  # rated on the tablet
    token = _link_token()
    try:
        with transaction.atomic():
            invitation = RatingInvitation.objects.create(
                visit=visit,
                ticket_id=ticket_id,
                token_hash=digest(token),
                created_at=now,
                expires_at=now + dt.timedelta(days=settings.FEEDBACK_LINK_DAYS),
            )
            try:
                invitation.message = sms_send(
                    to=visit.phone,
                    template="rating_invite",
                    context={
                        "centre": visit.centre.name,
                        "number": visit.number,
                        "link": rating_link(token),
                    },
                    language=visit.language,
                )
            except InvalidPhoneNumber:
                return 0  # the invitation stays, without a message: never tried again
            invitation.save(update_fields=["message"])
    except IntegrityError:
        return 0  # another sweep invited this visit first
    return 1


def invitation_for(token: str) -> RatingInvitation:
    """The invitation behind a link, if it can still be used; else a clear refusal."""
    invitation = (
        RatingInvitation.objects.select_related("ticket__service", "visit__centre")
        .filter(token_hash=digest(token))
        .first()
    )
    if invitation is None:
        raise LinkNotValid(_("This rating link is not valid."), field="link")
    if invitation.used_at is not None:
        raise LinkUsed(_("This rating link has already been used. Thank you."), field="link")
    if invitation.expires_at <= clock.now():
        raise LinkUsed(_("This rating link has expired."), field="link", status=410)
    return invitation


@transaction.atomic
def rating_by_link(
    *, token: str, score, reasons: Iterable[str] = (), comment: str = "", language: str = "sw"
) -> Rating:
    """Rate once through the SMS link: the link is spent in the same transaction."""
    invitation = invitation_for(token)
    spent = RatingInvitation.objects.filter(pk=invitation.pk, used_at__isnull=True).update(
        used_at=clock.now()
    )
    if spent != 1:  # two taps at once: the other one counted
        raise LinkUsed(_("This rating link has already been used. Thank you."), field="link")
    return rating_record(
        ticket_id=invitation.ticket_id,
        score=score,
        channel=Channel.SMS,
        reasons=reasons,
        comment=comment,
        language=language,
    )


def invitation_for_phone(phone: str) -> RatingInvitation:
    """The newest rating invitation texted to this phone that can still be used: a channel
    that knows the caller's number from the operator (USSD) rates what the link would."""
    invitation = (
        RatingInvitation.objects.select_related("ticket__service", "visit__centre")
        .filter(visit__phone=phone, used_at__isnull=True, expires_at__gt=clock.now())
        .order_by("-created_at")
        .first()
    )
    if invitation is None:
        raise LinkNotValid(_("There is no recent visit to rate from this number."), field="phone")
    return invitation


@transaction.atomic
def rating_by_phone(*, invitation: RatingInvitation, phone: str, score, language: str = "sw"):
    """Rate once, as the SMS link would, from the phone it was texted to: the invitation is
    spent in the same transaction, so the link and the phone cannot both rate the visit."""
    if invitation.visit.phone != phone:
        raise LinkNotValid(_("There is no recent visit to rate from this number."), field="phone")
    spent = RatingInvitation.objects.filter(
        pk=invitation.pk, used_at__isnull=True, expires_at__gt=clock.now()
    ).update(used_at=clock.now())
    if spent != 1:
        raise LinkUsed(_("This visit has already been rated. Thank you."), field="link")
    return rating_record(
        ticket_id=invitation.ticket_id, score=score, channel=Channel.USSD, language=language
    )
