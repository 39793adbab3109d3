"""Ticket letters of outreaches and field kits: each outreach day and live kit of a centre
numbers its tickets with a letter no service group and no other outreach or kit holds."""

from django.db.models import Q
from django.utils.translation import gettext as _

from huduma.accounts.models import Device
from huduma.catalogue.models import Service
from huduma.core import clock
from huduma.core.errors import Conflict
from huduma.outreach.plan_models import (
    Outreach,
    OutreachDay,
)
from huduma.outreach.sync_models import FieldKit
from huduma.places.models import Centre
from huduma.queues.models import Visit

TICKET_LETTERS = "ZYXWVUTSRQPONM"


def ticket_letters_taken(centre: Centre, dates, *, outreach: Outreach | None = None) -> set[str]:
    """The letters a new outreach or kit of `centre` on `dates` may not take: every service
    group's, those of the centre's outreaches on those days, those of its live kits going
    on those days or to no outreach, and every letter under which the server holds tickets of
    the centre on those days (a revoked kit's: a replacement kit numbering Y001 again would
    have its records refused as duplicate numbers). `outreach`'s own days and kits are left
    out (it keeps its letter when its days move). `dates` None means every day from today (a
    kit with no outreach)."""
    taken = set(Service.objects.exclude(group="").values_list("group", flat=True))
    days = OutreachDay.objects.filter(centre=centre)
    kits = FieldKit.objects.filter(device__centre=centre).exclude(
        device__status=Device.Status.REVOKED
    )
    visits = Visit.objects.filter(centre=centre, prefix__in=list(TICKET_LETTERS))
    if dates is None:
        days = days.filter(date__gte=clock.local_date())
        visits = visits.filter(service_day__gte=clock.local_date())
    else:
        days = days.filter(date__in=list(dates))
        visits = visits.filter(service_day__in=list(dates))
        kits = kits.filter(
            Q(outreach__isnull=True)
            | Q(outreach__days__centre=centre, outreach__days__date__in=list(dates))
        )
    if outreach is not None:
        days = days.exclude(outreach=outreach)
        kits = kits.exclude(outreach=outreach)
    taken |= set(days.values_list("ticket_prefix", flat=True))
    taken |= set(kits.values_list("ticket_prefix", flat=True))
    taken |= set(visits.values_list("prefix", flat=True).distinct())
    return taken


def ticket_letter_free(centre: Centre, dates, *, outreach: Outreach | None = None) -> str:
    """A letter for an outreach or a kit of `centre` on `dates` (see ticket_letters_taken).
    Callers hold the centre's row lock, so two allotments never pick the same letter."""
    taken = ticket_letters_taken(centre, dates, outreach=outreach)
    if outreach is not None and outreach.ticket_prefix and outreach.ticket_prefix not in taken:
        return outreach.ticket_prefix
    for letter in TICKET_LETTERS:
        if letter not in taken:
            return letter
    raise Conflict(
        _("Every ticket letter is taken on these days: cancel another outreach or revoke a kit."),
        field="dates",
    )
