"""Planning Huduma Mashinani: the monthly calendar, days and venue, services and officers,
the agreement with the local administration and the status moves.

Every verb that changes who is away on which day locks the centre's row first: the check that
no service of the centre is left without an officer reads every outreach of the centre, so two
plans changed at once must not both pass it. The unique (officer, date) of OfficerDay backs it.
"""

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from huduma.accounts.models import User
from huduma.catalogue.models import Service
from huduma.core import audit, clock
from huduma.core.errors import Conflict
from huduma.outreach.geo import in_kenya, point_in_boundary
from huduma.outreach.letters import ticket_letter_free
from huduma.outreach.plan_base import (
    MAX_DAYS,
    TEXT_MAX,
    OutreachError,
    Status,
    clean_text,
    lock_centre,
    lock_outreach,
    month_days,
    month_start,
    outreach_dates,
    require_open,
)
from huduma.outreach.plan_models import (
    Expense,
    LogisticsItem,
    OfficerDay,
    Outreach,
    OutreachDay,
    OutreachOfficer,
    OutreachService,
    Reimbursement,
)
from huduma.outreach.rotation import (
    check_plan,
    officers_of,
    portable_services,
    rebuild_officer_days,
)
from huduma.places.models import Centre, SubCounty

# --- the calendar ---------------------------------------------------------------------------


def calendar_propose(*, centre: Centre, month: dt.date, actor) -> list[Outreach]:
    """Propose one outreach for each sub-county of the centre's county that has none this month,
    one day each, spread over the working days left in the month (not today, not weekends or
    public holidays). Returns the outreaches created."""
    month = month_start(month)
    today = clock.local_date()
    days = [day for day in month_days(month) if day > today and clock.is_working_day(day)]
    if not days:
        raise OutreachError(
            _("No working day is left in %(month)s: choose a later month.")
            % {"month": month.strftime("%Y-%m")},
            field="month",
        )
    with transaction.atomic():
        centre = lock_centre(centre)
        taken = set(
            Outreach.objects.filter(centre=centre, month=month)
            .exclude(status=Status.CANCELLED)
            .values_list("sub_county_id", flat=True)
        )
        missing = [
            sub
            for sub in SubCounty.objects.filter(county_id=centre.county_id).order_by("name")
            if sub.pk not in taken
        ]
        created = []
        for index, sub_county in enumerate(missing):
            day = days[(index * len(days)) // len(missing)]
            prefix = ticket_letter_free(centre, [day])
            outreach = Outreach.objects.create(
                centre=centre,
                sub_county=sub_county,
                month=month,
                ticket_prefix=prefix,
                imprest_kes=Decimal(settings.OUTREACH_IMPREST_KES),
                created_by=actor,
            )
            OutreachDay.objects.create(
                outreach=outreach, centre=centre, date=day, ticket_prefix=prefix
            )
            for kind in LogisticsItem.Kind.values:
                LogisticsItem.objects.create(outreach=outreach, kind=kind)
            created.append(outreach)
        if created:
            audit.record(
                action="outreach.calendar_proposed",
                instance=centre,
                actor=actor,
                after={"month": month.isoformat(), "outreaches": [o.pk for o in created]},
            )
    return created


def parse_dates(values: list[str]) -> list[dt.date]:
    dates = []
    for value in values:
        value = (value or "").strip()
        if not value:
            continue
        try:
            dates.append(dt.date.fromisoformat(value[:10]))
        except ValueError as exc:
            raise OutreachError(_("Enter a date like 2026-12-03."), field="dates") from exc
    return dates


def outreach_set_days(*, outreach: Outreach, dates: list[dt.date], actor) -> Outreach:
    """One or two days in the outreach's month, not past, not Sundays or public holidays. The
    officers already chosen must be free and the centre still covered on the new days."""
    dates = sorted(set(dates))
    if not dates:
        raise OutreachError(_("Choose the day of the outreach."), field="dates")
    if len(dates) > MAX_DAYS:
        raise OutreachError(_("An outreach lasts one or two days."), field="dates")
    today = clock.local_date()
    for day in dates:
        if day < today:
            raise OutreachError(
                _("%(date)s is in the past. Choose a day from today on.")
                % {"date": day.isoformat()},
                field="dates",
            )
        if month_start(day) != outreach.month:
            raise OutreachError(
                _("%(date)s is not in %(month)s, the month of this outreach.")
                % {"date": day.isoformat(), "month": outreach.month.strftime("%Y-%m")},
                field="dates",
            )
        if day.weekday() == 6 or clock.is_holiday(day):
            raise OutreachError(
                _("%(date)s is a Sunday or a public holiday. Choose another day.")
                % {"date": day.isoformat()},
                field="dates",
            )
    with transaction.atomic():
        lock_centre(outreach.centre)
        outreach = lock_outreach(outreach)
        require_open(outreach, agreed_part=True)
        officer_ids = set(outreach.officers.values_list("officer_id", flat=True))
        check_plan(outreach, officer_ids, dates)
        before = [d.isoformat() for d in outreach_dates(outreach)]
        # Kept if still free on the new days; no kit holds it yet (kits go to agreed plans).
        outreach.ticket_prefix = ticket_letter_free(outreach.centre, dates, outreach=outreach)
        outreach.save(update_fields=["ticket_prefix", "updated_at"])
        outreach.days.all().delete()
        for day in dates:
            OutreachDay.objects.create(
                outreach=outreach,
                centre=outreach.centre,
                date=day,
                ticket_prefix=outreach.ticket_prefix,
            )
        rebuild_officer_days(outreach)
        audit.record(
            action="outreach.days_set",
            instance=outreach,
            actor=actor,
            before={"dates": before},
            after={"dates": [d.isoformat() for d in dates]},
        )
    return outreach


VENUE_FIELDS = ("venue_name", "venue_ward", "venue_lat", "venue_lon", "opens_at", "closes_at")


def _coordinate(value, *, field: str, low: float, high: float) -> Decimal:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise OutreachError(_("Enter a number like -1.286389."), field=field) from exc
    if not number.is_finite() or not (low <= number <= high):
        raise OutreachError(_("Enter a number like -1.286389."), field=field)
    return number.quantize(Decimal("0.000001"))


def outreach_set_venue(
    *,
    outreach: Outreach,
    name: str,
    ward: str,
    lat,
    lon,
    opens_at: dt.time | None = None,
    closes_at: dt.time | None = None,
    actor,
) -> Outreach:
    """The venue, which must lie inside the county of the centre, and the hours."""
    name = clean_text(name, field="venue_name", max_length=120, required=True)
    ward = clean_text(ward, field="venue_ward", max_length=80, required=True)
    lat = _coordinate(lat, field="venue_lat", low=-90, high=90)
    lon = _coordinate(lon, field="venue_lon", low=-180, high=180)
    county = outreach.centre.county
    inside = (
        point_in_boundary(float(lat), float(lon), county.boundary)
        if county.boundary
        else in_kenya(float(lat), float(lon))
    )
    if not inside:
        raise OutreachError(
            _("The venue at %(lat)s, %(lon)s is outside %(county)s County. Check the coordinates.")
            % {"lat": lat, "lon": lon, "county": county.name},
            field="venue_lat",
        )
    opens_at = opens_at or outreach.opens_at
    closes_at = closes_at or outreach.closes_at
    if opens_at >= closes_at:
        raise OutreachError(
            _("The closing time must be after the opening time."), field="closes_at"
        )
    with transaction.atomic():
        outreach = lock_outreach(outreach)
        require_open(outreach, agreed_part=True)
        before = {name: getattr(outreach, name) for name in VENUE_FIELDS}
        outreach.venue_name, outreach.venue_ward = name, ward
        outreach.venue_lat, outreach.venue_lon = lat, lon
        outreach.opens_at, outreach.closes_at = opens_at, closes_at
        outreach.save()
        audit.record(
            action="outreach.venue_set",
            instance=outreach,
            actor=actor,
            before=before,
            after={name: getattr(outreach, name) for name in VENUE_FIELDS},
        )
    return outreach


def outreach_set_services(*, outreach: Outreach, chosen: dict[int, str], actor) -> Outreach:
    """The services that go ({service id: equipment}): portable ones of the centre only, at
    least one. A service dropped loses its officer."""
    if not chosen:
        raise OutreachError(
            _("Choose at least one portable service: an outreach with no service is refused."),
            field="services",
        )
    allowed = {s.pk: s for s in portable_services(outreach.centre)}
    refused = [pk for pk in chosen if pk not in allowed]
    if refused:
        service = Service.objects.filter(pk__in=refused).first()
        raise OutreachError(
            _("%(service)s cannot go to an outreach: only portable services of this centre can.")
            % {"service": service.name if service else refused[0]},
            field="services",
        )
    equipment = {
        pk: clean_text(text, field="equipment", max_length=300) for pk, text in chosen.items()
    }
    with transaction.atomic():
        lock_centre(outreach.centre)
        outreach = lock_outreach(outreach)
        require_open(outreach)
        outreach.services.exclude(service_id__in=list(chosen)).delete()
        outreach.officers.exclude(service_id__in=list(chosen)).delete()
        for pk, text in equipment.items():
            OutreachService.objects.update_or_create(
                outreach=outreach, service_id=pk, defaults={"equipment": text}
            )
        rebuild_officer_days(outreach)
        audit.record(
            action="outreach.services_set",
            instance=outreach,
            actor=actor,
            after={"services": sorted(chosen)},
        )
    return outreach


def outreach_assign_officer(
    *, outreach: Outreach, service: Service, officer: User, actor
) -> OutreachOfficer:
    """Send `officer` for `service`: refused if the officer cannot serve it, is on another
    outreach those days, or if the centre would be left with no officer for a service."""
    if not outreach.services.filter(service=service).exists():
        raise OutreachError(_("Choose this service for the outreach first."), field="service")
    if not officers_of(service, outreach.centre).filter(pk=officer.pk).exists():
        raise OutreachError(
            _("%(officer)s does not serve %(service)s at this centre.")
            % {"officer": officer, "service": service.name},
            field="officer",
        )
    with transaction.atomic():
        lock_centre(outreach.centre)
        outreach = lock_outreach(outreach)
        require_open(outreach)
        dates = outreach_dates(outreach)
        officer_ids = set(
            outreach.officers.exclude(service=service).values_list("officer_id", flat=True)
        )
        check_plan(outreach, officer_ids | {officer.pk}, dates)
        assignment, _created = OutreachOfficer.objects.update_or_create(
            outreach=outreach, service=service, defaults={"officer": officer}
        )
        rebuild_officer_days(outreach)
        audit.record(
            action="outreach.officer_assigned",
            instance=outreach,
            actor=actor,
            after={"service": service.pk, "officer": officer.pk},
        )
    return assignment


def outreach_agree(*, outreach: Outreach, name: str, office: str, agreed_on, actor) -> Outreach:
    """Record who in the local administration agreed to the venue and dates. The plan must be
    whole by then: days, a venue, a portable service, and an officer for each service."""
    name = clean_text(name, field="agreed_by_name", max_length=120, required=True)
    office = clean_text(office, field="agreed_by_office", max_length=120, required=True)
    if not isinstance(agreed_on, dt.date):
        raise OutreachError(_("Enter a date like 2026-12-03."), field="agreed_on")
    if agreed_on > clock.local_date():
        raise OutreachError(_("The agreement cannot be dated in the future."), field="agreed_on")
    with transaction.atomic():
        outreach = lock_outreach(outreach)
        if outreach.status != Status.PROPOSED:
            raise Conflict(_("Only a proposed outreach can be agreed."), field="status")
        if not outreach.venue_name or outreach.venue_lat is None:
            raise OutreachError(_("Set the venue first."), field="venue_name")
        chosen = set(outreach.services.values_list("service_id", flat=True))
        if not chosen:
            raise OutreachError(
                _("Choose at least one portable service: an outreach with no service is refused."),
                field="services",
            )
        staffed = set(outreach.officers.values_list("service_id", flat=True))
        if chosen - staffed:
            raise OutreachError(_("Choose an officer for every service first."), field="officer")
        if any(day < clock.local_date() for day in outreach_dates(outreach)):
            raise OutreachError(_("A day of this outreach is in the past."), field="dates")
        outreach.agreed_by_name, outreach.agreed_by_office = name, office
        outreach.agreed_on = agreed_on
        outreach.status = Status.AGREED
        outreach.save()
        audit.record(action="outreach.agreed", instance=outreach, actor=actor)
    return outreach


def outreach_communicate(*, outreach: Outreach, stakeholders: str, actor) -> Outreach:
    stakeholders = clean_text(
        stakeholders, field="communicated_to", max_length=TEXT_MAX, required=True
    )
    with transaction.atomic():
        outreach = lock_outreach(outreach)
        if outreach.status in (Status.PROPOSED, Status.CANCELLED):
            raise Conflict(
                _("Agree the venue and dates before telling stakeholders."), field="status"
            )
        outreach.communicated_to = stakeholders
        outreach.communicated_at = clock.now()
        outreach.save()
        audit.record(action="outreach.communicated", instance=outreach, actor=actor)
    return outreach


_NEXT = {
    "held": ({Status.AGREED, Status.ANNOUNCED}, Status.HELD),
    "closed": ({Status.HELD}, Status.CLOSED),
    "cancelled": ({Status.PROPOSED, Status.AGREED, Status.ANNOUNCED}, Status.CANCELLED),
}


def moves_from(outreach: Outreach) -> set[str]:
    """The steps outreach_move may take from the outreach's status (what the page offers)."""
    return {to for to, (allowed, _target) in _NEXT.items() if outreach.status in allowed}


def outreach_move(*, outreach: Outreach, to: str, actor) -> Outreach:
    """held (after the days), closed (once accounted for) or cancelled (frees the officers)."""
    if to not in _NEXT:
        raise OutreachError(_("Unknown step."), field="status")
    allowed, target = _NEXT[to]
    with transaction.atomic():
        outreach = lock_outreach(outreach)
        if outreach.status not in allowed:
            raise Conflict(
                _("An outreach that is %(status)s cannot become %(target)s.")
                % {
                    "status": outreach.get_status_display().lower(),
                    "target": target.label.lower(),
                },
                field="status",
            )
        if target == Status.HELD and outreach_dates(outreach)[0] > clock.local_date():
            raise Conflict(_("The outreach has not started yet."), field="status")
        if target == Status.CLOSED and (
            Expense.objects.filter(outreach=outreach, reimbursement__isnull=True).exists()
            or outreach.reimbursements.filter(status=Reimbursement.Status.REQUESTED).exists()
        ):
            raise Conflict(
                _("Account for the imprest first: every expense claimed and its claim approved."),
                field="status",
            )
        if target == Status.CANCELLED:
            OfficerDay.objects.filter(outreach=outreach).delete()
        before = outreach.status
        outreach.status = target
        outreach.save()
        audit.record(
            action=f"outreach.{to}",
            instance=outreach,
            actor=actor,
            before={"status": before},
            after={"status": target},
        )
    return outreach
