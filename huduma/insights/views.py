"""Pages of the national dashboard, its CSV exports, and the open data."""

import datetime as dt
import io
import json

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_page
from django.views.decorators.http import require_GET

from huduma.core import audit, clock, csv_safe
from huduma.insights import access, exports, selectors
from huduma.insights.dashboard import dashboard as build_dashboard
from huduma.insights.forms import DashboardForm, default_query

OPEN_DATA_CACHE_S = 600


def _form(request) -> tuple[DashboardForm, int | None]:
    scope = access.dashboard_scope(request.user)
    query = request.GET.copy()
    for key, value in default_query(clock.local_date()).items():
        query.setdefault(key, value)
    return DashboardForm(query, scope=scope), scope


@login_required
@require_GET
def dashboard(request):
    """Every figure for the period and cut asked; a bad question gets the form back (400)."""
    form, scope = _form(request)
    if not form.is_valid():
        return render(request, "insights/dashboard.html", {"form": form}, status=400)
    dash = build_dashboard(form.period(), form.cut(), today=clock.local_date())
    query = request.GET.copy()
    return render(
        request,
        "insights/dashboard.html",
        {
            "form": form,
            "dash": dash,
            "scope": scope,
            "query": query.urlencode(),
            "level_rows": _level_rows(request, dash),
            "crumb_links": _crumb_links(request, dash),
            "tables": exports.TABLES,
        },
    )


def _level_rows(request, dash) -> list[tuple]:
    """The rows of the level below, each with the link one level down (None at the bottom)."""
    rows = []
    for row in dash.rows:
        href = None
        if dash.level_param is not None:
            query = request.GET.copy()
            query[dash.level_param] = str(row.key)
            href = "?" + query.urlencode()
        rows.append((row, href))
    return rows


def _crumb_links(request, dash) -> list[tuple[str, str]]:
    out = []
    for crumb in dash.crumbs:
        query = request.GET.copy()
        for key in crumb.drop:
            query.pop(key, None)
        out.append((crumb.label, "?" + query.urlencode()))
    return out


@login_required
@require_GET
def export(request, name: str):
    """One table of the dashboard as CSV (spreadsheet-safe), audited."""
    if name not in exports.TABLES:
        raise Http404
    form, _scope = _form(request)
    if not form.is_valid():
        return HttpResponse(
            "; ".join(f"{field}: {' '.join(errs)}" for field, errs in form.errors.items()),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    dash = build_dashboard(form.period(), form.cut(), today=clock.local_date())
    header, rows = exports.table(dash, name)
    out = io.StringIO()
    writer = csv_safe.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    audit.record(
        action="insights.export",
        actor=request.user,
        object_type="insights.table",
        object_id=name,
        object_repr=name,
        after={"query": request.GET.urlencode()[:500], "rows": len(rows)},
    )
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    filename = f"huduma-{name}-{dash.shown.first}-{dash.shown.last}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- open data ---------------------------------------------------------------------------------


def _open_months(query) -> tuple[dt.date, dt.date] | None:
    """?from=YYYY-MM&to=YYYY-MM, by default the last twelve whole months."""
    this_month = clock.local_date().replace(day=1)
    default_first = (this_month - dt.timedelta(days=365)).replace(day=1)
    try:
        first = dt.date.fromisoformat((query.get("from") or f"{default_first:%Y-%m}") + "-01")
        last = dt.date.fromisoformat(
            (query.get("to") or f"{this_month - dt.timedelta(days=1):%Y-%m}") + "-01"
        )
    except ValueError:
        return None
    if last < first or (last - first).days > 3 * 366:
        return None
    return first, last


def _open_records(request):
    months = _open_months(request.GET)
    if months is None:
        return None
    return exports.open_data_records(
        selectors.open_data(first_month=months[0], last_month=months[1])
    )


def _bad_months() -> HttpResponse:
    return HttpResponse(
        _("from and to: months as YYYY-MM, from before to, at most three years apart."),
        status=400,
        content_type="text/plain; charset=utf-8",
    )


@require_GET
@cache_page(OPEN_DATA_CACHE_S)
def open_data(request):
    months = _open_months(request.GET) or _open_months({})
    return render(
        request,
        "insights/open_data.html",
        {"fields": exports.OPEN_DATA_FIELDS, "first": months[0], "last": months[1]},
    )


@require_GET
@cache_page(OPEN_DATA_CACHE_S)
def open_data_csv(request):
    records = _open_records(request)
    if records is None:
        return _bad_months()
    out = io.StringIO()
    writer = csv_safe.writer(out)
    writer.writerow(exports.OPEN_DATA_FIELDS)
    for record in records:
        writer.writerow(["" if record[k] is None else record[k] for k in exports.OPEN_DATA_FIELDS])
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = f"public, max-age={OPEN_DATA_CACHE_S}"
    return response


@require_GET
@cache_page(OPEN_DATA_CACHE_S)
def open_data_json(request):
    records = _open_records(request)
    if records is None:
        return _bad_months()
    body = json.dumps({"fields": list(exports.OPEN_DATA_FIELDS), "rows": records})
    response = HttpResponse(body, content_type="application/json")
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = f"public, max-age={OPEN_DATA_CACHE_S}"
    return response
