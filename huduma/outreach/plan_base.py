"""What every Huduma Mashinani planning verb shares: its error, month arithmetic, the row
locks, the check that a plan is still open, and text cleaning."""

import calendar
import datetime as dt

from django.utils.translation import gettext as _

from huduma.core.errors import Conflict, DomainError
from huduma.outreach.plan_models import (
    Outreach,
)
from huduma.places.models import Centre

MAX_DAYS = 2  # "for up to two days" (the programme's documents)
TEXT_MAX = 400
Status = Outreach.Status


class OutreachError(DomainError):
    pass


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_days(month: dt.date) -> list[dt.date]:
    last = calendar.monthrange(month.year, month.month)[1]
    return [month.replace(day=n) for n in range(1, last + 1)]


def months_back(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 - months
    return dt.date(index // 12, index % 12 + 1, 1)


def lock_centre(centre: Centre) -> Centre:
    return Centre.objects.select_for_update().get(pk=centre.pk)


def lock_outreach(outreach: Outreach) -> Outreach:
    # of=("self",): lock the outreach row only, not the centre and county it is joined to.
    return (
        Outreach.objects.select_for_update(of=("self",))
        .select_related("centre__county", "sub_county")
        .get(pk=outreach.pk)
    )


def require_open(outreach: Outreach, *, agreed_part: bool = False) -> None:
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


def clean_text(value: str | None, *, field: str, max_length: int, required: bool = False) -> str:
    text = " ".join((value or "").split())
    if required and not text:
        raise OutreachError(_("This field is required."), field=field)
    if len(text) > max_length:
        raise OutreachError(
            _("Use at most %(n)s characters.") % {"n": max_length},
            field=field,
        )
    return text


def outreach_dates(outreach: Outreach) -> list[dt.date]:
    return list(outreach.days.order_by("date").values_list("date", flat=True))
