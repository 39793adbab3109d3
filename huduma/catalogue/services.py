"""Catalogue verbs: keep each service's search index fresh; save knowledge-base articles."""

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from huduma.catalogue.models import (
    Article,
    ArticleVersion,
    SearchKey,
    SearchPosting,
    Service,
)
from huduma.catalogue.search_rules import (
    MAX_WORD,
    STOP_WORDS,
    WEIGHT_AGENCY,
    WEIGHT_DESCRIPTION,
    WEIGHT_KEYWORD,
    WEIGHT_NAME,
    Kind,
    lexicon_keys,
)
from huduma.catalogue.selectors import articles_stale_unnotified
from huduma.core import clock
from huduma.core.phones import InvalidPhoneNumber
from huduma.core.text import normalise, words
from huduma.notify.services import email_send, sms_send

logger = logging.getLogger(__name__)

# Stale articles told about per run (the task runs hourly; the rest wait for the next run).
STALE_BATCH = 200
STALE_EMAIL = _(
    'The knowledge-base article "%(title)s" was due for review on %(due)s. Read it again, '
    "correct it if needed and set its next review date: %(url)s"
)


def _search_text(service: Service) -> str:
    # Names, keywords and the MDA only: descriptions live in the weighted tsvector. Keeping this
    # short is what keeps trigram matching (typos) fast.
    parts = [
        service.code,
        service.name_en,
        service.name_sw,
        service.keywords_en,
        service.keywords_sw,
        service.mda.code,
        service.mda.name_en,
        service.mda.name_sw,
    ]
    return normalise(" ".join(p for p in parts if p))


def _weighted_words(service: Service) -> dict[str, int]:
    mda = service.mda
    fields = (
        (WEIGHT_NAME, [service.name_en, service.name_sw]),
        (WEIGHT_KEYWORD, [service.keywords_en, service.keywords_sw]),
        (WEIGHT_AGENCY, [service.code, mda.code, mda.name_en, mda.name_sw]),
        (WEIGHT_DESCRIPTION, [service.description_en, service.description_sw]),
    )
    weights: dict[str, int] = {}
    for weight, texts in fields:
        for word in words(" ".join(t for t in texts if t)):
            if 2 <= len(word) <= MAX_WORD and word not in STOP_WORDS:
                weights[word] = max(weights.get(word, 0), weight)
    return weights


@transaction.atomic
def service_refresh_search(*, service: Service) -> None:
    """Re-index the service: its search text, its postings (none while inactive) and any word
    the lexicon did not have yet, with that word's lookup keys."""
    services_refresh_search(services=[service])


@transaction.atomic
def services_refresh_search(*, services: list[Service]) -> None:
    """Re-index many services at once (an import, a bench's synthetic catalogue)."""
    for service in services:
        text = _search_text(service)
        if text != service.search_text:
            Service.objects.filter(pk=service.pk).update(search_text=text)
            service.search_text = text
    weights = {s.pk: _weighted_words(s) if s.is_active else {} for s in services}
    SearchPosting.objects.filter(service__in=[s.pk for s in services]).delete()
    SearchPosting.objects.bulk_create(
        [
            SearchPosting(word=w, service_id=pk, weight=n)
            for pk, found in weights.items()
            for w, n in found.items()
        ],
        batch_size=2000,
    )
    lexicon = set().union(*weights.values()) if weights else set()
    known = set(
        SearchKey.objects.filter(kind=Kind.WORD, key__in=lexicon).values_list("key", flat=True)
    )
    SearchKey.objects.bulk_create(
        [
            SearchKey(key=key, word=word, kind=kind)
            for word in sorted(lexicon - known)
            for key, kind in lexicon_keys(word)
        ],
        ignore_conflicts=True,
        batch_size=2000,
    )


@transaction.atomic
def article_save(*, article: Article, editor=None) -> Article:
    """Save an article; if its text or audience changed, keep the previous text as a version."""
    if article.pk is not None:
        old = Article.objects.select_for_update().get(pk=article.pk)
        changed = any(
            getattr(old, f) != getattr(article, f)
            for f in ("title_en", "title_sw", "body_en", "body_sw", "audience")
        )
        if changed:
            ArticleVersion.objects.create(
                article=old,
                version=old.version,
                title_en=old.title_en,
                title_sw=old.title_sw,
                body_en=old.body_en,
                body_sw=old.body_sw,
                audience=old.audience,
                edited_by=editor.get_username() if editor else "",
                edited_at=clock.now(),
            )
            article.version = old.version + 1
    article.save()
    return article


def _article_stale_claim(article: Article) -> bool:
    """Claim the telling of an article's owner that it is stale, once per review date: a
    conditional update that exactly one worker wins (False: already told)."""
    return (
        Article.objects.filter(pk=article.pk, review_due=article.review_due)
        .exclude(stale_notified_for=article.review_due)
        .update(stale_notified_for=article.review_due)
        == 1
    )


def articles_stale_notify(*, today: dt.date | None = None) -> int:
    """Tell each stale article's owner, once per review date, by email (or SMS when they have
    no email address); the claim and the message are one transaction. Returns how many."""
    today = today or clock.local_date()
    told = 0
    for article in articles_stale_unnotified(today)[:STALE_BATCH]:
        owner = article.owner
        url = settings.PUBLIC_URL + reverse("contact:knowledge_article", args=[article.slug])
        with transaction.atomic():
            if not _article_stale_claim(article):
                continue
            with translation.override(owner.language or "en"):
                context = {
                    "title": article.title,
                    "due": article.review_due.strftime("%d/%m/%Y"),
                    "url": url,
                }
                if owner.email:
                    email_send(
                        to=owner.email,
                        subject=str(_("Knowledge base: an article of yours needs review")),
                        body=str(STALE_EMAIL) % context,
                        template="knowledge_stale",
                    )
                elif owner.phone:
                    try:
                        sms_send(
                            to=owner.phone,
                            template="knowledge_stale",
                            context=context,
                            language=owner.language or "en",
                        )
                    except InvalidPhoneNumber:
                        logger.warning("stale article %s: its owner has no usable phone", article)
                else:
                    logger.warning("stale article %s: its owner has no email or phone", article)
            told += 1
    return told


# Checks the apps above register (queues: the officer signed in at the counter must be
# qualified for the service, by the rule staffing registers there). The admin's counter-skill
# form calls them; catalogue imports none of those apps.
_counter_skill_checks: list = []


def register_counter_skill_check(fn) -> None:
    if fn not in _counter_skill_checks:
        _counter_skill_checks.append(fn)


def counter_skill_checked(*, counter, service) -> None:
    """Raise a DomainError if `service` may not be given to `counter` now."""
    for check in _counter_skill_checks:
        check(counter=counter, service=service)
