"""Planning Huduma Mashinani: the monthly calendar, venue and days, portable services, the staff
rotation, logistics, the imprest, the SMS announcement, opt-ins and suggestions.

Every verb that changes who is away on which day locks the centre's row first: the check that
no service of the centre is left without an officer reads every outreach of the centre, so two
plans changed at once must not both pass it. The unique (officer, date) of OfficerDay backs it.
"""

import calendar
import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.utils.translation import gettext as _

from huduma.accounts.models import Device, Role, User
from huduma.catalogue.models import CentreService, Service
from huduma.core import audit, clock
from huduma.core.errors import Conflict, DomainError, Forbidden
from huduma.core.i18n import localized
from huduma.core.money import kes
from huduma.core.phones import InvalidPhoneNumber, normalise_phone
from huduma.notify.services import sms_send, sms_send_many
from huduma.outreach.geo import in_kenya, point_in_boundary
from huduma.outreach.plan_models import (
    Announcement,
    Expense,
    LogisticsItem,
    OfficerDay,
    OptIn,
    Outreach,
    OutreachDay,
    OutreachOfficer,
    OutreachService,
    Reimbursement,
    Suggestion,
)
from huduma.outreach.sync_models import FieldKit
from huduma.places.models import Centre, SubCounty

MAX_DAYS = 2  # "for up to two days" (the programme's documents)
TEXT_MAX = 400
Status = Outreach.Status


class OutreachError(DomainError):
    pass


# --- small helpers ------------------------------------------------------------------------


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_days(month: dt.date) -> list[dt.date]:
    last = calendar.monthrange(month.year, month.month)[1]
    return [month.replace(day=n) for n in range(1, last + 1)]


def months_back(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 - months
    return dt.date(index // 12, index % 12 + 1, 1)


def _lock_centre(centre: Centre) -> Centre:
    return Centre.objects.select_for_update().get(pk=centre.pk)


def _lock(outreach: Outreach) -> Outreach:
    # of=("self",): lock the outreach row only, not the centre and county it is joined to.
    return (
        Outreach.objects.select_for_update(of=("self",))
        .select_related("centre__county", "sub_county")
        .get(pk=outreach.pk)
    )


def _require_open(outreach: Outreach, *, agreed_part: bool = False) -> None:
    """Services and officers change until the announcement; the days and the venue were agreed
    with the local administration, so they change only while proposed (or cancel and replan)."""
    if agreed_part and outreach.status == Status.AGREED:
        raise Conflict(
            _(
                "The days and venue were agreed with the local administration: cancel and plan "
                "again to change them."
            ),
            field="status",
        )
    if not outreach.is_open_for_changes:
        raise Conflict(
            _("This outreach is %(status)s: its plan can no longer change.")
            % {"status": outreach.get_status_display().lower()},
            field="status",
        )


def _clean_text(value: str | None, *, field: str, max_length: int, required: bool = False) -> str:
    text = " ".join((value or "").split())
    if required and not text:
        raise OutreachError(_("This field is required."), field=field)
    if len(text) > max_length:
        raise OutreachError(
            _("Use at most %(n)s characters.") % {"n": max_length},
            field=field,
        )
    return text


# Ticket letters of outreaches and kits: none a service group uses, from the end of the alphabet.
TICKET_LETTERS = "ZYXWVUTSRQPONM"


def ticket_letters_taken(centre: Centre, dates, *, outreach: Outreach | None = None) -> set[str]:
    """The letters a new outreach or kit of `centre` on `dates` may not take: every service
    group's, those of the centre's outreaches on those days, and those of its live kits going
    on those days or to no outreach. `outreach`'s own days and kits are left out (it keeps its
    letter when its days move). `dates` None means every day from today (a kit with no
    outreach)."""
    taken = set(Service.objects.exclude(group="").values_list("group", flat=True))
    days = OutreachDay.objects.filter(centre=centre)
    kits = FieldKit.objects.filter(device__centre=centre).exclude(
        device__status=Device.Status.REVOKED
    )
    if dates is None:
        days = days.filter(date__gte=clock.local_date())
    else:
        days = days.filter(date__in=list(dates))
        kits = kits.filter(
            Q(outreach__isnull=True)
            | Q(outreach__days__centre=centre, outreach__days__date__in=list(dates))
        )
    if outreach is not None:
        days = days.exclude(outreach=outreach)
        kits = kits.exclude(outreach=outreach)
    taken |= set(days.values_list("ticket_prefix", flat=True))
    taken |= set(kits.values_list("ticket_prefix", flat=True))
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


# --- who serves what ------------------------------------------------------------------------


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


def _outreach_dates(outreach: Outreach) -> list[dt.date]:
    return list(outreach.days.order_by("date").values_list("date", flat=True))


def _check_plan(outreach: Outreach, officer_ids: set[int], dates: list[dt.date]) -> None:
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


def _rebuild_officer_days(outreach: Outreach) -> None:
    OfficerDay.objects.filter(outreach=outreach).delete()
    officer_ids = set(outreach.officers.values_list("officer_id", flat=True))
    rows = [
        OfficerDay(outreach=outreach, officer_id=officer_id, date=day)
        for officer_id in sorted(officer_ids)
        for day in _outreach_dates(outreach)
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
    dates = _outreach_dates(outreach)
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
        centre = _lock_centre(centre)
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
        _lock_centre(outreach.centre)
        outreach = _lock(outreach)
        _require_open(outreach, agreed_part=True)
        officer_ids = set(outreach.officers.values_list("officer_id", flat=True))
        _check_plan(outreach, officer_ids, dates)
        before = [d.isoformat() for d in _outreach_dates(outreach)]
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
        _rebuild_officer_days(outreach)
        audit.record(
            action="outreach.days_set",
            instance=outreach,
            actor=actor,
            before={"dates": before},
            after={"dates": [d.isoformat() for d in dates]},
        )
    return outreach


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
    name = _clean_text(name, field="venue_name", max_length=120, required=True)
    ward = _clean_text(ward, field="venue_ward", max_length=80, required=True)
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
        outreach = _lock(outreach)
        _require_open(outreach, agreed_part=True)
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
        pk: _clean_text(text, field="equipment", max_length=300) for pk, text in chosen.items()
    }
    with transaction.atomic():
        _lock_centre(outreach.centre)
        outreach = _lock(outreach)
        _require_open(outreach)
        outreach.services.exclude(service_id__in=list(chosen)).delete()
        outreach.officers.exclude(service_id__in=list(chosen)).delete()
        for pk, text in equipment.items():
            OutreachService.objects.update_or_create(
                outreach=outreach, service_id=pk, defaults={"equipment": text}
            )
        _rebuild_officer_days(outreach)
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
        _lock_centre(outreach.centre)
        outreach = _lock(outreach)
        _require_open(outreach)
        dates = _outreach_dates(outreach)
        officer_ids = set(
            outreach.officers.exclude(service=service).values_list("officer_id", flat=True)
        )
        _check_plan(outreach, officer_ids | {officer.pk}, dates)
        assignment, _created = OutreachOfficer.objects.update_or_create(
            outreach=outreach, service=service, defaults={"officer": officer}
        )
        _rebuild_officer_days(outreach)
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
    name = _clean_text(name, field="agreed_by_name", max_length=120, required=True)
    office = _clean_text(office, field="agreed_by_office", max_length=120, required=True)
    if not isinstance(agreed_on, dt.date):
        raise OutreachError(_("Enter a date like 2026-12-03."), field="agreed_on")
    if agreed_on > clock.local_date():
        raise OutreachError(_("The agreement cannot be dated in the future."), field="agreed_on")
    with transaction.atomic():
        outreach = _lock(outreach)
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
        if any(day < clock.local_date() for day in _outreach_dates(outreach)):
            raise OutreachError(_("A day of this outreach is in the past."), field="dates")
        outreach.agreed_by_name, outreach.agreed_by_office = name, office
        outreach.agreed_on = agreed_on
        outreach.status = Status.AGREED
        outreach.save()
        audit.record(action="outreach.agreed", instance=outreach, actor=actor)
    return outreach


def outreach_communicate(*, outreach: Outreach, stakeholders: str, actor) -> Outreach:
    stakeholders = _clean_text(
        stakeholders, field="communicated_to", max_length=TEXT_MAX, required=True
    )
    with transaction.atomic():
        outreach = _lock(outreach)
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
        outreach = _lock(outreach)
        if outreach.status not in allowed:
            raise Conflict(
                _("An outreach that is %(status)s cannot become %(target)s.")
                % {
                    "status": outreach.get_status_display().lower(),
                    "target": target.label.lower(),
                },
                field="status",
            )
        if target == Status.HELD and _outreach_dates(outreach)[0] > clock.local_date():
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


# --- logistics and money ------------------------------------------------------------------


_AMOUNT = re.compile(r"[0-9]{1,8}(?:\.[0-9]{1,2})?")


def parse_amount(value, *, field: str = "amount_kes") -> Decimal:
    """Shillings written as digits (thousands commas allowed), two decimals at most. Checked as
    text first: Decimal would take "1e400" or "NaN", and quantizing those fails."""
    text = str(value if value is not None else "").strip().replace(",", "")
    if not _AMOUNT.fullmatch(text):
        raise OutreachError(_("Enter an amount in shillings, like 2500."), field=field)
    return kes(text)


# What the audit log shows as before and after of a venue or a logistics item changed.
VENUE_FIELDS = ("venue_name", "venue_ward", "venue_lat", "venue_lon", "opens_at", "closes_at")
LOGISTICS_FIELDS = ("source", "supplier", "cost_kes")
EXPENSE_FIELDS = ("description", "amount_kes", "receipt_number", "spent_on")


def logistics_set(
    *, outreach: Outreach, kind: str, source: str, supplier: str, cost, actor
) -> LogisticsItem:
    if kind not in LogisticsItem.Kind.values:
        raise OutreachError(_("Unknown item."), field="kind")
    if source not in LogisticsItem.Source.values:
        raise OutreachError(_("Choose borrowed or hired."), field="source")
    supplier = _clean_text(supplier, field="supplier", max_length=120)
    cost = parse_amount(cost or "0", field="cost_kes")
    if source == LogisticsItem.Source.HIRED and cost <= 0:
        raise OutreachError(_("Enter what hiring it costs."), field="cost_kes")
    if source != LogisticsItem.Source.HIRED:
        cost = Decimal("0.00")
    with transaction.atomic():
        outreach = _lock(outreach)
        if outreach.status in (Status.CLOSED, Status.CANCELLED):
            raise Conflict(_("This outreach is closed."), field="status")
        was = LogisticsItem.objects.filter(outreach=outreach, kind=kind).first()
        item, _created = LogisticsItem.objects.update_or_create(
            outreach=outreach,
            kind=kind,
            defaults={"source": source, "supplier": supplier, "cost_kes": cost},
        )
        audit.record(
            action="outreach.logistics_set",
            instance=item,
            actor=actor,
            before={f: getattr(was, f) for f in LOGISTICS_FIELDS} if was else None,
            after={f: getattr(item, f) for f in LOGISTICS_FIELDS},
        )
    return item


def imprest_spent(outreach: Outreach) -> Decimal:
    total = Expense.objects.filter(outreach=outreach).aggregate(total=Sum("amount_kes"))["total"]
    return total or Decimal("0.00")


def imprest_balance(outreach: Outreach) -> Decimal:
    return outreach.imprest_kes - imprest_spent(outreach)


def expense_record(
    *,
    outreach: Outreach,
    description: str,
    amount,
    receipt_number: str,
    receipt_photo: str = "",
    spent_on: dt.date | None = None,
    actor,
) -> Expense:
    """Spend from the imprest, with a receipt. Refused beyond the balance: the outreach row is
    locked while the balance is read and the expense written, so two at once cannot overspend."""
    description = _clean_text(description, field="description", max_length=200, required=True)
    receipt_number = _clean_text(
        receipt_number, field="receipt_number", max_length=40, required=True
    )
    receipt_photo = _clean_text(receipt_photo, field="receipt_photo", max_length=200)
    amount = parse_amount(amount)
    if amount <= 0:
        raise OutreachError(_("Enter an amount in shillings, like 2500."), field="amount_kes")
    spent_on = spent_on or clock.local_date()
    if spent_on > clock.local_date():
        raise OutreachError(_("An expense cannot be dated in the future."), field="spent_on")
    with transaction.atomic():
        outreach = _lock(outreach)
        if outreach.status == Status.CLOSED:
            raise Conflict(_("This outreach is closed."), field="status")
        balance = imprest_balance(outreach)
        if amount > balance:
            raise OutreachError(
                _("KES %(amount)s is more than the imprest's balance of KES %(balance)s.")
                % {"amount": f"{amount:,.2f}", "balance": f"{balance:,.2f}"},
                field="amount_kes",
            )
        if Expense.objects.filter(outreach=outreach, receipt_number=receipt_number).exists():
            raise Conflict(_("This receipt is already recorded."), field="receipt_number")
        expense = Expense.objects.create(
            outreach=outreach,
            description=description,
            amount_kes=amount,
            receipt_number=receipt_number,
            receipt_photo=receipt_photo,
            spent_on=spent_on,
            recorded_by=actor,
            recorded_at=clock.now(),
        )
        audit.record(
            action="outreach.expense_recorded",
            instance=expense,
            actor=actor,
            after={f: getattr(expense, f) for f in EXPENSE_FIELDS},
        )
    return expense


def reimbursement_request(*, outreach: Outreach, actor) -> Reimbursement:
    """Claim back every expense not yet claimed."""
    with transaction.atomic():
        outreach = _lock(outreach)
        expenses = Expense.objects.filter(outreach=outreach, reimbursement__isnull=True)
        total = expenses.aggregate(total=Sum("amount_kes"))["total"] or Decimal(0)
        if total <= 0:
            raise OutreachError(_("There is no expense to claim back."), field="expenses")
        claim = Reimbursement.objects.create(
            outreach=outreach, amount_kes=total, requested_by=actor, requested_at=clock.now()
        )
        expenses.update(reimbursement=claim)
        audit.record(action="outreach.reimbursement_requested", instance=claim, actor=actor)
    return claim


def reimbursement_approve(*, reimbursement: Reimbursement, actor) -> Reimbursement:
    """A second person approves: never the one who asked (a database constraint too)."""
    with transaction.atomic():
        claim = Reimbursement.objects.select_for_update().get(pk=reimbursement.pk)
        if claim.requested_by_id == actor.pk:
            raise Forbidden(
                _("A second person must approve: you asked for this reimbursement."),
                field="approved_by",
            )
        if claim.status == Reimbursement.Status.APPROVED:
            return claim
        claim.status = Reimbursement.Status.APPROVED
        claim.approved_by = actor
        claim.approved_at = clock.now()
        claim.save()
        audit.record(action="outreach.reimbursement_approved", instance=claim, actor=actor)
    return claim


# --- publicity ----------------------------------------------------------------------------


def announcement_context(outreach: Outreach, language: str) -> dict:
    dates = _outreach_dates(outreach)
    services = ", ".join(
        localized(row.service, "name", language)
        for row in outreach.services.select_related("service").order_by("service__name_en")
    )
    return {
        "dates": " & ".join(day.strftime("%d/%m/%Y") for day in dates),
        "hours": f"{outreach.opens_at:%H:%M}-{outreach.closes_at:%H:%M}",
        "venue": f"{outreach.venue_name}, {outreach.venue_ward}",
        "services": services[:200],
    }


def outreach_announce(*, outreach: Outreach, actor) -> Announcement:
    """Text everyone who opted in for the sub-county, once. The announcement row is unique per
    outreach and written with the messages in one transaction: a second call (or a double
    click) finds the row and sends nothing."""
    with transaction.atomic():
        outreach = _lock(outreach)
        existing = Announcement.objects.filter(outreach=outreach).first()
        if existing is not None:
            return existing
        if outreach.status != Status.AGREED:
            raise Conflict(
                _("Agree the venue and dates with the local administration before announcing."),
                field="status",
            )
        subscribers = OptIn.objects.filter(
            sub_county=outreach.sub_county, opted_out_at__isnull=True
        ).order_by("pk")
        contexts = {lang: announcement_context(outreach, lang) for lang in ("en", "sw")}
        messages = [
            (row.phone, "outreach_announcement", contexts[row.language], row.language)
            for row in subscribers
        ]
        sent = sms_send_many(messages)
        announcement = Announcement.objects.create(
            outreach=outreach, recipients=len(sent), announced_by=actor, announced_at=clock.now()
        )
        outreach.status = Status.ANNOUNCED
        outreach.save(update_fields=["status", "updated_at"])
        audit.record(action="outreach.announced", instance=outreach, actor=actor)
    return announcement


def opt_in(*, phone: str, sub_county: SubCounty, language: str, source: str) -> OptIn:
    """A citizen asks to hear of outreaches in their sub-county (again, if they had left)."""
    try:
        phone = normalise_phone(phone)
    except InvalidPhoneNumber as exc:
        raise OutreachError(str(exc), field="phone") from exc
    language = language if language in ("en", "sw") else "sw"
    with transaction.atomic():
        row, _created = OptIn.objects.update_or_create(
            phone=phone,
            sub_county=sub_county,
            defaults={
                "language": language,
                "source": source,
                "opted_in_at": clock.now(),
                "opted_out_at": None,
            },
        )
    return row


def opt_out(*, phone: str) -> int:
    return OptIn.objects.filter(phone=phone, opted_out_at__isnull=True).update(
        opted_out_at=clock.now()
    )


SMS_KEYWORD = "MASHINANI"
SMS_STOP = {"STOP", "ACHA"}


def opt_in_from_sms(*, phone: str, text: str) -> str | None:
    """ "MASHINANI <sub-county>" opts in; "MASHINANI STOP" (or ACHA) opts out of every one.
    None when the SMS is not ours."""
    words = (text or "").strip().split(maxsplit=1)
    if not words or words[0].upper() != SMS_KEYWORD:
        return None
    rest = " ".join(words[1].split()) if len(words) > 1 else ""
    try:
        phone = normalise_phone(phone)
    except InvalidPhoneNumber:
        return "ignored: bad sender number"
    if rest.upper() in SMS_STOP:
        opt_out(phone=phone)
        sms_send(to=phone, template="outreach_opted_out", context={}, language="sw")
        return "opted out of outreach announcements"
    matches = list(SubCounty.objects.filter(name__iexact=rest[:80]).select_related("county"))
    if len(matches) != 1:
        sms_send(to=phone, template="outreach_opt_in_help", context={}, language="sw")
        return "sent outreach opt-in instructions"
    sub_county = matches[0]
    opt_in(phone=phone, sub_county=sub_county, language="sw", source=OptIn.Source.SMS)
    sms_send(
        to=phone,
        template="outreach_opted_in",
        context={"sub_county": sub_county.name},
        language="sw",
    )
    return f"opted in to {sub_county.name}"


def suggestion_submit(*, sub_county: SubCounty, venue: str, services: str) -> Suggestion:
    venue = _clean_text(venue, field="venue", max_length=120)
    services = _clean_text(services, field="services", max_length=TEXT_MAX)
    if not venue and not services:
        raise OutreachError(_("Suggest a venue, a service, or both."), field="venue")
    return Suggestion.objects.create(
        sub_county=sub_county, venue=venue, services=services, created_at=clock.now()
    )
