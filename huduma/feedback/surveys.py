"""Surveys: send a questionnaire by SMS link to a random sample of citizens served in a period,
take each citizen's answers once, and read the results per centre and service."""

import datetime as dt
import random
import secrets
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Avg, Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from huduma.accounts.devices import digest
from huduma.catalogue.models import Service
from huduma.core import clock
from huduma.core.phones import InvalidPhoneNumber
from huduma.feedback.errors import InvalidRating, LinkNotValid, LinkUsed
from huduma.feedback.models import Survey, SurveyAnswer, SurveyInvitation, SurveyQuestion
from huduma.feedback.selectors import day_bounds
from huduma.notify.services import sms_send
from huduma.places.models import Centre
from huduma.queues.models import Ticket

LINK_DAYS = 14


def survey_send(*, survey: Survey, seed: int | None = None) -> int:
    """Text the survey link to a random sample of the visits served in the survey's period.

    Visits already invited are not drawn again, so sending twice tops the sample up instead of
    texting anyone twice. Each invitation is written in the same transaction as its SMS.
    """
    since, until = day_bounds(survey.period_start, survey.period_end)
    served = Ticket.objects.filter(
        status=Ticket.Status.SERVED, finished_at__gte=since, finished_at__lt=until
    ).exclude(visit__phone="")
    if survey.centre_id:
        served = served.filter(centre_id=survey.centre_id)
    invited = set(survey.invitations.values_list("visit_id", flat=True))
    first_service: dict = {}
    for visit_id, centre_id, service_id in served.order_by("visit_id", "position").values_list(
        "visit_id", "centre_id", "service_id"
    ):
        if visit_id not in invited:
            first_service.setdefault(visit_id, (centre_id, service_id))
    wanted = max(survey.sample_size - len(invited), 0)
    # A sample, not the whole population: a random draw (seeded in tests) without repeats.
    chosen = random.Random(seed).sample(sorted(first_service), min(wanted, len(first_service)))  # noqa: S311
    sent = 0
    for visit_id in chosen:
        centre_id, service_id = first_service[visit_id]
        sent += _invite(survey, visit_id, centre_id, service_id)
    return sent


def _invite(survey: Survey, visit_id, centre_id: int, service_id: int) -> int:
    token = secrets.token_urlsafe(12)
    now = clock.now()
    try:
        with transaction.atomic():
            invitation = SurveyInvitation.objects.create(
                survey=survey,
                visit_id=visit_id,
                centre_id=centre_id,
                service_id=service_id,
                token_hash=digest(token),
                created_at=now,
                expires_at=now + dt.timedelta(days=LINK_DAYS),
            )
            visit = invitation.visit
            try:
                invitation.message = sms_send(
                    to=visit.phone,
                    template="survey_invite",
                    context={
                        "centre": invitation.centre.name,
                        "link": settings.PUBLIC_URL + reverse("feedback:survey", args=[token]),
                    },
                    language=visit.language,
                )
            except InvalidPhoneNumber:
                return 0
            invitation.save(update_fields=["message"])
    except IntegrityError:
        return 0
    return 1


def survey_invitation_for(token: str) -> SurveyInvitation:
    invitation = (
        SurveyInvitation.objects.select_related("survey", "centre", "service")
        .filter(token_hash=digest(token))
        .first()
    )
    if invitation is None:
        raise LinkNotValid(_("This survey link is not valid."), field="link")
    if invitation.used_at is not None:
        raise LinkUsed(_("This survey has already been answered. Thank you."), field="link")
    if invitation.expires_at <= clock.now():
        raise LinkUsed(_("This survey link has expired."), field="link", status=410)
    return invitation


def _answer(question: SurveyQuestion, raw: str) -> SurveyAnswer | None:
    raw = (raw or "").strip()
    if not raw:
        return None  # every question is optional
    field = f"q{question.pk}"
    if question.kind == SurveyQuestion.Kind.SCALE:
        if raw not in {"1", "2", "3", "4", "5"}:
            raise InvalidRating(_("Choose a score from 1 to 5."), field=field)
        return SurveyAnswer(question=question, score=int(raw))
    if question.kind == SurveyQuestion.Kind.YES_NO:
        if raw not in {"yes", "no"}:
            raise InvalidRating(_("Answer yes or no."), field=field)
        return SurveyAnswer(question=question, yes=raw == "yes")
    if len(raw) > 500:
        raise InvalidRating(_("At most 500 characters."), field=field)
    return SurveyAnswer(question=question, text=raw)


@transaction.atomic
def survey_answer(*, token: str, answers: dict[str, str]) -> SurveyInvitation:
    """Store one citizen's answers (keyed "q<question id>") and spend the link."""
    invitation = survey_invitation_for(token)
    rows = []
    for question in invitation.survey.questions.all():
        row = _answer(question, answers.get(f"q{question.pk}", ""))
        if row is not None:
            row.invitation = invitation
            rows.append(row)
    if not rows:
        raise InvalidRating(_("Answer at least one question."), field="answers")
    spent = SurveyInvitation.objects.filter(pk=invitation.pk, used_at__isnull=True).update(
        used_at=clock.now()
    )
    if spent != 1:
        raise LinkUsed(_("This survey has already been answered. Thank you."), field="link")
    SurveyAnswer.objects.bulk_create(rows)
    return invitation


@dataclass(frozen=True)
class QuestionResult:
    question: SurveyQuestion
    answers: int
    mean_score: float | None  # scale questions
    satisfied_pct: float | None  # scale: share of 4-5
    yes_pct: float | None  # yes/no questions


@dataclass(frozen=True)
class SurveyResults:
    key: object
    label: str
    sent: int
    answered: int
    questions: list[QuestionResult]


def survey_results(*, survey: Survey, group_by: str = "centre") -> list[SurveyResults]:
    """Per centre (or service): links sent, answered, and each question's result."""
    key = {"centre": "invitation__centre_id", "service": "invitation__service_id"}[group_by]
    inv_key = key.removeprefix("invitation__")
    sent = dict(survey.invitations.values_list(inv_key).annotate(n=Count("id")).order_by())
    answered = dict(
        survey.invitations.filter(used_at__isnull=False)
        .values_list(inv_key)
        .annotate(n=Count("id"))
        .order_by()
    )
    rows = (
        SurveyAnswer.objects.filter(invitation__survey=survey)
        .values(key, "question_id")
        .annotate(
            n=Count("id"),
            mean=Avg("score"),
            high=Count("id", filter=Q(score__gte=4)),
            scored=Count("score"),
            yes_n=Count("id", filter=Q(yes=True)),
            yes_no=Count("yes"),
        )
        .order_by()
    )
    per_group: dict = defaultdict(dict)
    for r in rows:
        per_group[r[key]][r["question_id"]] = r
    questions = list(survey.questions.all())
    model = {"centre": Centre, "service": Service}[group_by]
    labels = {o.pk: o.name for o in model.objects.filter(pk__in=list(sent))}
    results = []
    for group_key in sorted(sent, key=lambda k: labels.get(k, "")):
        found = per_group.get(group_key, {})
        qs = []
        for q in questions:
            r = found.get(q.pk)
            qs.append(
                QuestionResult(
                    question=q,
                    answers=r["n"] if r else 0,
                    mean_score=round(r["mean"], 2) if r and r["mean"] is not None else None,
                    satisfied_pct=round(100 * r["high"] / r["scored"], 1)
                    if r and r["scored"]
                    else None,
                    yes_pct=round(100 * r["yes_n"] / r["yes_no"], 1) if r and r["yes_no"] else None,
                )
            )
        results.append(
            SurveyResults(
                key=group_key,
                label=labels.get(group_key, str(group_key)),
                sent=sent[group_key],
                answered=answered.get(group_key, 0),
                questions=qs,
            )
        )
    return results
