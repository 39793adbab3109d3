"""The outreach corner of the test world: Nairobi's sub-counties and boundary, and more GPO
officers (dave for NRB beside alice; erin and frank for NHIF) so rotation has a choice."""

import datetime as dt

from django.conf import settings

from huduma.accounts.models import Role, User
from huduma.outreach import services
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
    prefix = services.ticket_prefix_for(sub_county)
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
    services.outreach_set_venue(
        outreach=outreach,
        name="Chief's camp",
        ward="Parklands",
        lat=IN_NAIROBI[0],
        lon=IN_NAIROBI[1],
        actor=world.bob,
    )
    chosen = services_ if services_ is not None else [world.id_dup, world.nhif_reg]
    services.outreach_set_services(
        outreach=outreach, chosen={s.pk: "Laptop, printer" for s in chosen}, actor=world.bob
    )
    outreach.refresh_from_db()
    return outreach
