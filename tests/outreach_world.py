"""The outreach corner of the test world: Nairobi's sub-counties and boundary, and more GPO
officers (dave for NRB beside alice; erin and frank for NHIF) so rotation has a choice."""

import datetime as dt

from django.conf import settings

from huduma.accounts.models import Role, User
from huduma.outreach import letters, planning
from huduma.outreach.plan_models import LogisticsItem, Outreach, OutreachDay
from huduma.places.models import SubCounty

# A rough square around Nairobi (GeoJSON order: longitude, latitude), as the loader stores it.
NAIROBI_BOUNDARY = {
    "type": "GeometryCollection",
    "geometries": [
        {
            "type": "MultiPolygon",
            "coordinates": [
                [[[36.65, -1.45], [37.10, -1.45], [37.10, -1.16], [36.65, -1.16], [36.65, -1.45]]]
            ],
        }
    ],
}
IN_NAIROBI = ("-1.2630", "36.8030")  # Westlands
IN_KISUMU = ("-0.0917", "34.7680")

DECEMBER = dt.date(2026, 12, 1)


def add_mashinani(world):
    """Call from a module's `mashinani` fixture (a fixture imported from here would trip F811)."""
    county = world.gpo.county
    county.boundary = NAIROBI_BOUNDARY
    county.save()
    world.westlands = SubCounty.objects.create(county=county, name="Westlands")
    world.kibra = SubCounty.objects.create(county=county, name="Kibra")
    world.embakasi = SubCounty.objects.create(county=county, name="Embakasi East")
    world.kisumu_west = SubCounty.objects.create(county=world.kisumu.county, name="Kisumu West")

    def officer(name, mda):
        return User.objects.create_user(
            username=name,
            password="pw-" + name,
            role=Role.COUNTER_OFFICER,
            centre=world.gpo,
            mda=mda,
            first_name=name.title(),
        )

    world.dave = officer("dave", world.nrb)
    world.erin = officer("erin", world.nhif)
    world.frank = officer("frank", world.nhif)
    return world


def planned(world, sub_county, dates, *, services_=None, month=None):
    """An outreach of GPO in `sub_county` on `dates`, with its venue and services set."""
    month = month or dates[0].replace(day=1)
    prefix = letters.ticket_letter_free(world.gpo, dates)
    outreach = Outreach.objects.create(
        centre=world.gpo,
        sub_county=sub_county,
        month=month,
        ticket_prefix=prefix,
        imprest_kes=settings.OUTREACH_IMPREST_KES,
        created_by=world.bob,
    )
    for day in dates:
        OutreachDay.objects.create(
            outreach=outreach, centre=world.gpo, date=day, ticket_prefix=prefix
        )
    for kind in LogisticsItem.Kind.values:
        LogisticsItem.objects.create(outreach=outreach, kind=kind)
    planning.outreach_set_venue(
        outreach=outreach,
        name="Chief's camp",
        ward="Parklands",
        lat=IN_NAIROBI[0],
        lon=IN_NAIROBI[1],
        actor=world.bob,
    )
    chosen = services_ if services_ is not None else [world.id_dup, world.nhif_reg]
    planning.outreach_set_services(
        outreach=outreach, chosen={s.pk: "Laptop, printer" for s in chosen}, actor=world.bob
    )
    outreach.refresh_from_db()
    return outreach


def agreed(world, sub_county, dates, going: dict):
    """An outreach of GPO agreed with the local administration, ready for a field kit:
    `going` is {service: officer}, the services it takes and who goes for each."""
    from huduma.core import clock

    outreach = planned(world, sub_county, dates, services_=list(going))
    for service, officer in going.items():
        planning.outreach_assign_officer(
            outreach=outreach, service=service, officer=officer, actor=world.bob
        )
    return planning.outreach_agree(
        outreach=outreach,
        name="J. Mwangi",
        office="Deputy County Commissioner",
        agreed_on=clock.local_date(),
        actor=world.bob,
    )


def coming_day(days_ahead: int = 3) -> dt.date:
    """A working day a few days from today (by the clock tests read), in the same month when
    it can be: the field-kit tests run on the real date."""
    from huduma.core import clock

    day = clock.local_date() + dt.timedelta(days=days_ahead)
    while not clock.is_working_day(day):
        day += dt.timedelta(days=1)
    return day
