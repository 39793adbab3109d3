"""Catalogue verbs: keep each service's search document fresh; save knowledge-base articles."""

from django.contrib.postgres.search import SearchVector
from django.db import connection, transaction
from django.db.models import Value

from huduma.catalogue.models import Article, ArticleVersion, SearchWord, Service
from huduma.core import clock
from huduma.core.text import normalise


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


def service_refresh_search(*, service: Service) -> None:
    """Recompute the service's search text and, on PostgreSQL, its weighted tsvector."""
    text = _search_text(service)
    Service.objects.filter(pk=service.pk).update(search_text=text)
    lexicon = {
        w
        for w in normalise(f"{text} {service.description_en} {service.description_sw}").split()
        if 3 <= len(w) <= 64
    }
    SearchWord.objects.bulk_create([SearchWord(word=w) for w in lexicon], ignore_conflicts=True)
    if connection.vendor == "postgresql":
        mda = service.mda
        english = f"{service.name_en} {service.keywords_en}"
        swahili = f"{service.name_sw} {service.keywords_sw}"
        rest = f"{service.code} {mda.code} {mda.name_en} {mda.name_sw}"
        Service.objects.filter(pk=service.pk).update(
            search_vector=(
                SearchVector(Value(english), config="english", weight="A")
                + SearchVector(Value(swahili), config="simple", weight="A")
                + SearchVector(Value(service.description_en), config="english", weight="C")
                + SearchVector(Value(service.description_sw), config="simple", weight="C")
                + SearchVector(Value(rest), config="simple", weight="B")
            )
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
