"""Public pages: find a service, read what it costs and needs, see a centre's charter."""

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from huduma.accounts.permissions import is_staff_member
from huduma.catalogue import selectors
from huduma.catalogue.api import complaint_contacts
from huduma.catalogue.models import MDA, Channel
from huduma.catalogue.pdf import charter_pdf
from huduma.core import clock
from huduma.core.errors import DomainError
from huduma.core.inputs import ascii_int
from huduma.core.pagination import paginate
from huduma.places.models import Centre

PAGE_SIZE = 20


def home(request):
    return render(request, "catalogue/home.html", {"popular": selectors.popular_services()})


def _positive_int(value: str, default: int) -> int:
    number = ascii_int(value, minimum=1, maximum=99_999)
    return default if number is None else number


def search(request):
    filters = selectors.ServiceFilters(
        q=request.GET.get("q", "").strip(),
        mda=request.GET.get("mda", ""),
        channel=request.GET.get("channel", ""),
        centre=request.GET.get("centre", ""),
    )
    errors = {}
    page = None
    try:
        selectors.service_filters_validate(filters)
        results = selectors.services_search(filters)
        page = paginate(
            results, page=_positive_int(request.GET.get("page", ""), 1), page_size=PAGE_SIZE
        )
    except DomainError as exc:
        errors[exc.field or "q"] = _field_message(exc.field)
    status = 400 if errors else 200
    context = {
        "filters": filters,
        "errors": errors,
        "page": page,
        "searched": any([filters.q, filters.mda, filters.channel, filters.centre]),
        "mdas": MDA.objects.filter(services__is_active=True).distinct().order_by("name_en"),
        "channels": Channel.choices,
        "centres": selectors.open_centres().order_by("name"),
    }
    return render(request, "catalogue/search.html", context, status=status)


def _field_message(field: str | None) -> str:
    return {
        "q": _("Search words must be 100 characters or fewer"),
        "mda": _("Choose an MDA from the list"),
        "channel": _("Choose a channel from the list"),
        "centre": _("Choose a centre from the list"),
        "page": _("That page of results does not exist"),
    }.get(field or "q", _("Check your search"))


def service(request, code: str):
    item = selectors.service_detail(code)
    if item is None:
        raise Http404
    return render(
        request,
        "catalogue/service.html",
        {
            "service": item,
            "centres": [
                o.centre
                for o in item.offered_at.select_related("centre__county").order_by("centre__name")
            ],
            "articles": selectors.service_articles(
                item, include_staff=is_staff_member(request.user)
            ),
        },
    )


def centres(request):
    return render(
        request,
        "catalogue/centres.html",
        {"centres": Centre.objects.select_related("county").order_by("county__name", "name")},
    )


def _charter_context(code: str) -> dict:
    centre = get_object_or_404(Centre.objects.select_related("county", "sub_county"), code=code)
    return {
        "centre": centre,
        "services": list(selectors.centre_charter(centre)),
        "date": clock.local_date(),
    }


def charter(request, code: str):
    return render(request, "catalogue/charter.html", _charter_context(code))


def charter_download(request, code: str):
    context = _charter_context(code)
    pdf = charter_pdf(
        centre=context["centre"],
        services=context["services"],
        date=context["date"],
        complaints=complaint_contacts(),
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = f"huduma-charter-{code}-{context['date'].isoformat()}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def article(request, slug: str):
    item = (
        selectors.public_articles(include_staff=is_staff_member(request.user))
        .filter(slug=slug)
        .first()
    )
    if item is None:
        raise Http404
    return render(request, "catalogue/article.html", {"article": item})
