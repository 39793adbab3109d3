"""Public pages: find a service, read what it costs and needs, see a centre's charter."""

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from huduma.catalogue import selectors
from huduma.catalogue.api import complaint_contacts
from huduma.catalogue.forms import CentreFilterForm, CountyForm
from huduma.catalogue.models import MDA, Channel
from huduma.catalogue.pdf import charter_pdf
from huduma.core import clock
from huduma.core.errors import DomainError
from huduma.core.i18n import sorted_by_name
from huduma.core.inputs import ascii_int
from huduma.core.pagination import paginate
from huduma.core.permissions import is_staff_member
from huduma.places.models import Centre

PAGE_SIZE = 20


def home(request):
    popular = sorted_by_name(selectors.popular_services())
    return render(request, "catalogue/home.html", {"popular": popular})


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
        if not filters.q:  # no words to rank by: by name, in the language shown
            results = sorted_by_name(results)
        page = paginate(
            results, page=_positive_int(request.GET.get("page", ""), 1), page_size=PAGE_SIZE
        )
    except DomainError as exc:
        errors[exc.field or "q"] = _field_message(exc.field)
    status = 400 if errors else 200
    nothing_found = page is not None and not page.count
    context = {
        "popular": sorted_by_name(selectors.popular_services()) if nothing_found else [],
        "filters": filters,
        "errors": errors,
        "page": page,
        "searched": any([filters.q, filters.mda, filters.channel, filters.centre]),
        "mdas": sorted_by_name(MDA.objects.filter(services__is_active=True).distinct()),
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


# A service offered at more centres than this gets a county filter above its list of centres.
CENTRES_BEFORE_FILTER = 8


def service(request, code: str):
    item = selectors.service_detail(code)
    if item is None:
        raise Http404
    offering = selectors.service_centres(item, county_id=_reader_county(request))
    many = len(offering) > CENTRES_BEFORE_FILTER
    # With few centres there is no filter on the page, so nothing to complain about either.
    form = CountyForm(request.GET or None) if many else None
    county = form.cleaned_data["county"] if form and form.is_bound and form.is_valid() else None
    centres = [c for c in offering if county is None or c.county_id == county.pk]
    errors = _form_errors(form) if form else {}
    response = render(
        request,
        "catalogue/service.html",
        {
            "service": item,
            "centres": centres,
            "offered_anywhere": bool(offering),
            "county_form": form,
            "errors": errors,
            "articles": selectors.service_articles(
                item, include_staff=is_staff_member(request.user)
            ),
            "tutorials": selectors.service_tutorials(item),
        },
        status=400 if errors else 200,
    )
    return _remember_county(response, county)


def _form_errors(form) -> dict[str, str]:
    """The first message of each field, for the error summary (which links to #<field>)."""
    return {name: messages[0] for name, messages in form.errors.items()} if form.is_bound else {}


# The county a reader last chose (on the centres page or a service's county filter): their
# centres come first on a service's page. A plain cookie, nothing else is known of the reader.
COUNTY_COOKIE = "huduma_county"


def _reader_county(request) -> int | None:
    return ascii_int(request.COOKIES.get(COUNTY_COOKIE), minimum=1, maximum=2**31 - 1)


def _remember_county(response, county):
    if county is not None:
        response.set_cookie(
            COUNTY_COOKIE, str(county.pk), max_age=365 * 24 * 3600, samesite="Lax", httponly=True
        )
    return response


def centres(request):
    form = CentreFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    found = selectors.centres_find(q=filters.get("q", ""), county=filters.get("county"))
    errors = _form_errors(form)
    response = render(
        request,
        "catalogue/centres.html",
        {
            "form": form,
            "errors": errors,
            "centres": found,
            "filtered": bool(filters.get("q") or filters.get("county")),
        },
        status=400 if errors else 200,
    )
    return _remember_county(response, filters.get("county"))


def _charter_context(code: str) -> dict:
    centre = get_object_or_404(Centre.objects.select_related("county", "sub_county"), code=code)
    return {
        "centre": centre,
        "services": selectors.centre_charter(centre),
        "date": clock.local_date(),
    }


def charter(request, code: str):
    """The charter under each agency's heading, with a filter by agency and by words (the one
    catalogue search, limited to this centre): a phone shows one agency, not 64 cards."""
    context = _charter_context(code)
    centre = context["centre"]
    filters = selectors.ServiceFilters(
        q=request.GET.get("q", "").strip(), mda=request.GET.get("mda", ""), centre=centre.code
    )
    errors = {}
    services = context["services"]
    try:
        selectors.service_filters_validate(filters)
        if filters.q or filters.mda:
            services = list(selectors.services_search(filters))
            if not filters.q:
                services = sorted_by_name(services)
    except DomainError as exc:
        field = exc.field or "q"
        errors[field] = (
            _("Choose an agency from the list") if field == "mda" else _field_message(field)
        )
    context.update(
        filters=filters,
        errors=errors,
        filtered=bool(filters.q or filters.mda) and not errors,
        agencies=selectors.charter_by_agency(services, ranked=bool(filters.q) and not errors),
        all_agencies=selectors.charter_by_agency(context["services"]),
        shown_count=len(services),
        total_count=len(context["services"]),
    )
    return render(request, "catalogue/charter.html", context, status=400 if errors else 200)


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


def tutorial(request, slug: str):
    """A step-by-step guide to an online service, in the reader's language, with pictures."""
    item = selectors.tutorial_detail(slug)
    if item is None:
        raise Http404
    return render(request, "catalogue/tutorial.html", {"tutorial": item})
