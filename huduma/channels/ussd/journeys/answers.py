"""Reading a caller's answers and wording the replies: what every journey shares."""

import datetime as dt

from django.utils.translation import gettext as _

from huduma.catalogue.models import Service
from huduma.channels.ussd.flow import Ctx, Retry
from huduma.core import clock
from huduma.core.i18n import localized
from huduma.core.inputs import ascii_int
from huduma.core.money import format_kes
from huduma.core.phones import InvalidPhoneNumber
from huduma.notify.services import sms_send
from huduma.places.models import Centre

# How many matches a search offers (3 screens of choices at most).
MAX_MATCHES = 21
MAX_INPUT = 160  # one USSD answer: a phone sends at most 182 characters


def _pick(answer: str, count: int) -> int | None:
    """The 0-based index of choice `answer` among `count`, or None."""
    n = ascii_int(answer.strip(), minimum=1, maximum=count)
    return None if n is None else n - 1


def _wrong() -> Retry:
    return Retry(_("Choose one of the numbers shown."))


def _name(obj, ctx: Ctx) -> str:
    return localized(obj, "name", ctx.language)


def _day(day: dt.date) -> str:
    # Weekday names through the catalogue, so Swahili callers read "Jumanne 24/11".
    names = [_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")]
    return f"{names[day.weekday()]} {day:%d/%m}"


def _when(moment: dt.datetime) -> str:
    local = moment.astimezone(clock.NAIROBI)
    return f"{_day(local.date())} {local:%H:%M}"


def _fee(amount) -> str:
    return format_kes(amount).removesuffix(".00")


def _refused(exc: Exception) -> Retry:
    return Retry(getattr(exc, "message", None) or str(exc))


def _service(ctx: Ctx) -> Service:
    return Service.objects.select_related("mda").get(pk=ctx.data["service"])


def _centre(ctx: Ctx) -> Centre:
    return Centre.objects.get(pk=ctx.data["centre"])


def _sms(ctx: Ctx, template: str, **context) -> None:
    """Confirm by SMS an END that did something the owning verb does not text itself."""
    try:
        sms_send(to=ctx.phone, template=template, context=context, language=ctx.language)
    except InvalidPhoneNumber:
        pass  # the operator's number always parses; a foreign one just gets no SMS
