"""Catalogue reads shared by the pages and the API: search, service detail, charters, articles."""

import difflib
from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.postgres.search import SearchQuery, SearchRank, TrigramSimilarity
from django.db import connection
from django.db.models import F, Prefetch, Q, QuerySet

from huduma.catalogue.models import (
    MDA,
    Article,
    CentreService,
    Channel,
    Requirement,
    SearchWord,
    Service,
    ServiceChannel,
)
from huduma.core.errors import DomainError
from huduma.core.i18n import sorted_by_name
from huduma.core.text import normalise, words
from huduma.places.models import Centre, County

MAX_QUERY_LENGTH = 100
MAX_TERMS = 8
MAX_SPELLINGS = 4
# Words too common to narrow a search, in both languages.
STOP_WORDS = {
    "a",
    "an",
    "and",
    "for",
    "how",
    "i",
    "in",
    "is",
    "my",
    "of",
    "on",
    "the",
    "to",
    "what",
    "where",
    "ya",
    "wa",
    "la",
    "za",
    "cha",
    "kwa",
    "na",
    "ni",
    "je",
    "vya",
    "kupata",
}


@dataclass(frozen=True)
class ServiceFilters:
    q: str = ""
    mda: str = ""
    channel: str = ""
    centre: str = ""


def active_services() -> QuerySet[Service]:
    return Service.objects.filter(is_active=True).select_related("mda")


def service_filters_validate(filters: ServiceFilters) -> ServiceFilters:
    """Refuse unknown filter values with a message naming the filter."""
    if len(filters.q) > MAX_QUERY_LENGTH:
        raise DomainError(
            f"Search words must be {MAX_QUERY_LENGTH} characters or fewer.", field="q"
        )
    if filters.mda and not MDA.objects.filter(code=filters.mda).exists():
        raise DomainError(f"There is no MDA with code {filters.mda!r}.", field="mda")
    if filters.channel and filters.channel not in Channel.values:
        raise DomainError(
            f"Unknown channel {filters.channel!r}; use one of {', '.join(Channel.values)}.",
            field="channel",
        )
    if filters.centre and not Centre.objects.filter(code=filters.centre).exists():
        raise DomainError(f"There is no centre with code {filters.centre!r}.", field="centre")
    return filters


def services_search(filters: ServiceFilters) -> QuerySet[Service] | list[Service]:
    """Services matching the words (English or Swahili, typo-tolerant) and the filters."""
    qs = active_services()
    if filters.mda:
        qs = qs.filter(mda__code=filters.mda)
    if filters.channel:
        qs = qs.filter(channels__channel=filters.channel)
    if filters.centre:
        qs = qs.filter(offered_at__centre__code=filters.centre)
    query = normalise(filters.q)
    if not query:
        return qs.order_by("name_en")
    if connection.vendor == "postgresql":
        return _search_postgres(qs, query)
    return _search_python(qs, query)


def _similar_words(term: str) -> list[str]:
    """Lexicon words within trigram distance of a (possibly misspelt) term, best first."""
    return list(
        SearchWord.objects.filter(word__trigram_similar=term)
        .annotate(similarity=TrigramSimilarity("word", term))
        .order_by("-similarity")
        .values_list("word", flat=True)[:MAX_SPELLINGS]
    )


def _search_postgres(qs: QuerySet[Service], query: str) -> QuerySet[Service]:
    # Each meaningful word must match, as typed or as one of its nearest lexicon spellings (typos),
    # through the weighted tsvector: English stemmer for word forms, simple dictionary for
    # Swahili. One GIN index lookup; ranked by ts_rank.
    terms = [w for w in query.split() if w not in STOP_WORDS][:MAX_TERMS] or query.split()[:1]
    condition = None
    for term in terms:
        spellings = (
            [term, *(w for w in _similar_words(term) if w != term)] if len(term) > 2 else [term]
        )
        term_query = None
        for word in spellings:
            both = SearchQuery(word, config="english") | SearchQuery(word, config="simple")
            term_query = both if term_query is None else term_query | both
        condition = term_query if condition is None else condition & term_query
    return (
        qs.filter(search_vector=condition)
        .annotate(rank=SearchRank(F("search_vector"), condition))
        .order_by("-rank", "name_en")
    )


_SUFFIXES = (
    "ations",
    "ation",
    "ements",
    "ement",
    "ments",
    "ment",
    "ings",
    "ing",
    "ies",
    "ed",
    "es",
    "s",
)


def _stem(word: str) -> str:
    """A crude English stem, enough to match "replacing" with "replacement" on SQLite."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)].rstrip("e")
    return word.rstrip("e") if len(word) > 4 else word


def _word_matches(term: str, tokens: set[str]) -> float:
    if term in tokens:
        return 1.0
    best = 0.0
    term_stem = _stem(term)
    for token in tokens:
        if len(term_stem) >= 4 and _stem(token) == term_stem:
            best = max(best, 0.9)  # another form of the same word
        elif abs(len(token) - len(term)) <= 3:
            ratio = difflib.SequenceMatcher(None, term, token).ratio()
            if ratio >= 0.8:
                best = max(best, ratio)  # a typo
    return best


def _search_python(qs: QuerySet[Service], query: str) -> list[Service]:
    """SQLite path: every meaningful word must match a word of the service, allowing typos."""
    terms = [w for w in words(query) if w not in STOP_WORDS][:MAX_TERMS] or words(query)[:1]
    scored = []
    for service in qs:
        tokens = set(service.search_text.split())
        scores = [_word_matches(term, tokens) for term in terms]
        if all(scores):
            name_tokens = set(words(service.name_en + " " + service.name_sw))
            bonus = sum(1 for term in terms if term in name_tokens) * 0.5
            scored.append((sum(scores) + bonus, service.name_en, service))
    scored.sort(key=lambda item: (-item[0], item[1]))
    return [service for _, _, service in scored]


def service_detail(code: str) -> Service | None:
    return (
        active_services()
        .prefetch_related(
            Prefetch("requirements", queryset=Requirement.objects.order_by("position", "id")),
            Prefetch("channels", queryset=ServiceChannel.objects.order_by("channel")),
            Prefetch("offered_at__centre"),
        )
        .filter(code=code)
        .first()
    )


def service_articles(service: Service, *, include_staff: bool = False) -> QuerySet[Article]:
    qs = service.articles.all()
    if not include_staff:
        qs = qs.filter(audience=Article.Audience.PUBLIC)
    return qs.order_by("kind", "title_en")


def public_articles(*, include_staff: bool = False) -> QuerySet[Article]:
    qs = Article.objects.select_related("service")
    if not include_staff:
        qs = qs.filter(audience=Article.Audience.PUBLIC)
    return qs


def centre_charter(centre: Centre) -> list[Service]:
    """The rows of a centre's service charter: services offered there, by name in the language
    shown (a citizen looks for the service, not for the agency)."""
    return sorted_by_name(
        active_services()
        .filter(offered_at__centre=centre)
        .prefetch_related(
            Prefetch("requirements", queryset=Requirement.objects.order_by("position"))
        )
    )


def open_centres() -> QuerySet[Centre]:
    return Centre.objects.filter(status=Centre.Status.OPEN).select_related("county")


def centres_find(*, q: str = "", county: County | None = None) -> QuerySet[Centre]:
    """Centres whose name, town or county contains the words (accents and case ignored by the
    database's icontains), in one county if given; by county, then name."""
    qs = Centre.objects.select_related("county")
    if county is not None:
        qs = qs.filter(county=county)
    for word in q.split()[:MAX_TERMS]:
        qs = qs.filter(
            Q(name__icontains=word) | Q(town__icontains=word) | Q(county__name__icontains=word)
        )
    return qs.order_by("county__name", "name")


def counties_with_centres() -> QuerySet[County]:
    """The counties a citizen can filter centres by: those that have one."""
    return County.objects.filter(centres__isnull=False).distinct().order_by("name")


def service_centres(service: Service, *, county_id: int | None = None) -> list[Centre]:
    """The centres offering a service: the open ones (where a citizen can queue or book) first,
    then those of the reader's county (when known), then by name. Ordering by county name put
    GPO Mombasa before GPO Nairobi for a reader in Nairobi."""
    centres = (
        Centre.objects.filter(offered_services__service=service)
        .select_related("county")
        .order_by("name")
    )
    return sorted(
        centres,
        key=lambda c: (
            c.status != Centre.Status.OPEN,
            county_id is not None and c.county_id != county_id,
        ),
    )


def catalogue_version() -> str:
    """A value that changes whenever anything the public catalogue shows changes (for ETags).

    Per table, the row count and the latest change: an edit moves the latest `updated_at`, a
    deletion lowers the count, and a deletion with an insertion brings a newer `updated_at`.
    One query over every table the catalogue and the charters read.
    """
    tables = (MDA, Service, Requirement, ServiceChannel, CentreService, Centre, Article)
    parts = []
    for position, model in enumerate(tables):
        table = connection.ops.quote_name(model._meta.db_table)
        parts.append(f"SELECT {position}, COUNT(*), MAX(updated_at) FROM {table}")  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts) + " ORDER BY 1")
        rows = cursor.fetchall()
    return "-".join(f"{n}:{m}" for _, n, m in rows)


POPULAR_CODES = (
    "NRB-ID-DUPLICATE",
    "CRD-BIRTH-CERT",
    "NHIF-REGISTER",
    "KRA-PIN-REGISTER",
    "DCI-GOOD-CONDUCT",
)


def popular_services() -> list[Service]:
    """A few services most citizens come for, shown on the home page."""
    found = {s.code: s for s in active_services().filter(code__in=POPULAR_CODES)}
    picked = [found[c] for c in POPULAR_CODES if c in found]
    return picked or list(active_services().order_by("name_en")[:5])


def services_in_needed_order(services: Sequence[Service]) -> list[Service]:
    """The services in the order chosen, except that a service another one needs first (its
    `prerequisites`: the ID card before the services that ask for it) moves before it. Never
    alphabetical; a cycle in the data falls back to the order chosen. No query for one service."""
    chosen = list(services)
    ids = [s.pk for s in chosen]
    if len(set(ids)) < 2 or len(set(ids)) != len(ids):
        return chosen  # nothing to order, or a repeat the caller refuses as it is
    needs: dict[int, set[int]] = {pk: set() for pk in ids}
    for service_id, needed_id in Service.prerequisites.through.objects.filter(
        from_service_id__in=ids, to_service_id__in=ids
    ).values_list("from_service_id", "to_service_id"):
        needs[service_id].add(needed_id)
    ordered: list[Service] = []
    placed: set[int] = set()
    remaining = chosen
    while remaining:
        # The first service (in the order chosen) whose needs are all queued before it.
        ready = next((s for s in remaining if needs[s.pk] <= placed), remaining[0])
        ordered.append(ready)
        placed.add(ready.pk)
        remaining = [s for s in remaining if s.pk != ready.pk]
    return ordered
