"""Public API of Huduma Mashinani: the outreaches announced from today, for the citizen
channels (mHuduma, the contact centre) to answer "when is Huduma Mashinani near me?"."""

import datetime as dt

from ninja import Query, Router, Schema
from pydantic import Field

from huduma.core import clock
from huduma.core.http import reject_unknown_params
from huduma.outreach.selectors import upcoming_outreaches

router = Router(tags=["outreach"])
MAX_RESULTS = 100


class UpcomingQuery(Schema):
    county: int | None = Field(None, ge=1, le=47, description="The county's official code.")
    sub_county: str = Field("", max_length=80, description="The sub-county's name.")


class ServiceOut(Schema):
    code: str
    name_en: str
    name_sw: str


class VenueOut(Schema):
    name: str
    ward: str
    lat: str | None
    lon: str | None


class UpcomingOut(Schema):
    id: int
    centre: str
    county: str
    sub_county: str
    days: list[dt.date]
    opens_at: str
    closes_at: str
    venue: VenueOut
    services: list[ServiceOut]


@router.get("/upcoming", response=list[UpcomingOut], summary="Outreaches announced from today on")
def upcoming(request, params: Query[UpcomingQuery]):
    """Announced outreaches with a day from today (Nairobi) on, soonest first, at most 100;
    filtered by county code and sub-county name (case-insensitive)."""
    reject_unknown_params(request, {"county", "sub_county"})
    qs = upcoming_outreaches(county_code=params.county, sub_county_name=params.sub_county)
    results = []
    for outreach in qs[:MAX_RESULTS]:
        results.append(
            {
                "id": outreach.pk,
                "centre": outreach.centre.code,
                "county": outreach.centre.county.name,
                "sub_county": outreach.sub_county.name,
                "days": [d.date for d in outreach.days.all()],
                "opens_at": outreach.opens_at.strftime("%H:%M"),
                "closes_at": outreach.closes_at.strftime("%H:%M"),
                "venue": {
                    "name": outreach.venue_name,
                    "ward": outreach.venue_ward,
                    "lat": None if outreach.venue_lat is None else str(outreach.venue_lat),
                    "lon": None if outreach.venue_lon is None else str(outreach.venue_lon),
                },
                "services": [
                    {
                        "code": row.service.code,
                        "name_en": row.service.name_en,
                        "name_sw": row.service.name_sw,
                    }
                    for row in outreach.services.all()
                ],
            }
        )
    results.sort(key=lambda r: r["days"][0] if r["days"] else clock.local_date())
    return results
