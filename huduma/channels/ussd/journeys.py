"""The mHuduma USSD menu, as a table: every screen a caller can reach, and what each answer
does. Every action is the owning app's own verb (the rule lives there, once); this module only
asks the questions and words the answers.

Menus nest at most 4 levels (home is level 1); a journey's questions then follow one another.
tests/test_ussd_screens.py walks every node in both languages and checks the limits.
"""

import datetime as dt
import hashlib

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from huduma.accounts.services import citizen_language_set
from huduma.applications.models import Application
from huduma.applications.services import (
    application_fee_due,
    application_fee_paid,
    application_for_citizen,
)
from huduma.catalogue.models import Service
from huduma.catalogue.selectors import ServiceFilters, service_centres, services_search
from huduma.channels.ussd import selectors
from huduma.channels.ussd.flow import Ctx, Done, Go, Home, Menu, Node, Outcome, Retry, Step
from huduma.channels.ussd.screens import View
from huduma.complaints.models import Category, Channel, Complaint, Level
from huduma.complaints.services import SECRET_PHRASE_MIN, complaint_for_citizen, complaint_lodge
from huduma.core import clock
from huduma.core.errors import DomainError
from huduma.core.i18n import localized
from huduma.core.inputs import ascii_int
from huduma.core.money import format_kes
from huduma.core.phones import InvalidPhoneNumber
from huduma.feedback.services import invitation_for_phone, rating_by_phone
from huduma.ledger.services import receipt_check
from huduma.notify.services import sms_send
from huduma.outreach.selectors import upcoming_outreaches
from huduma.payments import services as payments
from huduma.places.models import Centre, SubCounty
from huduma.queues import appointments
from huduma.queues import selectors as queue_selectors
from huduma.queues.models import Appointment, IssueChannel
from huduma.queues.services import visit_issue

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


# --- find a service ---------------------------------------------------------------------------


def find_take(ctx: Ctx, answer: str) -> Outcome:
    # The one search of the web and the kiosk (synonyms, typos, both languages).
    try:
        found = services_search(ServiceFilters(q=answer[:100]))
    except DomainError as exc:
        return _refused(exc)
    ids = [s.pk for s in found[:MAX_MATCHES]] if answer.strip() else []
    if not ids:
        return Retry(_("No service matches. Try another word, e.g. ID, NHIF, KRA."))
    return Go("find_pick", {"ids": ids})


def _services(ids: list[int]) -> list[Service]:
    by_id = Service.objects.in_bulk(ids)
    return [by_id[pk] for pk in ids if pk in by_id]


def find_pick_show(ctx: Ctx) -> View:
    return View(_("Choose a service"), tuple(_name(s, ctx) for s in _services(ctx.data["ids"])))


def find_pick_take(ctx: Ctx, answer: str) -> Outcome:
    found = _services(ctx.data["ids"])
    i = _pick(answer, len(found))
    return _wrong() if i is None else Go("service_info", {"service": found[i].pk})


def service_info_show(ctx: Ctx) -> View:
    service = _service(ctx)
    requirements = "; ".join(
        localized(r, "text", ctx.language) for r in service.requirements.order_by("position")
    )
    days = service.turnaround_days or 0
    ready = _("same day") if days == 0 else _("%(n)s working days") % {"n": days}
    centres = [c for c in service_centres(service) if c.status == Centre.Status.OPEN][:3]
    where = ", ".join(c.name for c in centres) or _("Ask the contact centre")
    lines = [
        _name(service, ctx),
        _("Fee: %(fee)s") % {"fee": _fee(service.fee_kes) if service.fee_kes else _("free")},
        _("Ready: %(ready)s") % {"ready": ready},
        _("Bring: %(list)s") % {"list": requirements or _("nothing")},
        _("Where: %(centres)s") % {"centres": where},
    ]
    return View("\n".join(lines), (_("Join a queue"), _("Book an appointment")))


def service_info_take(ctx: Ctx, answer: str) -> Outcome:
    i = _pick(answer, 2)
    if i is None:
        return _wrong()
    return Go("centre_q", {"then": "join" if i == 0 else "book"})


# --- centres ------------------------------------------------------------------------------------


def centre_q_take(ctx: Ctx, answer: str) -> Outcome:
    service = ctx.data.get("service")
    centres = selectors.open_centres_matching(answer[:60], service_id=service)
    if not centres:
        return Retry(_("No open Huduma Centre matches. Type a town, e.g. Kisumu."))
    return Go("centre_pick", {"centres": [c.pk for c in centres[:MAX_MATCHES]]})


def _centres(ids: list[int]) -> list[Centre]:
    by_id = Centre.objects.in_bulk(ids)
    return [by_id[pk] for pk in ids if pk in by_id]


def centre_pick_show(ctx: Ctx) -> View:
    return View(_("Choose a centre"), tuple(c.name for c in _centres(ctx.data["centres"])))


def centre_pick_take(ctx: Ctx, answer: str) -> Outcome:
    found = _centres(ctx.data["centres"])
    i = _pick(answer, len(found))
    if i is None:
        return _wrong()
    centre = found[i]
    data = {"centre": centre.pk}
    if ctx.data.get("service"):
        return Go("join_confirm" if ctx.data["then"] == "join" else "book_day", data)
    data["services"] = [s.pk for s in selectors.charter(centre, ctx.language)]
    return Go("centre_service", data)


def centre_service_show(ctx: Ctx) -> View:
    services = _services(ctx.data["services"])
    return View(_("Choose a service"), tuple(_name(s, ctx) for s in services))


def centre_service_take(ctx: Ctx, answer: str) -> Outcome:
    found = _services(ctx.data["services"])
    i = _pick(answer, len(found))
    if i is None:
        return _wrong()
    then = "join_confirm" if ctx.data["then"] == "join" else "book_day"
    return Go(then, {"service": found[i].pk})


# --- the queue -----------------------------------------------------------------------------


def join_confirm_show(ctx: Ctx) -> View:
    service, centre = _service(ctx), _centre(ctx)
    bring = "; ".join(
        localized(r, "text", ctx.language) for r in service.requirements.order_by("position")
    )
    text = _("%(service)s at %(centre)s. Bring: %(list)s") % {
        "service": _name(service, ctx),
        "centre": centre.name,
        "list": bring or _("nothing"),
    }
    return View(text, (_("I have them: give me a ticket"),))


def join_confirm_take(ctx: Ctx, answer: str) -> Outcome:
    if _pick(answer, 1) is None:
        return _wrong()
    try:
        visit = visit_issue(
            centre=_centre(ctx),
            services=[_service(ctx)],
            channel=IssueChannel.USSD,
            requirements_confirmed=True,
            phone=ctx.phone,
            language=ctx.language,
            idempotency_key=ctx.key,
        )
    except DomainError as exc:
        return _refused(exc)
    progress = queue_selectors.visit_progress(visit)
    return Done(
        _("Ticket %(number)s at %(centre)s. %(ahead)s ahead of you. We sent it by SMS.")
        % {"number": visit.number, "centre": visit.centre.name, "ahead": progress.ahead or 0}
    )


def ticket_enter(ctx: Ctx) -> Outcome:
    lines = []
    for visit in selectors.visits_today(ctx.phone)[:3]:
        progress = queue_selectors.visit_progress(visit)
        if progress.state == queue_selectors.Progress.WAITING:
            state = _("%(n)s ahead") % {"n": progress.ahead or 0}
            if progress.minutes is not None:
                state += ", " + _("about %(m)s min") % {"m": progress.minutes}
        elif progress.counter_number is not None:
            state = _("go to counter %(n)s") % {"n": progress.counter_number}
        else:
            state = _("ended")
        lines.append(f"{visit.number} {visit.centre.name}: {state}")
    if not lines:
        return Done(_("This number holds no ticket today."))
    return Done("\n".join(lines))


# --- appointments ----------------------------------------------------------------------------


def book_day_enter(ctx: Ctx) -> Outcome | dict:
    days = appointments.bookable_days(_centre(ctx))[:MAX_MATCHES]
    if not days:
        return Done(_("No day can be booked at this centre. Try another centre."))
    return {"days": [d.isoformat() for d in days]}


def book_day_show(ctx: Ctx) -> View:
    days = [dt.date.fromisoformat(d) for d in ctx.data["days"]]
    return View(_("Choose a day"), tuple(_day(d) for d in days))


def book_day_take(ctx: Ctx, answer: str) -> Outcome:
    i = _pick(answer, len(ctx.data["days"]))
    if i is None:
        return _wrong()
    day = dt.date.fromisoformat(ctx.data["days"][i])
    moving = _appointment(ctx) if ctx.data.get("appointment") else None
    slots = appointments.available_slots(_centre(ctx), _service(ctx), day, ignore=moving)
    if not slots:
        return Retry(_("That day is full. Choose another day."))
    return Go("book_slot", {"slots": [s.isoformat() for s in slots[:MAX_MATCHES]]})


def book_slot_show(ctx: Ctx) -> View:
    slots = [dt.datetime.fromisoformat(s) for s in ctx.data["slots"]]
    return View(_("Choose a time"), tuple(f"{s.astimezone(clock.NAIROBI):%H:%M}" for s in slots))


def book_slot_take(ctx: Ctx, answer: str) -> Outcome:
    i = _pick(answer, len(ctx.data["slots"]))
    if i is None:
        return _wrong()
    return Go("book_confirm", {"slot": ctx.data["slots"][i]})


def book_confirm_show(ctx: Ctx) -> View:
    slot = dt.datetime.fromisoformat(ctx.data["slot"])
    values = {
        "service": _name(_service(ctx), ctx),
        "centre": _centre(ctx).name,
        "when": _when(slot),
    }
    if ctx.data.get("appointment"):
        text = _("Move %(service)s at %(centre)s to %(when)s?") % values
    else:
        text = _("Book %(service)s at %(centre)s on %(when)s?") % values
    return View(text, (_("Yes"),))


def book_confirm_take(ctx: Ctx, answer: str) -> Outcome:
    if _pick(answer, 1) is None:
        return _wrong()
    slot = dt.datetime.fromisoformat(ctx.data["slot"])
    try:
        if ctx.data.get("appointment"):
            booking = appointments.appointment_move(appointment=_appointment(ctx), slot_start=slot)
        else:
            booking = appointments.appointment_book(
                centre=_centre(ctx),
                service=_service(ctx),
                slot_start=slot,
                phone=ctx.phone,
                language=ctx.language,
            )
    except DomainError as exc:
        return _refused(exc)
    return Done(
        _("Booked: %(reference)s, %(when)s at %(centre)s. We sent it by SMS.")
        % {
            "reference": booking.reference,
            "when": _when(booking.slot_start),
            "centre": booking.centre.name,
        }
    )


def _appointment(ctx: Ctx) -> Appointment:
    """The caller's own booking, found as the web finds it: by reference and phone."""
    booking = Appointment.objects.select_related("centre").get(pk=ctx.data["appointment"])
    return appointments.appointment_for_citizen(
        centre=booking.centre, reference=booking.reference, phone=ctx.phone
    )


def my_bookings_enter(ctx: Ctx) -> Outcome | dict:
    bookings = selectors.bookings_ahead(ctx.phone)[:MAX_MATCHES]
    if not bookings:
        return Done(_("This number has no booking to change."))
    return {"bookings": [str(b.pk) for b in bookings]}


def _bookings(ctx: Ctx) -> list[Appointment]:
    found = Appointment.objects.select_related("centre", "service").in_bulk(ctx.data["bookings"])
    by_id = {str(pk): booking for pk, booking in found.items()}
    return [by_id[pk] for pk in ctx.data["bookings"] if pk in by_id]


def my_bookings_show(ctx: Ctx) -> View:
    return View(
        _("Choose a booking"),
        tuple(f"{_when(b.slot_start)} {_name(b.service, ctx)}" for b in _bookings(ctx)),
    )


def my_bookings_take(ctx: Ctx, answer: str) -> Outcome:
    found = _bookings(ctx)
    i = _pick(answer, len(found))
    if i is None:
        return _wrong()
    booking = found[i]
    data = {
        "appointment": str(booking.pk),
        "centre": booking.centre_id,
        "service": booking.service_id,
    }
    return Go("book_day" if ctx.data["then"] == "move" else "cancel_confirm", data)


def cancel_confirm_show(ctx: Ctx) -> View:
    booking = _appointment(ctx)
    text = _("Cancel %(reference)s, %(when)s at %(centre)s?") % {
        "reference": booking.reference,
        "when": _when(booking.slot_start),
        "centre": booking.centre.name,
    }
    return View(text, (_("Yes, cancel it"),))


def cancel_confirm_take(ctx: Ctx, answer: str) -> Outcome:
    if _pick(answer, 1) is None:
        return _wrong()
    try:
        booking = appointments.appointment_cancel(appointment=_appointment(ctx))
    except DomainError as exc:
        return _refused(exc)
    return Done(
        _("Booking %(reference)s is cancelled. We sent you an SMS.")
        % {"reference": booking.reference}
    )


# --- applications and fees -------------------------------------------------------------------


def application_take(ctx: Ctx, answer: str) -> Outcome:
    try:
        application = application_for_citizen(tracking_number=answer[:20], phone=ctx.phone)
    except DomainError as exc:
        return _refused(exc)
    return Go("application_info", {"application": str(application.pk)})


def _application(ctx: Ctx) -> Application:
    application = Application.objects.select_related("service").get(pk=ctx.data["application"])
    # Found again as the web finds it (number and phone), never by id alone.
    return application_for_citizen(tracking_number=application.tracking_number, phone=ctx.phone)


def _fee_open(application: Application) -> bool:
    return application_fee_due(application) > 0 and not application_fee_paid(application)


def application_info_show(ctx: Ctx) -> View:
    application = _application(ctx)
    text = _("%(number)s %(service)s: %(status)s. Expected by %(due)s.") % {
        "number": application.tracking_number,
        "service": _name(application.service, ctx),
        "status": application.get_status_display(),
        "due": f"{application.due_on:%d/%m/%Y}",
    }
    if not _fee_open(application):
        return View(text)
    fee = _fee(application_fee_due(application))
    return View(text, (_("Pay %(fee)s by M-Pesa") % {"fee": fee},))


def application_info_take(ctx: Ctx, answer: str) -> Outcome:
    if not _fee_open(_application(ctx)) or _pick(answer, 1) is None:
        return _wrong()
    return Go("pay_confirm")


def pay_confirm_show(ctx: Ctx) -> View:
    application = _application(ctx)
    text = _("Pay %(fee)s for %(number)s? M-Pesa will ask for your PIN on this phone.") % {
        "fee": _fee(application_fee_due(application)),
        "number": application.tracking_number,
    }
    return View(text, (_("Yes, pay"),))


def pay_confirm_take(ctx: Ctx, answer: str) -> Outcome:
    if _pick(answer, 1) is None:
        return _wrong()
    application = _application(ctx)
    try:
        invoice = payments.invoice_for_application(application=application)
        payments.payment_start(
            invoice=invoice,
            channel="mpesa",
            amount=str(invoice.amount_kes),
            phone=ctx.phone,
            idempotency_key=ctx.key,
        )
    except DomainError as exc:
        return _refused(exc)
    fee = _fee(invoice.amount_kes)
    _sms(ctx, "ussd_payment_asked", amount=fee, number=application.tracking_number)
    return Done(
        _("Enter your M-Pesa PIN when asked, to pay %(fee)s. Your receipt comes by SMS.")
        % {"fee": fee}
    )


# --- complaints -----------------------------------------------------------------------------

CATEGORIES = (
    Category.SERVICE_QUALITY,
    Category.DELAY,
    Category.DISCRIMINATION,
    Category.MALADMINISTRATION,
    Category.OTHER,
)


def complaint_category_show(ctx: Ctx) -> View:
    labels = {
        Category.SERVICE_QUALITY: _("Poor service"),
        Category.DELAY: _("Delay"),
        Category.DISCRIMINATION: _("Discrimination"),
        Category.MALADMINISTRATION: _("Maladministration"),
        Category.OTHER: _("Something else"),
    }
    return View(_("What is it about?"), tuple(labels[c] for c in CATEGORIES))


def complaint_category_take(ctx: Ctx, answer: str) -> Outcome:
    i = _pick(answer, len(CATEGORIES))
    return _wrong() if i is None else Go("complaint_text", {"category": CATEGORIES[i].value})


def complaint_text_take(ctx: Ctx, answer: str) -> Outcome:
    if ctx.data.get("anonymous"):
        return Go("complaint_phrase", {"text": answer[:MAX_INPUT]})
    try:
        complaint = complaint_lodge(
            channel=Channel.USSD,
            category=ctx.data["category"],
            text=answer[:MAX_INPUT],
            phone=ctx.phone,
            language=ctx.language,
            idempotency_key=ctx.key,
            source=f"ussd:{ctx.phone}",
        )
    except DomainError as exc:
        return _refused(exc)
    return Done(
        _("Complaint %(reference)s received. We sent you an SMS; we will text you each step.")
        % {"reference": complaint.reference}
    )


def bribe_who_take(ctx: Ctx, answer: str) -> Outcome:
    i = _pick(answer, 2)
    if i is None:
        return _wrong()
    return Go("complaint_text", {"category": Category.BRIBERY.value, "anonymous": i == 1})


def complaint_phrase_take(ctx: Ctx, answer: str) -> Outcome:
    # The phrase is the last answer of the journey, so it is never kept in the session.
    try:
        complaint = complaint_lodge(
            channel=Channel.USSD,
            category=Category.BRIBERY,
            text=ctx.data["text"],
            anonymous=True,
            secret_phrase=answer[:MAX_INPUT],
            language=ctx.language,
            idempotency_key=ctx.key,
            source="ussd",
        )
    except DomainError as exc:
        return _refused(exc)
    ctx.forget_phone = True
    # No SMS: a message to this phone would tie it to the report.
    return Done(
        _("Report %(reference)s received. Keep the reference and your phrase to follow it.")
        % {"reference": complaint.reference}
    )


def track_ref_take(ctx: Ctx, answer: str) -> Outcome:
    if not answer.strip():
        return _wrong()
    return Go("track_how", {"reference": answer.strip()[:30]})


def _complaint_status(complaint: Complaint) -> Done:
    return Done(
        _("%(reference)s: %(status)s. It is with %(handler)s.")
        % {
            "reference": complaint.reference,
            "status": complaint.get_status_display(),
            "handler": Level(complaint.level).label,
        }
    )


def track_how_take(ctx: Ctx, answer: str) -> Outcome:
    i = _pick(answer, 2)
    if i is None:
        return _wrong()
    if i == 1:
        return Go("track_phrase")
    try:
        complaint = complaint_for_citizen(reference=ctx.data["reference"], proof=ctx.phone)
    except DomainError as exc:
        return _refused(exc)
    return _complaint_status(complaint)


def track_phrase_take(ctx: Ctx, answer: str) -> Outcome:
    try:
        complaint = complaint_for_citizen(reference=ctx.data["reference"], proof=answer[:200])
    except DomainError as exc:
        return _refused(exc)
    ctx.forget_phone = True  # an anonymous report's phrase: forget who asked
    return _complaint_status(complaint)


# --- rating, receipts, outreach, language ------------------------------------------------------

SCORES = (
    (1, gettext_lazy("Very poor")),
    (2, gettext_lazy("Poor")),
    (3, gettext_lazy("Fair")),
    (4, gettext_lazy("Good")),
    (5, gettext_lazy("Very good")),
)


def rate_enter(ctx: Ctx) -> Outcome | dict:
    try:
        invitation = invitation_for_phone(ctx.phone)
    except DomainError as exc:
        return Done(exc.message)
    return {"invitation": str(invitation.pk)}


def rate_show(ctx: Ctx) -> View:
    invitation = selectors.invitation(ctx.data["invitation"])
    text = _("Rate your visit to %(centre)s (ticket %(number)s)") % {
        "centre": invitation.visit.centre.name,
        "number": invitation.visit.number,
    }
    return View(text, tuple(str(label) for _score, label in SCORES))


def rate_take(ctx: Ctx, answer: str) -> Outcome:
    i = _pick(answer, len(SCORES))
    if i is None:
        return _wrong()
    invitation = selectors.invitation(ctx.data["invitation"])
    try:
        rating_by_phone(
            invitation=invitation, phone=ctx.phone, score=SCORES[i][0], language=ctx.language
        )
    except DomainError as exc:
        return Done(exc.message)
    _sms(ctx, "ussd_rating_thanks", centre=invitation.visit.centre.name)
    return Done(_("Thank you. Your rating helps us serve you better."))


def receipt_take(ctx: Ctx, answer: str) -> Outcome:
    number = answer.strip()[:40]
    if not number:
        return _wrong()
    check = receipt_check(number=number)
    if check.receipt is None:
        return Done(
            _("No receipt %(number)s was issued. Do not accept it as proof of payment.")
            % {"number": number.upper()}
        )
    if selectors.payments_sandbox():
        return Done(_("This is a test installation: nothing it issues is proof of payment."))
    entry = check.receipt.entry
    values = {
        "number": check.receipt.number,
        "amount": _fee(check.receipt.amount),
        "service": _name(entry.service, ctx),
        "centre": entry.centre.name,
        "date": f"{check.receipt.paid_at.astimezone(clock.NAIROBI):%d/%m/%Y}",
    }
    if check.fully_refunded:
        return Done(_("Receipt %(number)s was refunded: it is no longer proof.") % values)
    return Done(
        _("Receipt %(number)s is genuine: %(amount)s for %(service)s at %(centre)s, %(date)s.")
        % values
    )


def outreach_q_take(ctx: Ctx, answer: str) -> Outcome:
    found = selectors.sub_counties_matching(answer[:60])[:MAX_MATCHES]
    if not found:
        return Retry(_("No sub-county matches. Type its name, e.g. Kibra."))
    return Go("outreach_pick", {"sub_counties": [s.pk for s in found]})


def _sub_counties(ids: list[int]) -> list[SubCounty]:
    by_id = SubCounty.objects.select_related("county").in_bulk(ids)
    return [by_id[pk] for pk in ids if pk in by_id]


def outreach_pick_show(ctx: Ctx) -> View:
    options = tuple(f"{s.name} ({s.county.name})" for s in _sub_counties(ctx.data["sub_counties"]))
    return View(_("Choose a sub-county"), options)


def outreach_pick_take(ctx: Ctx, answer: str) -> Outcome:
    found = _sub_counties(ctx.data["sub_counties"])
    i = _pick(answer, len(found))
    if i is None:
        return _wrong()
    outreach = upcoming_outreaches(sub_county_id=found[i].pk).first()
    if outreach is None:
        return Done(
            _("No Huduma Mashinani is announced yet in %(place)s. Dial again next month.")
            % {"place": found[i].name}
        )
    days = " & ".join(f"{d.date:%d/%m}" for d in outreach.days.all())
    return Done(
        _("Huduma Mashinani in %(place)s: %(days)s, %(hours)s at %(venue)s.")
        % {
            "place": found[i].name,
            "days": days,
            "hours": f"{outreach.opens_at:%H:%M}-{outreach.closes_at:%H:%M}",
            "venue": f"{outreach.venue_name}, {outreach.venue_ward}",
        }
    )


def language_enter(ctx: Ctx) -> Outcome:
    language = "sw" if ctx.language == "en" else "en"
    citizen_language_set(phone=ctx.phone, language=language)
    return Home(language=language)


def resume_show(ctx: Ctx) -> View:
    return View(
        _("You were cut off. Continue where you stopped?"), (_("Continue"), _("Start again"))
    )


def _ask(text) -> "callable":
    def show(ctx: Ctx) -> View:
        return View(str(text))

    return show


def _no_show(ctx: Ctx) -> View:  # steps that always end or move on when opened
    return View("")


# --- the table ---------------------------------------------------------------------------------

HOME = "home"
NODES: dict[str, Node] = {
    node.key: node
    for node in (
        Menu(
            HOME,
            gettext_lazy("Huduma Kenya"),
            (
                (gettext_lazy("Find a service"), "find_q"),
                (gettext_lazy("Queue"), "queue"),
                (gettext_lazy("Appointment"), "appointment"),
                (gettext_lazy("My application or fee"), "application_q"),
                (gettext_lazy("Complaint"), "complaint"),
                (gettext_lazy("More"), "more"),
                # The other language, named in itself: "Kiswahili" in English, "English" in Swahili.
                (pgettext_lazy("ussd: switch language", "Kiswahili"), "language"),
            ),
        ),
        Menu(
            "queue",
            gettext_lazy("Queue"),
            (
                (gettext_lazy("Join a queue"), "centre_q_join"),
                (gettext_lazy("Check my ticket"), "ticket"),
            ),
        ),
        Menu(
            "appointment",
            gettext_lazy("Appointment"),
            (
                (gettext_lazy("Book"), "centre_q_book"),
                (gettext_lazy("Move"), "bookings_move"),
                (gettext_lazy("Cancel"), "bookings_cancel"),
            ),
        ),
        Menu(
            "complaint",
            gettext_lazy("Complaint"),
            (
                (gettext_lazy("Make a complaint"), "complaint_category"),
                (gettext_lazy("Report a bribe"), "bribe_who"),
                (gettext_lazy("Follow a complaint"), "track_ref"),
            ),
        ),
        Menu(
            "more",
            gettext_lazy("More"),
            (
                (gettext_lazy("Rate my last visit"), "rate"),
                (gettext_lazy("Check a receipt"), "receipt_q"),
                (gettext_lazy("Huduma Mashinani near me"), "outreach_q"),
            ),
        ),
        Step(
            "find_q",
            "find",
            _ask(gettext_lazy("Which service? Type a word, e.g. ID card")),
            find_take,
        ),
        Step("find_pick", "find", find_pick_show, find_pick_take),
        Step("service_info", "find", service_info_show, service_info_take),
        Step(
            "centre_q",
            "find",
            _ask(gettext_lazy("Which Huduma Centre? Type its town")),
            centre_q_take,
        ),
        Step(
            "centre_q_join",
            "join",
            _ask(gettext_lazy("Which Huduma Centre? Type its town")),
            centre_q_take,
            enter=lambda ctx: {"then": "join"},
        ),
        Step(
            "centre_q_book",
            "book",
            _ask(gettext_lazy("Which Huduma Centre? Type its town")),
            centre_q_take,
            enter=lambda ctx: {"then": "book"},
        ),
        Step("centre_pick", "centre", centre_pick_show, centre_pick_take),
        Step("centre_service", "centre", centre_service_show, centre_service_take),
        Step("join_confirm", "join", join_confirm_show, join_confirm_take),
        Step("ticket", "ticket", _no_show, enter=ticket_enter),
        Step("book_day", "book", book_day_show, book_day_take, enter=book_day_enter),
        Step("book_slot", "book", book_slot_show, book_slot_take),
        Step("book_confirm", "book", book_confirm_show, book_confirm_take),
        Step(
            "bookings_move",
            "move",
            my_bookings_show,
            my_bookings_take,
            enter=lambda ctx: _with(my_bookings_enter(ctx), then="move"),
        ),
        Step(
            "bookings_cancel",
            "cancel",
            my_bookings_show,
            my_bookings_take,
            enter=lambda ctx: _with(my_bookings_enter(ctx), then="cancel"),
        ),
        Step("cancel_confirm", "cancel", cancel_confirm_show, cancel_confirm_take),
        Step(
            "application_q",
            "application",
            _ask(gettext_lazy("Type the tracking number from your SMS")),
            application_take,
        ),
        Step("application_info", "application", application_info_show, application_info_take),
        Step("pay_confirm", "pay", pay_confirm_show, pay_confirm_take),
        Step("complaint_category", "complaint", complaint_category_show, complaint_category_take),
        Step(
            "complaint_text",
            "complaint",
            _ask(gettext_lazy("What happened? Say where and when.")),
            complaint_text_take,
        ),
        Step(
            "bribe_who",
            "bribe",
            lambda ctx: View(
                _("Report a bribe or extra fee"),
                (_("Give my number: we reply by SMS"), _("Stay anonymous")),
            ),
            bribe_who_take,
        ),
        Step(
            "complaint_phrase",
            "bribe",
            lambda ctx: View(
                _("Choose a secret phrase of at least %(n)s characters, to follow the report")
                % {"n": SECRET_PHRASE_MIN}
            ),
            complaint_phrase_take,
        ),
        Step(
            "track_ref", "track", _ask(gettext_lazy("Type the complaint reference")), track_ref_take
        ),
        Step(
            "track_how",
            "track",
            lambda ctx: View(
                _("How did you send it?"), (_("From this phone"), _("Anonymously, with a phrase"))
            ),
            track_how_take,
        ),
        Step(
            "track_phrase",
            "track",
            _ask(gettext_lazy("Type your secret phrase")),
            track_phrase_take,
        ),
        Step("rate", "rate", rate_show, rate_take, enter=rate_enter),
        Step("receipt_q", "receipt", _ask(gettext_lazy("Type the receipt number")), receipt_take),
        Step(
            "outreach_q",
            "outreach",
            _ask(gettext_lazy("Which sub-county? Type its name")),
            outreach_q_take,
        ),
        Step("outreach_pick", "outreach", outreach_pick_show, outreach_pick_take),
        Step("language", "language", _no_show, enter=language_enter),
        Step("resume", "resume", resume_show),
    )
}


def _with(outcome, **data):
    """An enter hook's data, plus fixed values (which list a booking choice leads to)."""
    return {**outcome, **data} if isinstance(outcome, dict) else outcome


def session_key(session_id: str) -> str:
    """The idempotency key of a session's one action: 1-80 visible ASCII, whatever the
    operator's sessionId holds."""
    return "ussd-" + hashlib.sha256(session_id.encode()).hexdigest()[:40]
