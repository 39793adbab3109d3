"""The verbs of performance: make a centre's daily report (and email it), set a standard's
target, appraise an officer, comment on one's own appraisal, propose and decide a reward or a
sanction (maker-checker), and set the savings method. Each is transactional and audited."""

import datetime as dt
import logging
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from huduma.accounts.models import Role
from huduma.core import audit, clock
from huduma.core.errors import Conflict, DomainError, Forbidden
from huduma.notify import services as notify
from huduma.performance import appraisal as appraisal_figures
from huduma.performance import daily, permissions
from huduma.performance.models import (
    Appraisal,
    CountyContact,
    DailyReport,
    Recognition,
    SavingsMethod,
    StandardKind,
    StandardTarget,
)
from huduma.places.models import Centre

logger = logging.getLogger(__name__)

TEXT_MAX = 2000


class SameOfficer(Forbidden):
    code = "maker_checker"


class NotPending(Conflict):
    code = "recognition_not_pending"


class AlreadyAppraised(Conflict):
    code = "appraisal_exists"


# --- the daily report ---------------------------------------------------------------------


def report_recipients(centre: Centre) -> list[str]:
    """The centre's managers (their staff email) and the county's contacts, each once."""
    managers = (
        get_user_model()
        .objects.filter(centre=centre, role=Role.CENTRE_MANAGER, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    county = CountyContact.objects.filter(county_id=centre.county_id).values_list(
        "email", flat=True
    )
    seen: list[str] = []
    for email in [*managers, *county]:
        if email.lower() not in (e.lower() for e in seen):
            seen.append(email)
    return seen


def daily_report_make(
    *, centre: Centre, day: dt.date, now: dt.datetime | None = None
) -> tuple[DailyReport, bool]:
    """The centre's report of `day`, made once: (report, made now). A second call (a second
    worker, a rerun) finds the first one's row (unique per centre and day) and sends nothing.
    The emails are outbox rows written in the same transaction, delivered by notify's worker."""
    now = now or clock.now()
    existing = DailyReport.objects.filter(centre=centre, day=day).first()
    if existing is not None:
        return existing, False
    figures = daily.daily_figures(centre, day, now=now)
    try:
        with transaction.atomic():
            report = DailyReport.objects.create(
                centre=centre, day=day, made_at=now, figures=figures
            )
            _email_report(report)
            audit.record(action="performance.daily_report_made", instance=report, actor=None)
    except IntegrityError:
        return DailyReport.objects.get(centre=centre, day=day), False
    return report, True


def _email_report(report: DailyReport) -> None:
    recipients = report_recipients(report.centre)
    if not recipients:
        return
    with translation.override("en"):
        subject = _("Daily report: %(centre)s, %(day)s") % {
            "centre": report.centre.name,
            "day": report.day.isoformat(),
        }
        body = render_to_string(
            "performance/daily_report_email.txt",
            {
                "f": report.figures,
                "page": settings.PUBLIC_URL
                + reverse("performance:daily_report", args=[report.centre.code])
                + f"?day={report.day.isoformat()}",
                "pdf": settings.PUBLIC_URL
                + reverse("performance:daily_report_pdf", args=[report.centre.code])
                + f"?day={report.day.isoformat()}",
            },
        )
    for email in recipients:
        notify.email_send(to=email, subject=subject, body=body, template="daily_report")


def daily_reports_due(now: dt.datetime | None = None) -> int:
    """Make the report of every open centre whose closing time has passed today (and of
    yesterday, for a worker that was down at closing). Returns how many were made."""
    now = now or clock.now()
    today = clock.local_date(now)
    made = 0
    for centre in Centre.objects.filter(status=Centre.Status.OPEN).select_related("county"):
        for day in (today - dt.timedelta(days=1), today):
            closes = daily.closing_time(centre, day)
            if closes is None or closes > now:
                continue
            if DailyReport.objects.filter(centre=centre, day=day).exists():
                continue
            _, new = daily_report_make(centre=centre, day=day, now=now)
            made += new
    return made


# --- standards ----------------------------------------------------------------------------


def _percent(value, field: str) -> Decimal:
    try:
        pct = Decimal(str(value).strip().rstrip("%"))
    except (InvalidOperation, ValueError):
        raise DomainError(_("Enter a share between 1 and 100."), field=field) from None
    if not pct.is_finite() or not (1 <= pct <= 100):
        raise DomainError(_("Enter a share between 1 and 100."), field=field)
    return pct.quantize(Decimal("0.1"))


def standard_target_set(*, service, kind: str, target_pct, by) -> StandardTarget:
    permissions.require_secretariat(by)
    if kind not in StandardKind.values:
        raise DomainError(_("Choose the maximum wait or the turnaround."), field="kind")
    pct = _percent(target_pct, "target_pct")
    with transaction.atomic():
        row = StandardTarget.objects.select_for_update().filter(service=service, kind=kind).first()
        before = audit.snapshot(row) if row else None
        if row is None:
            row = StandardTarget(service=service, kind=kind)
        row.target_pct = pct
        row.updated_by = by
        row.updated_at = clock.now()
        row.save()
        audit.record(
            action="performance.standard_target_set",
            instance=row,
            before=before,
            after=audit.snapshot(row),
            actor=by,
        )
    return row


# --- appraisal ----------------------------------------------------------------------------


def _text(value: str, field: str, *, required: bool = True) -> str:
    text = (value or "").strip()
    if required and not text:
        raise DomainError(_("This cannot be empty."), field=field)
    if len(text) > TEXT_MAX:
        raise DomainError(_("Keep it under %(n)s characters.") % {"n": TEXT_MAX}, field=field)
    return text


def appraisal_record(
    *, officer, first_day: dt.date, last_day: dt.date, rating, comment: str, by
) -> Appraisal:
    """The manager appraises one officer for one period, with the figures beside them kept."""
    permissions.require_manages(by, officer)
    if first_day > last_day:
        raise DomainError(_("The period must start before it ends."), field="first_day")
    if last_day > clock.local_date():
        raise DomainError(_("Appraise a period that is over."), field="last_day")
    try:
        rating_n = int(rating)
    except (TypeError, ValueError):
        rating_n = 0
    if rating_n not in Appraisal.Rating.values:
        raise DomainError(_("Choose a rating from 1 to 5."), field="rating")
    comment = _text(comment, "comment")
    figures = appraisal_figures.officer_figures(officer, first_day, last_day)
    try:
        with transaction.atomic():
            row = Appraisal.objects.create(
                officer=officer,
                centre_id=officer.centre_id,
                first_day=first_day,
                last_day=last_day,
                rating=rating_n,
                comment=comment,
                figures=figures,
                appraised_by=by,
                appraised_at=clock.now(),
            )
            audit.record(action="performance.appraised", instance=row, actor=by)
    except IntegrityError:
        raise AlreadyAppraised(
            _("This officer already has an appraisal for this period."), field="first_day"
        ) from None
    return row


def appraisal_comment(*, appraisal: Appraisal, comment: str, by) -> Appraisal:
    """The officer adds their own comment (and may correct it); nobody else writes here."""
    if by.pk != appraisal.officer_id:
        raise Forbidden(_("Only the officer appraised comments here."))
    comment = _text(comment, "officer_comment")
    with transaction.atomic():
        row = Appraisal.objects.select_for_update().get(pk=appraisal.pk)
        before = {"officer_comment": row.officer_comment}
        row.officer_comment = comment
        row.officer_commented_at = clock.now()
        row.save(update_fields=["officer_comment", "officer_commented_at"])
        audit.record(
            action="performance.appraisal_commented",
            instance=row,
            before=before,
            after={"officer_comment": comment},
            actor=by,
        )
    return row


def recognition_propose(
    *, officer, kind: str, what: str, reason: str, by, appraisal: Appraisal | None = None
) -> Recognition:
    """The maker: a manager proposes a reward or a sanction, with its reason."""
    permissions.require_manages(by, officer)
    if kind not in Recognition.Kind.values:
        raise DomainError(_("Choose a reward or a sanction."), field="kind")
    what = _text(what, "what")
    if len(what) > 200:
        raise DomainError(_("Keep it under %(n)s characters.") % {"n": 200}, field="what")
    reason = _text(reason, "reason")
    if appraisal is not None and appraisal.officer_id != officer.pk:
        raise DomainError(_("That appraisal is another officer's."), field="appraisal")
    with transaction.atomic():
        row = Recognition.objects.create(
            officer=officer,
            centre_id=officer.centre_id,
            appraisal=appraisal,
            kind=kind,
            what=what,
            reason=reason,
            proposed_by=by,
            proposed_at=clock.now(),
        )
        audit.record(action=f"performance.{kind}_proposed", instance=row, actor=by)
    return row


def recognition_decide(*, recognition_id: int, approve: bool, note: str = "", by) -> Recognition:
    """The checker: a second person (another manager of the centre, or the Secretariat)
    approves or refuses. Never the proposer: the verb refuses, and so does the database."""
    note = _text(note, "decision_note", required=not approve)[:500]
    with transaction.atomic():
        row = (
            Recognition.objects.select_for_update().select_related("officer").get(pk=recognition_id)
        )
        permissions.require_manages(by, row.officer)
        if by.pk == row.proposed_by_id:
            raise SameOfficer(_("Another person than the one who proposed it must decide."))
        if row.status != Recognition.Status.PENDING:
            raise NotPending(_("This was already decided."))
        row.status = Recognition.Status.APPROVED if approve else Recognition.Status.REFUSED
        row.decided_by = by
        row.decided_at = clock.now()
        row.decision_note = note
        row.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        audit.record(
            action=f"performance.{row.kind}_{row.status}",
            instance=row,
            after={"status": row.status, "note": note},
            actor=by,
        )
    return row


# --- savings ------------------------------------------------------------------------------

SAVINGS_FIELDS = (
    "trip_cost_kes",
    "hour_value_kes",
    "hours_saved_per_service",
    "bribe_kes",
    "bribe_share_pct",
)


def savings_method_set(*, by, source: str, **inputs) -> SavingsMethod:
    """A new method in force (the old one stays as history), audited with what changed."""
    permissions.require_secretariat(by)
    values = {}
    for field in SAVINGS_FIELDS:
        try:
            value = Decimal(str(inputs.get(field, "")).strip().replace(",", ""))
        except (InvalidOperation, ValueError):
            raise DomainError(_("Enter a number."), field=field) from None
        if not value.is_finite() or value < 0 or value > Decimal(99999999):
            raise DomainError(_("Enter a number of zero or more."), field=field)
        if field == "bribe_share_pct" and value > 100:
            raise DomainError(_("A share cannot exceed 100%."), field=field)
        values[field] = value.quantize(Decimal("0.01"))
    source = _text(source, "source")[:300]
    with transaction.atomic():
        previous = SavingsMethod.objects.select_for_update().order_by("-created_at", "-id").first()
        row = SavingsMethod.objects.create(
            **values, source=source, created_by=by, created_at=clock.now()
        )
        audit.record(
            action="performance.savings_method_set",
            instance=row,
            before=audit.snapshot(previous) if previous else None,
            after=audit.snapshot(row),
            actor=by,
        )
    return row
