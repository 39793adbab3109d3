"""Demo data for Huduma Mashinani: next month's proposed calendar at the demo GPO centre, so a
newcomer running `make demo` finds plans to open (never run in production)."""

import datetime as dt

from huduma.accounts.models import User
from huduma.core import clock
from huduma.outreach import planning
from huduma.outreach.plan_models import Outreach
from huduma.places.models import Centre

DEMO_CENTRE = "gpo-nairobi"
DEMO_MANAGER = "manager.gpo"


def next_month(today: dt.date) -> dt.date:
    return (today.replace(day=1) + dt.timedelta(days=32)).replace(day=1)


def demo_outreach_calendar() -> tuple[Centre, dt.date, int] | None:
    """Propose next month's outreaches at the demo centre (one per sub-county; again on a re-run
    only for sub-counties still without one). None when the demo centre or manager is missing."""
    centre = Centre.objects.filter(code=DEMO_CENTRE).first()
    manager = User.objects.filter(username=DEMO_MANAGER).first()
    if centre is None or manager is None:
        return None
    month = next_month(clock.local_date())
    planning.calendar_propose(centre=centre, month=month, actor=manager)
    return centre, month, Outreach.objects.filter(centre=centre, month=month).count()


def demo_outreach_lines() -> list[str]:
    """The demo's outreach line (`load_demo`): next month's calendar at the demo centre."""
    calendar = demo_outreach_calendar()
    if calendar is None:
        return []
    centre, month, count = calendar
    line = (
        f"Huduma Mashinani: {count} outreaches proposed for {month:%Y-%m} at {centre.name}"
        f" (manager.gpo: /staff/centres/{centre.code}/outreach/?month={month:%Y-%m})"
    )
    return [line]
