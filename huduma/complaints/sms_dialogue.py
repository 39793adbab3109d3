"""Complaints by SMS: the keyword (COMPLAINT / MALALAMIKO) and the short dialogue that follows
(what it is about, whether it names staff, which centre), one answer per SMS."""

import datetime as dt

from django.db.models import Q

from huduma.complaints.lodging import complaint_lodge
from huduma.complaints.models import (
    MONITOR_CATEGORIES,
    TEXT_MAX_LENGTH,
    Category,
    Channel,
    Complaint,
    SmsStep,
)
from huduma.complaints.records import _save, _tell, track_url
from huduma.complaints.staff_steps import complaint_classify
from huduma.core import clock
from huduma.core.errors import DomainError
from huduma.core.phones import InvalidPhoneNumber, normalise_phone
from huduma.notify.services import sms_send
from huduma.places.models import Centre

SMS_KEYWORDS = {"COMPLAINT": "en", "MALALAMIKO": "sw"}


# The order of the category menu sent by SMS ("Reply 1 ... 6").
SMS_CATEGORY_MENU = [
    Category.SERVICE_QUALITY,
    Category.DELAY,
    Category.BRIBERY,
    Category.DISCRIMINATION,
    Category.MALADMINISTRATION,
    Category.OTHER,
]
# How long an SMS complaint waits for its answers; after that a reply is not taken as one.
SMS_DIALOGUE_WINDOW = dt.timedelta(hours=24)
SMS_NO_CENTRE = {"0", "NONE", "HAKUNA"}


def _sms_dialogue(phone: str) -> Complaint | None:
    """The SMS complaint from this phone still waiting for an answer, if any."""
    return (
        Complaint.objects.filter(
            phone=phone,
            channel=Channel.SMS,
            created_at__gte=clock.now() - SMS_DIALOGUE_WINDOW,
        )
        .exclude(sms_step=SmsStep.NONE)
        .order_by("-created_at")
        .first()
    )


def _sms_centre(answer: str):
    """The one open centre an SMS answer names ("GPO", "kisumu", "Huduma Centre Kisumu")."""
    answer = " ".join(answer.split())[:80]
    if len(answer) < 3:
        return None
    exact = list(Centre.objects.filter(Q(code__iexact=answer) | Q(name__iexact=answer))[:2])
    if len(exact) == 1:
        return exact[0]
    matches = list(
        Centre.objects.filter(
            Q(code__istartswith=answer) | Q(name__icontains=answer),
            status=Centre.Status.OPEN,
        )[:2]
    )
    return matches[0] if len(matches) == 1 else None


def _sms_answer(complaint: Complaint, answer: str) -> str | None:
    """Take `answer` as the reply to the question asked; a wrong short reply gets the question
    again, a longer SMS that is no answer is left to the other keywords (JOIN GPO ...)."""
    ask = {"reference": complaint.reference}
    short = len(answer.split()) <= 2
    if complaint.sms_step == SmsStep.CATEGORY:
        choice = answer.strip().rstrip(".")
        if not (choice.isdigit() and 1 <= int(choice) <= len(SMS_CATEGORY_MENU)):
            if not short:
                return None
            _sms_to(complaint, "complaint_sms_ask_category", ask)
            return f"complaint {complaint.reference}: asked the category again"
        complaint = complaint_classify(
            complaint=complaint, category=SMS_CATEGORY_MENU[int(choice) - 1]
        )
        # Corruption and maladministration are the monitors' whoever they name; any other
        # complaint is asked whether it names staff before the centre is known, so it never
        # sits with that centre's manager while the answer is awaited.
        if complaint.category in MONITOR_CATEGORIES:
            complaint.sms_step = SmsStep.CENTRE
            template = "complaint_sms_ask_centre"
        else:
            complaint.sms_step = SmsStep.STAFF
            template = "complaint_sms_ask_staff"
        _save(complaint, "sms_step")
        _sms_to(complaint, template, ask)
        return f"complaint {complaint.reference}: category {complaint.category}"
    if complaint.sms_step == SmsStep.STAFF:
        choice = answer.strip().rstrip(".")
        if choice not in ("1", "2"):
            if not short:
                return None
            _sms_to(complaint, "complaint_sms_ask_staff", ask)
            return f"complaint {complaint.reference}: asked about staff again"
        complaint = complaint_classify(complaint=complaint, names_staff=choice == "1")
        complaint.sms_step = SmsStep.CENTRE
        _save(complaint, "sms_step")
        _sms_to(complaint, "complaint_sms_ask_centre", ask)
        return f"complaint {complaint.reference}: names staff {complaint.names_staff}"
    centre = None
    if answer.strip().upper() not in SMS_NO_CENTRE:
        centre = _sms_centre(answer)
        if centre is None:
            if not short:
                return None
            _sms_to(complaint, "complaint_sms_ask_centre", ask)
            return f"complaint {complaint.reference}: asked the centre again"
    complaint = complaint_classify(complaint=complaint, centre=centre, no_centre=centre is None)
    complaint.sms_step = SmsStep.NONE
    _save(complaint, "sms_step")
    _tell(complaint, "complaint_received")
    return f"complaint {complaint.reference}: with {complaint.level}"


def _sms_to(complaint: Complaint, template: str, context: dict) -> None:
    sms_send(to=complaint.phone, template=template, context=context, language=complaint.language)


def complaint_from_sms(*, phone: str, text: str) -> str | None:
    """ "COMPLAINT <what happened>" or "MALALAMIKO <...>" by SMS, then two short questions:
    what it is about (a number from a menu) and which centre. The complaint is recorded at
    once, with the Secretariat and a deadline; each answer routes it again (a bribery report
    goes to the monitors). Without answers it stays with the Secretariat.

    None if the SMS is neither a complaint nor an answer we wait for (the caller then tries
    its other keywords); else what was done, for the log."""
    words = (text or "").strip().split(maxsplit=1)
    if not words:
        return None
    if words[0].upper() not in SMS_KEYWORDS:
        try:
            waiting = _sms_dialogue(normalise_phone(phone))
        except InvalidPhoneNumber:
            return None
        return None if waiting is None else _sms_answer(waiting, text)
    language = SMS_KEYWORDS[words[0].upper()]
    body = words[1].strip() if len(words) > 1 else ""
    try:
        if body:
            complaint = complaint_lodge(
                channel=Channel.SMS,
                category=Category.OTHER,
                text=body[:TEXT_MAX_LENGTH],
                phone=phone,
                language=language,
                sms_step=SmsStep.CATEGORY,
            )
            return f"complaint {complaint.reference}"
        sms_send(
            to=phone, template="complaint_sms_help", context={"url": track_url()}, language=language
        )
    except (DomainError, InvalidPhoneNumber):
        return "ignored: bad sender number or text"
    return "sent complaint instructions"
