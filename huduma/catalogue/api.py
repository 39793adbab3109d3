"""Public catalogue API: services, MDAs, centres, charters and the knowledge base."""

from django.conf import settings
from django.urls import reverse
from ninja import Query, Router, Schema
from ninja.decorators import decorate_view
from pydantic import Field

from huduma.catalogue import selectors
from huduma.catalogue.models import MDA, Article, Service
from huduma.catalogue.schemas import (
    ArticleOut,
    ArticlePage,
    CentrePage,
    CharterOut,
    MDAOut,
    ServiceDetail,
    ServicePage,
)
from huduma.core import clock
from huduma.core.errors import NotFound
from huduma.core.http import conditional_get, reject_unknown_params
from huduma.core.pagination import MAX_PAGE_SIZE, paginate
from huduma.core.permissions import is_staff_member
from huduma.places.models import Centre

router = Router(tags=["catalogue"])
cached = decorate_view(conditional_get(selectors.catalogue_version))


class PageParams(Schema):
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(20, ge=1, le=MAX_PAGE_SIZE)


class ServiceQuery(PageParams):
    q: str = Field("", max_length=selectors.MAX_QUERY_LENGTH)
    mda: str = Field("", max_length=16)
    channel: str = Field("", max_length=20)
    centre: str = Field("", max_length=40)


def mda_out(mda: MDA) -> dict:
    return {"code": mda.code, "name_en": mda.name_en, "name_sw": mda.name_sw}


def service_summary(service: Service) -> dict:
    return {
        "code": service.code,
        "name_en": service.name_en,
        "name_sw": service.name_sw,
        "mda": mda_out(service.mda),
        "fee_kes": service.fee_kes,
        "fee_is_demo": service.fee_is_demo,
        "turnaround_days": service.turnaround_days,
        "turnaround_is_demo": service.turnaround_is_demo,
        "portable": service.portable,
        "url": reverse("catalogue:service", args=[service.code]),
    }


def article_out(article: Article) -> dict:
    return {
        "slug": article.slug,
        "kind": article.kind,
        "title_en": article.title_en,
        "title_sw": article.title_sw,
        "body_en": article.body_en,
        "body_sw": article.body_sw,
        "version": article.version,
        "service": article.service.code if article.service_id else None,
        "updated_at": article.updated_at,
    }


def centre_out(centre: Centre) -> dict:
    return {
        "code": centre.code,
        "name": centre.name,
        "county": centre.county.name,
        "county_code": centre.county.code_display,
        "sub_county": centre.sub_county.name if centre.sub_county_id else None,
        "town": centre.town,
        "status": centre.status,
        "opening_hours": centre.opening_hours,
        "charter_url": reverse("catalogue:charter", args=[centre.code]),
    }


def complaint_contacts() -> dict:
    return {
        "phone": settings.COMPLAINTS_PHONE,
        "email": settings.COMPLAINTS_EMAIL,
        "short_code": settings.COMPLAINTS_SHORT_CODE,
    }


@router.get("/services", response=ServicePage, summary="Search services")
@cached
def list_services(request, params: Query[ServiceQuery]):
    """Search by words in English or Swahili (typos tolerated); filter by MDA, channel, centre."""
    reject_unknown_params(request, {"q", "mda", "channel", "centre", "page", "page_size"})
    filters = selectors.service_filters_validate(
        selectors.ServiceFilters(
            q=params.q.strip(), mda=params.mda, channel=params.channel, centre=params.centre
        )
    )
    page = paginate(
        selectors.services_search(filters), page=params.page, page_size=params.page_size
    )
    return {
        "count": page.count,
        "page": page.page,
        "page_size": page.page_size,
        "pages": page.pages,
        "results": [service_summary(s) for s in page.items],
    }


@router.get("/services/{code}", response=ServiceDetail, summary="One service")
@cached
def get_service(request, code: str):
    reject_unknown_params(request, set())
    service = selectors.service_detail(code)
    if service is None:
        raise NotFound(f"There is no service with code {code!r}.", field="code")
    data = service_summary(service)
    data.update(
        description_en=service.description_en,
        description_sw=service.description_sw,
        needs_documents=service.needs_documents,
        requirements=[
            {"text_en": r.text_en, "text_sw": r.text_sw} for r in service.requirements.all()
        ],
        channels=[
            {"channel": c.channel, "how_en": c.how_en, "how_sw": c.how_sw}
            for c in service.channels.all()
        ],
        centres=[
            {"code": o.centre.code, "name": o.centre.name, "county": o.centre.county.name}
            for o in service.offered_at.select_related("centre__county").order_by("centre__name")
        ],
        articles=[article_out(a) for a in selectors.service_articles(service)],
    )
    return data


@router.get("/mdas", response=list[MDAOut], summary="Ministries, departments and agencies")
@cached
def list_mdas(request):
    reject_unknown_params(request, set())
    return [mda_out(m) for m in MDA.objects.order_by("name_en")]


@router.get("/centres", response=CentrePage, summary="Huduma Centres")
@cached
def list_centres(request, params: Query[PageParams]):
    reject_unknown_params(request, {"page", "page_size"})
    qs = Centre.objects.select_related("county", "sub_county").order_by("name")
    page = paginate(qs, page=params.page, page_size=params.page_size)
    return {
        "count": page.count,
        "page": page.page,
        "page_size": page.page_size,
        "pages": page.pages,
        "results": [centre_out(c) for c in page.items],
    }


@router.get("/centres/{code}/charter", response=CharterOut, summary="A centre's service charter")
@cached
def get_charter(request, code: str):
    reject_unknown_params(request, set())
    centre = Centre.objects.select_related("county", "sub_county").filter(code=code).first()
    if centre is None:
        raise NotFound(f"There is no centre with code {code!r}.", field="code")
    return {
        "centre": centre_out(centre),
        "date": clock.local_date(),
        "services": [
            {
                "code": s.code,
                "name_en": s.name_en,
                "name_sw": s.name_sw,
                "mda": s.mda.name_en,
                "fee_kes": s.fee_kes,
                "turnaround_days": s.turnaround_days,
            }
            for s in selectors.centre_charter(centre)
        ],
        "complaints": complaint_contacts(),
    }


class ArticleQuery(PageParams):
    service: str = Field("", max_length=40)


@router.get("/articles", response=ArticlePage, summary="Knowledge base")
def list_articles(request, params: Query[ArticleQuery]):
    """Public articles and FAQs; signed-in staff also see staff-only ones."""
    reject_unknown_params(request, {"service", "page", "page_size"})
    qs = selectors.public_articles(include_staff=is_staff_member(request.user))
    if params.service:
        if not Service.objects.filter(code=params.service).exists():
            raise NotFound(f"There is no service with code {params.service!r}.", field="service")
        qs = qs.filter(service__code=params.service)
    page = paginate(qs.order_by("slug"), page=params.page, page_size=params.page_size)
    return {
        "count": page.count,
        "page": page.page,
        "page_size": page.page_size,
        "pages": page.pages,
        "results": [article_out(a) for a in page.items],
    }


@router.get("/articles/{slug}", response=ArticleOut, summary="One article")
def get_article(request, slug: str):
    article = (
        selectors.public_articles(include_staff=is_staff_member(request.user))
        .filter(slug=slug)
        .first()
    )
    if article is None:
        raise NotFound(f"There is no article {slug!r}.", field="slug")
    return article_out(article)
