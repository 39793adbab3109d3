"""Reads of Huduma Mashinani shared by the pages: the calendar, one outreach's plan and budget,
the records made at an outreach, and the reports per outreach and per month and county."""

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Avg, Count, Q, QuerySet, Sum

from huduma.applications.models import Application
from huduma.catalogue.models import Service
from huduma.complaints.models import Complaint
from huduma.core import clock
from huduma.feedback.models import Rating
from huduma.outreach.imprest import imprest_spent
from huduma.outreach.plan_base import month_days
from huduma.outreach.plan_models import Outreach, OutreachDay, Suggestion
from huduma.outreach.rotation import officers_of, portable_services, rotation_propose
from huduma.outreach.sync_models import FieldKit
from huduma.payments.models import Payment
from huduma.places.models import Centre, County
from huduma.queues.models import Ticket, Visit

# --- which records an outreach made -----------------------------------------------------------
#
# A record made by a field kit carries the kit's node id (core.models.OfflineRecord.node_id).
# OutreachConfig.ready registers the kits enrolled for an outreach (FieldKit.outreach) as the
# source of its node ids; tests may add their own.

KitSource = Callable[[Outreach], Iterable[str]]
_kit_sources: list[KitSource] = []


def register_kit_source(source: KitSource) -> None:
    if source not in _kit_sources:
        _kit_sources.append(source)


def unregister_kit_source(source: KitSource) -> None:
    if source in _kit_sources:
        _kit_sources.remove(source)


def kit_node_ids(outreach: Outreach) -> set[str]:
    """The node ids of the kits enrolled for `outreach` (revoked ones too: what they synced
    before they were lost was made there)."""
    ids: set[str] = set()
    for source in _kit_sources:
        ids.update(str(node) for node in source(outreach))
    return ids


@dataclass(frozen=True)
class OutreachRecords:
    visits: QuerySet
    tickets: QuerySet
    applications: QuerySet
    payments: QuerySet
    ratings: QuerySet
    complaints: QuerySet


def records_of_outreach(outreach: Outreach) -> OutreachRecords:
    """The records made at `outreach`: visits whose centre is the outreach's centre, whose
    service day is one of the outreach's days and whose node id is one of its kits' (see
    kit_node_ids), and the tickets, applications, payments, ratings and complaints of those
    visits' tickets."""
    dates = list(outreach.days.values_list("date", flat=True))
    nodes = kit_node_ids(outreach)
    visits = Visit.objects.filter(
        centre=outreach.centre, service_day__in=dates, node_id__in=sorted(nodes)
    )
    tickets = Ticket.objects.filter(visit__in=visits)
    return OutreachRecords(
        visits=visits,
        tickets=tickets,
        applications=Application.objects.filter(ticket__in=tickets),
        payments=Payment.objects.filter(
            invoice__ticket__in=tickets, status=Payment.Status.COMPLETED
        ),
        ratings=Rating.objects.filter(ticket__in=tickets),
        complaints=Complaint.objects.filter(ticket__in=tickets),
    )


# --- the calendar -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CalendarDay:
    date: dt.date
    outreaches: list


@dataclass(frozen=True)
class CountyCalendar:
    county: County
    centres: list[Centre]
    outreaches: list[Outreach]
    weeks: list[list[CalendarDay | None]]
    missing: list = field(default_factory=list)  # sub-counties with no outreach this month


def county_calendar(county: County, month: dt.date, centres=None) -> CountyCalendar:
    """A month of a county's outreaches, as weeks (Monday first) for a grid and as a list."""
    centres = list(centres if centres is not None else county.centres.order_by("name"))
    outreaches = sorted(
        Outreach.objects.filter(centre__in=centres, month=month)
        .exclude(status=Outreach.Status.CANCELLED)
        .select_related("sub_county", "centre")
        .prefetch_related("days"),
        # By first day, then name (ordering by the joined days would repeat two-day outreaches).
        key=lambda o: (min((d.date for d in o.days.all()), default=month), o.sub_county.name),
    )
    by_day: dict[dt.date, list] = {}
    for outreach in outreaches:
        for day in outreach.days.all():
            by_day.setdefault(day.date, []).append(outreach)
    days = month_days(month)
    weeks: list[list[CalendarDay | None]] = []
    week: list[CalendarDay | None] = [None] * days[0].weekday()
    for day in days:
        week.append(CalendarDay(day, by_day.get(day, [])))
        if len(week) == 7:
            weeks.append(week)
            week = []
    if week:
        weeks.append(week + [None] * (7 - len(week)))
    covered = {o.sub_county_id for o in outreaches}
    missing = [sub for sub in county.sub_counties.order_by("name") if sub.pk not in covered]
    return CountyCalendar(county, centres, outreaches, weeks, missing)


def suggestions_for(county: County):
    return Suggestion.objects.filter(sub_county__county=county).select_related("sub_county")[:100]


# --- reports --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ServiceLine:
    service: object
    served: int
    applications: int
    revenue_kes: Decimal


@dataclass(frozen=True)
class OutreachReport:
    outreach: Outreach
    citizens: int
    served: int
    lines: list[ServiceLine]
    applications: int
    revenue_kes: Decimal
    ratings: int
    average_rating: float | None
    complaints: int
    imprest_kes: Decimal
    spent_kes: Decimal
    balance_kes: Decimal


def outreach_report(outreach: Outreach) -> OutreachReport:
    records = records_of_outreach(outreach)
    served = records.tickets.filter(status=Ticket.Status.SERVED)
    by_service = {
        row["service"]: row["n"] for row in served.values("service").annotate(n=Count("pk"))
    }
    apps = {
        row["service"]: row["n"]
        for row in records.applications.values("service").annotate(n=Count("pk"))
    }
    money = {
        row["invoice__service"]: row["total"] or Decimal(0)
        for row in records.payments.values("invoice__service").annotate(total=Sum("amount_kes"))
    }
    service_ids = set(by_service) | set(apps) | set(money)
    service_ids |= set(outreach.services.values_list("service_id", flat=True))
    lines = [
        ServiceLine(
            service=service,
            served=by_service.get(service.pk, 0),
            applications=apps.get(service.pk, 0),
            revenue_kes=money.get(service.pk, Decimal(0)),
        )
        for service in Service.objects.filter(pk__in=service_ids).order_by("name_en")
    ]
    ratings = records.ratings.aggregate(n=Count("pk"), avg=Avg("score"))
    spent = imprest_spent(outreach)
    return OutreachReport(
        outreach=outreach,
        citizens=records.visits.filter(tickets__status=Ticket.Status.SERVED).distinct().count(),
        served=sum(by_service.values()),
        lines=lines,
        applications=sum(apps.values()),
        revenue_kes=sum(money.values(), Decimal(0)),
        ratings=ratings["n"],
        average_rating=round(ratings["avg"], 2) if ratings["avg"] is not None else None,
        complaints=records.complaints.count(),
        imprest_kes=outreach.imprest_kes,
        spent_kes=spent,
        balance_kes=outreach.imprest_kes - spent,
    )


@dataclass(frozen=True)
class MonthReport:
    month: dt.date
    county: County | None
    reports: list[OutreachReport]
    outreach_citizens: int
    all_citizens: int
    share_percent: float | None
    spent_kes: Decimal
    revenue_kes: Decimal


def month_report(month: dt.date, county: County | None = None) -> MonthReport:
    """Every outreach of the month (of a county, or all), and the share of all customers served
    in those centres that month who were served at an outreach (the documents report 10%)."""
    outreaches = Outreach.objects.filter(month=month).exclude(status=Outreach.Status.CANCELLED)
    centres = Centre.objects.all()
    if county is not None:
        outreaches = outreaches.filter(centre__county=county)
        centres = centres.filter(county=county)
    reports = [
        outreach_report(o)
        for o in outreaches.select_related("centre", "sub_county").order_by("centre__name")
    ]
    days = month_days(month)
    everyone = (
        Visit.objects.filter(
            centre__in=centres, service_day__gte=days[0], service_day__lte=days[-1]
        )
        .filter(Q(tickets__status=Ticket.Status.SERVED))
        .distinct()
        .count()
    )
    at_outreach = sum(r.citizens for r in reports)
    return MonthReport(
        month=month,
        county=county,
        reports=reports,
        outreach_citizens=at_outreach,
        all_citizens=everyone,
        share_percent=round(100 * at_outreach / everyone, 1) if everyone else None,
        spent_kes=sum((r.spent_kes for r in reports), Decimal(0)),
        revenue_kes=sum((r.revenue_kes for r in reports), Decimal(0)),
    )


def plan_service_rows(outreach: Outreach) -> list[dict]:
    """The centre's portable services, each with whether the plan takes it, its equipment,
    the officers who could go, the one assigned and (chosen, nobody yet) the one proposed."""
    chosen = {row.service_id: row for row in outreach.services.all()}
    assigned = {row.service_id: row.officer for row in outreach.officers.select_related("officer")}
    rows = []
    for service in portable_services(outreach.centre).order_by("name_en"):
        row = chosen.get(service.pk)
        rows.append(
            {
                "service": service,
                "chosen": row is not None,
                "equipment": row.equipment if row else "",
                "officers": list(officers_of(service, outreach.centre)),
                "officer": assigned.get(service.pk),
                "proposed": rotation_propose(outreach, service)
                if row is not None and service.pk not in assigned
                else None,
            }
        )
    return rows


def outreach_plan(outreach: Outreach) -> dict:
    """The plan as plain JSON-able data, for a field kit's snapshot at enrolment and each pull:
    where, when, the ticket letter, the services with their equipment and who goes for each,
    and the officers going."""
    officers = {row.service_id: row.officer for row in outreach.officers.select_related("officer")}
    going = sorted({officer.username for officer in officers.values()})
    return {
        "id": outreach.pk,
        "centre": outreach.centre.code,
        "sub_county": outreach.sub_county.name,
        "status": outreach.status,
        "ticket_prefix": outreach.ticket_prefix,
        "days": [day.isoformat() for day in outreach.days.values_list("date", flat=True)],
        "opens_at": outreach.opens_at.strftime("%H:%M"),
        "closes_at": outreach.closes_at.strftime("%H:%M"),
        "venue": {
            "name": outreach.venue_name,
            "ward": outreach.venue_ward,
            "lat": str(outreach.venue_lat) if outreach.venue_lat is not None else None,
            "lon": str(outreach.venue_lon) if outreach.venue_lon is not None else None,
        },
        "services": [
            {
                "code": row.service.code,
                "equipment": row.equipment,
                "officer": officers[row.service_id].username
                if row.service_id in officers
                else None,
            }
            for row in outreach.services.select_related("service").order_by("service__code")
        ],
        "officers": going,
    }


# A kit is registered for an outreach whose days and venue are settled.
KIT_OUTREACH_STATUSES = (Outreach.Status.AGREED, Outreach.Status.ANNOUNCED)


def kit_outreaches(centre: Centre):
    """The outreaches of `centre` a field kit may be registered for: agreed or announced, with
    a day from today on."""
    return (
        Outreach.objects.filter(
            centre=centre,
            status__in=KIT_OUTREACH_STATUSES,
            pk__in=OutreachDay.objects.filter(date__gte=clock.local_date()).values("outreach"),
        )
        .select_related("sub_county")
        .order_by("month", "sub_county__name")
    )


def outreach_kit_nodes(outreach: Outreach) -> list[str]:
    """The kit source registered by OutreachConfig.ready: the kits enrolled for `outreach`."""
    return list(FieldKit.objects.filter(outreach=outreach).values_list("node_id", flat=True))


# --- what citizens are told ---------------------------------------------------------------------


def upcoming_outreaches(
    *, county_code: int | None = None, sub_county_name: str = "", sub_county_id: int | None = None
) -> QuerySet[Outreach]:
    """Announced outreaches with a day from today (Nairobi) on, soonest first: the answer of
    the public API and of mHuduma to "when is Huduma Mashinani near me?"."""
    qs = (
        Outreach.objects.filter(
            status=Outreach.Status.ANNOUNCED, days__date__gte=clock.local_date()
        )
        .select_related("centre__county", "sub_county")
        .prefetch_related("days", "services__service")
        .distinct()
        .order_by("month", "pk")
    )
    if county_code is not None:
        qs = qs.filter(centre__county__code=county_code)
    if sub_county_name.strip():
        qs = qs.filter(sub_county__name__iexact=sub_county_name.strip())
    if sub_county_id is not None:
        qs = qs.filter(sub_county_id=sub_county_id)
    return qs
