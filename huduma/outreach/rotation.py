"""Who serves what: the portable services, the officers who can go, the check that no service
is left without an officer at the centre, and the fair rotation of who goes next."""

import datetime as dt

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from huduma.accounts.models import Role, User
from huduma.catalogue.models import CentreService, Service
from huduma.core.errors import Conflict
from huduma.outreach.plan_base import (
    month_start,
    months_back,
    outreach_dates,
)
from huduma.outreach.plan_models import (
    OfficerDay,
    Outreach,
)
from huduma.places.models import Centre


def portable_services(centre: Centre):
    """The services of the centre's charter that the catalogue marks as portable."""
    return Service.objects.filter(
        offered_at__centre=centre, portable=True, is_active=True
    ).select_related("mda")


def officers_of(service: Service, centre: Centre):
    """The counter officers at `centre` who can serve `service`: those its MDA seconded."""
    return User.objects.filter(
        centre=centre, role=Role.COUNTER_OFFICER, mda_id=service.mda_id, is_active=True
    ).order_by("pk")


def _away(centre: Centre, dates, *, exclude_outreach=None) -> dict[dt.date, set[int]]:
    rows = OfficerDay.objects.filter(outreach__centre=centre, date__in=list(dates))
    if exclude_outreach is not None:
        rows = rows.exclude(outreach=exclude_outreach)
    away: dict[dt.date, set[int]] = {day: set() for day in dates}
    for officer_id, day in rows.values_list("officer_id", "date"):
        away[day].add(officer_id)
    return away


def coverage_gaps(centre: Centre, away: dict[dt.date, set[int]]) -> list[tuple[dt.date, Service]]:
    """(date, service) pairs the centre would be left unable to serve: a service that has
    officers at the centre, all of whom are away that day."""
    gaps = []
    offered = Service.objects.filter(
        pk__in=CentreService.objects.filter(centre=centre).values("service_id"), is_active=True
    ).order_by("name_en")
    staff = {}
    for officer_id, mda_id in User.objects.filter(
        centre=centre, role=Role.COUNTER_OFFICER, is_active=True, mda__isnull=False
    ).values_list("pk", "mda_id"):
        staff.setdefault(mda_id, set()).add(officer_id)
    for day in sorted(away):
        for service in offered:
            officers = staff.get(service.mda_id, set())
            if officers and officers <= away[day]:
                gaps.append((day, service))
    return gaps


def check_plan(outreach: Outreach, officer_ids: set[int], dates: list[dt.date]) -> None:
    """Refuse officers already away on another outreach those days, and a plan that empties a
    service at the centre."""
    away = _away(outreach.centre, dates, exclude_outreach=outreach)
    for day in dates:
        busy = officer_ids & away[day]
        if busy:
            officer = User.objects.get(pk=min(busy))
            raise Conflict(
                _("%(officer)s is already on another outreach on %(date)s.")
                % {"officer": officer, "date": day.isoformat()},
                field="officer",
            )
        away[day] |= officer_ids
    gaps = coverage_gaps(outreach.centre, away)
    if gaps:
        day, service = gaps[0]
        raise Conflict(
            _(
                "This would leave no officer at the centre for %(service)s on %(date)s. "
                "Choose another officer, or fewer days."
            )
            % {"service": service.name, "date": day.isoformat()},
            field="officer",
        )


def rebuild_officer_days(outreach: Outreach) -> None:
    OfficerDay.objects.filter(outreach=outreach).delete()
    officer_ids = set(outreach.officers.values_list("officer_id", flat=True))
    rows = [
        OfficerDay(outreach=outreach, officer_id=officer_id, date=day)
        for officer_id in sorted(officer_ids)
        for day in outreach_dates(outreach)
    ]
    try:
        with transaction.atomic():
            OfficerDay.objects.bulk_create(rows)
    except IntegrityError as exc:  # a plan changed outside these verbs; the constraint holds
        raise Conflict(
            _("An officer is already on another outreach on one of these days."),
            field="officer",
        ) from exc


def rotation_candidates(outreach: Outreach, service: Service) -> list[User]:
    """The officers of `service` who could go, fairest first: the fewest outreach days in the
    last OUTREACH_ROTATION_MONTHS months (planned days included, so one month's plan weighs on
    the next), then the longest since they last went, then the oldest account."""
    dates = outreach_dates(outreach)
    away = _away(outreach.centre, dates, exclude_outreach=outreach)
    other_ids = set(outreach.officers.exclude(service=service).values_list("officer_id", flat=True))
    since = months_back(month_start(outreach.month), settings.OUTREACH_ROTATION_MONTHS)
    ranked = []
    for officer in officers_of(service, outreach.centre):
        if any(officer.pk in away[day] for day in dates):
            continue
        trial = {day: away[day] | other_ids | {officer.pk} for day in dates}
        if coverage_gaps(outreach.centre, trial):
            continue
        history = OfficerDay.objects.filter(officer=officer).exclude(outreach=outreach)
        days = history.filter(date__gte=since).count()
        last = history.order_by("-date").values_list("date", flat=True).first()
        ranked.append(((days, last or dt.date.min, officer.pk), officer))
    ranked.sort(key=lambda pair: pair[0])
    return [officer for _key, officer in ranked]


def rotation_propose(outreach: Outreach, service: Service) -> User | None:
    """Who goes next for `service`, or None when nobody can go without emptying the centre."""
    candidates = rotation_candidates(outreach, service)
    return candidates[0] if candidates else None
