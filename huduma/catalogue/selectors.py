"""Catalogue reads shared by the pages and the API: search, service detail, charters, articles."""

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import connection
from django.db.models import F, Prefetch, Q, QuerySet

from huduma.catalogue import search_rules as rules
from huduma.catalogue.models import (
    MDA,
    Article,
    CentreService,
    Channel,
    Requirement,
    SearchKey,
    SearchPosting,
    SearchSynonym,
    Sector,
    Service,
    ServiceChannel,
    Tutorial,
)
from huduma.core.errors import DomainError
from huduma.core.i18n import sorted_by_name
from huduma.core.text import normalise, words
from huduma.places.models import Centre, County

MAX_QUERY_LENGTH = 100
MAX_TERMS = 8
MAX_RESULTS = 100  # a search lists at most this many services, best first
# Per word typed, the lexicon words it may stand for (its prefixes, stem, typos), best first.
MAX_EXPANSIONS = 8
# Per lexicon word, the postings read, strongest first: bounded, so that a search costs the
# same at 22,000 services as at 2,000 (the real catalogue has 64 services in all).
MAX_POSTINGS = 100


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


def services_search(filters: ServiceFilters) -> "QuerySet[Service] | RankedServices":
    """Services matching the words and the filters, best first: English or Swahili, prefixes
    from the third letter, typos, word forms, synonyms; the same answers on every database."""
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
    restricted = bool(filters.mda or filters.channel or filters.centre)
    return _ranked(qs, query, restricted=restricted)


def _synonyms() -> dict[tuple[str, ...], list[tuple[str, ...]]]:
    table: dict[tuple[str, ...], list[tuple[str, ...]]] = {}
    for phrase, means in SearchSynonym.objects.values_list("phrase", "means"):
        key = tuple(words(phrase))
        if key:
            table.setdefault(key, []).extend(rules.synonym_alternatives(means))
    return table


def _expansions(terms: set[str]) -> dict[str, dict[str, float]]:
    """For each typed word, the lexicon words it may stand for and how well (one query)."""
    wanted = {t: rules.query_keys(t) for t in terms}
    keys = set().union(*wanted.values()) if wanted else set()
    rows = list(SearchKey.objects.filter(key__in=keys).values_list("key", "word", "kind"))
    found: dict[str, dict[str, float]] = {}
    for term, term_keys in wanted.items():
        best: dict[str, float] = {}
        for key, word, kind in rows:
            if key in term_keys:
                quality = rules.match_quality(term, key, word, kind)
                if quality > best.get(word, 0.0):
                    best[word] = quality
        if any(q >= rules.PREFIX for q in best.values()):
            # What was typed is a word, or the start of one: no guessing at typos then
            # ("kitambu" is the start of "kitambulisho", not a slip for "kitabu").
            best = {w: q for w, q in best.items() if q >= rules.PREFIX}
        ranked = sorted(best.items(), key=lambda item: (-item[1], len(item[0]), item[0]))
        found[term] = dict(ranked[:MAX_EXPANSIONS])
    return found


def _postings(
    words_wanted: list[str], restrict: QuerySet[Service] | None
) -> dict[int, dict[str, int]]:
    """service id -> {word: weight}: up to MAX_POSTINGS per word, strongest first, in one
    statement (an index range per word) on both databases."""
    if not words_wanted:
        return {}
    table = SearchPosting._meta.db_table
    where, params = "word = %s", []
    if restrict is not None:
        sub_sql, sub_params = restrict.values("pk").query.sql_with_params()
        where = f"word = %s AND service_id IN ({sub_sql})"
        params = list(sub_params)
    parts, all_params = [], []
    for n, word in enumerate(words_wanted):
        parts.append(
            f"SELECT * FROM (SELECT service_id, word, weight FROM {table} "  # noqa: S608
            f"WHERE {where} ORDER BY weight DESC, service_id LIMIT {MAX_POSTINGS}) AS p{n}"
        )
        all_params += [word, *params]
    found: dict[int, dict[str, int]] = {}
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), all_params)
        for service_id, word, weight in cursor.fetchall():
            found.setdefault(service_id, {})[word] = weight
    return found


def _add_tail(concepts, expansions, postings) -> None:
    """A last word of one or two letters, still being typed ("kra p"), narrows what the other
    words found to the services with a word starting so (one query over those services)."""
    last = concepts[-1].alternatives if len(concepts) > 1 else ()
    if len(last) != 1 or len(last[0]) != 1:
        return
    tail = last[0][0]
    if len(tail) >= rules.MIN_PREFIX or expansions.get(tail) or not postings:
        return
    found = SearchPosting.objects.filter(
        service_id__in=list(postings), word__startswith=tail
    ).values_list("service_id", "word", "weight")
    for service_id, word, weight in found:
        postings[service_id].setdefault(word, weight)
        expansions[tail][word] = rules.PREFIX


def _ranked(qs: QuerySet[Service], query: str, *, restricted: bool) -> "RankedServices":
    concepts = rules.parse(query, _synonyms())[:MAX_TERMS]
    terms = {w for c in concepts for alt in c.alternatives for w in alt}
    expansions = _expansions(terms)
    wanted = sorted({w for found in expansions.values() for w in found})
    postings = _postings(wanted, qs if restricted else None)
    _add_tail(concepts, expansions, postings)
    scored = []
    for service_id, weights in postings.items():
        matched, total = 0, 0.0
        for concept in concepts:
            best = 0.0
            for alternative in concept.alternatives:
                score = sum(
                    max(
                        (q * weights.get(w, 0) for w, q in expansions[t].items()),
                        default=0.0,
                    )
                    for t in alternative
                ) / (len(alternative) * rules.MAX_WEIGHT)
                best = max(best, score)
            if best > 0:
                matched += 1
                total += best
        if matched:
            scored.append((-matched, -total, service_id))
    scored.sort()
    kept = scored[:MAX_RESULTS]
    return RankedServices(
        qs,
        [service_id for _, _, service_id in kept],
        scores=[(-matched, -total) for matched, total, _ in kept],
        concepts=len(concepts),
    )


class RankedServices:
    """Search results best first; a slice reads only its own services (a page of 20 or the 8
    reception shows), so a search costs the same whatever the number of matches."""

    def __init__(
        self,
        qs: QuerySet[Service],
        ids: list[int],
        *,
        scores: list[tuple[int, float]] | None = None,
        concepts: int = 0,
    ):
        self._qs = qs
        self._ids = ids
        # Per result, (concepts of the query it met, the sum of how well it met them): how
        # sure the search is, for a caller that must know when to say "not found" instead.
        self.scores = scores or [(0, 0.0)] * len(ids)
        self.concepts = concepts

    def __len__(self) -> int:
        return len(self._ids)

    def count(self) -> int:  # as a QuerySet, for the paginator
        return len(self._ids)

    def __getitem__(self, index):
        ids = self._ids[index] if isinstance(index, slice) else [self._ids[index]]
        by_id = self._qs.in_bulk(ids)
        found = [by_id[pk] for pk in ids if pk in by_id]
        if isinstance(index, slice):
            return found
        if not found:
            raise IndexError(index)
        return found[0]

    def __iter__(self):
        return iter(self[:])

    def __bool__(self) -> bool:
        return bool(self._ids)


@dataclass(frozen=True)
class SearchHit:
    """A search result with how well it met the query: `coverage` is the share of the
    query's concepts (words or synonym phrases) it met, `strength` the mean of how well it met
    them (1 = every word as typed, in the service's name)."""

    service: Service
    coverage: float
    strength: float


def services_search_hits(q: str, *, limit: int = 3) -> list[SearchHit]:
    """The best `limit` services for the words, with their scores (the catalogue search, not
    another one): for callers that must tell a weak match from a real one (the assistant)."""
    query = normalise(q[:MAX_QUERY_LENGTH])
    if not query:
        return []
    ranked = _ranked(active_services(), query, restricted=False)
    concepts = max(ranked.concepts, 1)
    hits = []
    for service, (matched, total) in zip(ranked[:limit], ranked.scores[:limit], strict=False):
        hits.append(SearchHit(service, matched / concepts, total / concepts))
    return hits


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


@dataclass(frozen=True)
class SectorGroup:
    sector: str
    label: str
    mdas: list[MDA]


def mdas_by_sector(mdas: Sequence[MDA]) -> list[SectorGroup]:
    """Agencies grouped as a citizen looks for them (the kiosk's icons): the sectors in their
    fixed order, each sector's agencies by the name in the language shown; empty sectors left out."""
    groups = []
    for sector in Sector:
        members = [m for m in mdas if m.sector == sector.value]
        if members:
            groups.append(SectorGroup(sector.value, str(sector.label), sorted_by_name(members)))
    return groups


def charter_by_agency(
    services: Sequence[Service], *, ranked: bool = False
) -> list[tuple[MDA, list[Service]]]:
    """A charter's services under their agency, the services in the order given. Agencies by
    the name shown; after a search (`ranked`), the agency of the best match first."""
    by_mda: dict[int, list[Service]] = {}
    mdas: dict[int, MDA] = {}
    for service in services:
        by_mda.setdefault(service.mda_id, []).append(service)
        mdas[service.mda_id] = service.mda
    order = list(mdas.values()) if ranked else sorted_by_name(mdas.values())
    return [(mda, by_mda[mda.pk]) for mda in order]


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
    tables = (
        MDA,
        Service,
        Requirement,
        ServiceChannel,
        CentreService,
        Centre,
        Article,
        SearchSynonym,
    )
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


# --- the staff knowledge portal and the public tutorials --------------------------------


def knowledge_search(
    *, q: str = "", mda: MDA | None = None, service: Service | None = None, stale_before=None
) -> QuerySet[Article]:
    """Staff browse the whole knowledge base (public and staff-only articles) by MDA, service
    and words of the title or text; `stale_before` keeps those whose review date is past."""
    qs = Article.objects.select_related("service__mda", "mda", "owner")
    if mda is not None:
        qs = qs.filter(Q(service__mda=mda) | Q(service__isnull=True, mda=mda))
    if service is not None:
        qs = qs.filter(service=service)
    if stale_before is not None:
        qs = qs.filter(review_due__lt=stale_before)
    for term in q.split()[:MAX_TERMS]:
        qs = qs.filter(
            Q(title_en__icontains=term)
            | Q(title_sw__icontains=term)
            | Q(body_en__icontains=term)
            | Q(body_sw__icontains=term)
        )
    return qs.order_by("title_en")


def article_for_staff(slug: str) -> Article | None:
    return (
        Article.objects.select_related("service__mda", "mda", "owner")
        .prefetch_related("versions")
        .filter(slug=slug)
        .first()
    )


def articles_stale_unnotified(today) -> QuerySet[Article]:
    """Articles past their review date whose owner has not yet been told for that date."""
    return (
        Article.objects.filter(review_due__lt=today, owner__isnull=False)
        .exclude(stale_notified_for=F("review_due"))
        .select_related("owner")
    )


def service_tutorials(service: Service) -> QuerySet[Tutorial]:
    return service.tutorials.filter(published=True).order_by("title_en")


def tutorial_detail(slug: str) -> Tutorial | None:
    return (
        Tutorial.objects.select_related("service")
        .prefetch_related("steps")
        .filter(slug=slug, published=True, service__is_active=True)
        .first()
    )
