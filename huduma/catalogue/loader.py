"""Load the national reference data from the files in huduma/data, updating in place.

Idempotent: codes are the keys, a re-run changes only what the files changed, and unchanged
rows are not re-saved (so the audit log records real changes only).
"""

import json
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import yaml
from django.db import transaction

from huduma.catalogue.models import (
    MDA,
    CentreService,
    Channel,
    Requirement,
    SearchPosting,
    SearchSynonym,
    Service,
    ServiceChannel,
    Tutorial,
    TutorialStep,
)
from huduma.catalogue.services import service_refresh_search
from huduma.core import audit, refcache
from huduma.core.money import kes
from huduma.places.models import Centre, County, SubCounty

DATA_DIR = Path(__file__).resolve().parent.parent / "data"


class DataFileError(ValueError):
    pass


@dataclass
class LoadReport:
    created: dict = field(default_factory=dict)
    updated: dict = field(default_factory=dict)

    def count(self, kind: str, created: bool, changed: bool) -> None:
        if created:
            self.created[kind] = self.created.get(kind, 0) + 1
        elif changed:
            self.updated[kind] = self.updated.get(kind, 0) + 1

    def __str__(self) -> str:
        def fmt(d):
            return ", ".join(f"{v} {k}" for k, v in sorted(d.items())) or "nothing"

        return f"created {fmt(self.created)}; updated {fmt(self.updated)}"


def clean_sub_county_name(raw: str) -> str:
    """Tidy a source name: 'Kajiado Central.' / 'Starehe Sub County ' / 'Baringo central'
    become 'Kajiado Central' / 'Starehe' / 'Baringo Central'."""
    name = raw.strip().rstrip(".").strip()
    if name.lower().endswith(" sub county"):
        name = name[: -len(" sub county")].strip()
    return " ".join(part[:1].upper() + part[1:] for part in name.split())


def _upsert(model, lookup: dict, values: dict, report: LoadReport, kind: str):
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model.objects.create(**lookup, **values)
        report.count(kind, True, False)
        return obj, True
    changed = {k: v for k, v in values.items() if getattr(obj, k) != v}
    if changed:
        for key, value in changed.items():
            setattr(obj, key, value)
        obj.save()
        report.count(kind, False, True)
    return obj, bool(changed)


def _read_yaml(name: str) -> list[dict]:
    path = DATA_DIR / name
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, list):
        raise DataFileError(f"{name}: expected a list of entries")
    return data


def _letters(name: str) -> str:
    return "".join(ch for ch in name.lower() if ch.isalpha())


def load_counties(report: LoadReport, *, with_boundaries: bool = True) -> None:
    root = DATA_DIR / "kenya-counties"
    counties = json.loads((root / "counties.json").read_text(encoding="utf-8"))
    boundary_files = {_letters(p.stem): p for p in (root / "boundaries").glob("*.json")}
    for entry in counties:
        values = {"name": entry["name"], "capital": entry.get("capital", "")}
        boundary_file = boundary_files.get(_letters(entry["name"]))
        if with_boundaries and boundary_file is not None:
            values["boundary"] = json.loads(boundary_file.read_text(encoding="utf-8"))
        county, _ = _upsert(County, {"code": int(entry["code"])}, values, report, "counties")
        for sub in entry.get("sub_counties", []):
            _upsert(
                SubCounty,
                {"county": county, "name": clean_sub_county_name(sub)},
                {},
                report,
                "sub-counties",
            )


def load_mdas(report: LoadReport) -> None:
    for entry in _read_yaml("mdas.yaml"):
        _upsert(
            MDA,
            {"code": entry["code"]},
            {
                "name_en": entry["name_en"],
                "name_sw": entry.get("name_sw", ""),
                "in_reference": bool(entry.get("in_reference", True)),
                "complaints_contact": bool(entry.get("complaints_contact", False)),
                "sector": entry.get("sector", "government"),
            },
            report,
            "MDAs",
        )


def load_centres(report: LoadReport) -> None:
    for entry in _read_yaml("centres.yaml"):
        try:
            county = County.objects.get(code=int(entry["county_code"]))
        except County.DoesNotExist as exc:
            raise DataFileError(f"centre {entry['code']}: unknown county code") from exc
        sub_county = None
        if entry.get("sub_county"):
            sub_county = SubCounty.objects.filter(
                county=county, name__iexact=clean_sub_county_name(entry["sub_county"])
            ).first()
            if sub_county is None:
                raise DataFileError(f"centre {entry['code']}: unknown sub-county")
        _upsert(
            Centre,
            {"code": entry["code"]},
            {
                "name": entry["name"],
                "county": county,
                "sub_county": sub_county,
                "town": entry.get("town", ""),
                "status": entry.get("status", Centre.Status.OPEN),
            },
            report,
            "centres",
        )


def _sync_requirements(service: Service, items: list[dict], report: LoadReport) -> bool:
    wanted = [(i.get("en", ""), i.get("sw", "")) for i in items]
    current = list(
        service.requirements.order_by("position", "id").values_list("text_en", "text_sw")
    )
    if wanted == current:
        return False
    service.requirements.all().delete()
    # One save per row, not bulk_create: the audit log hears of a row only through its save.
    for position, (en, sw) in enumerate(wanted):
        Requirement.objects.create(service=service, position=position, text_en=en, text_sw=sw)
    report.count("requirement lists", False, True)
    return True


def _sync_channels(service: Service, channels: dict, report: LoadReport) -> bool:
    unknown = set(channels) - set(Channel.values)
    if unknown:
        raise DataFileError(f"service {service.code}: unknown channels {sorted(unknown)}")
    changed = False
    for channel, how in channels.items():
        _, touched = _upsert(
            ServiceChannel,
            {"service": service, "channel": channel},
            {"how_en": (how or {}).get("en", ""), "how_sw": (how or {}).get("sw", "")},
            report,
            "service channels",
        )
        changed |= touched
    stale = service.channels.exclude(channel__in=list(channels))
    if stale.exists():
        stale.delete()
        changed = True
    return changed


def load_services(report: LoadReport) -> None:
    mdas = {m.code: m for m in MDA.objects.all()}
    entries = _read_yaml("services.yaml")
    for entry in entries:
        code = entry["code"]
        if entry["mda"] not in mdas:
            raise DataFileError(f"service {code}: unknown MDA {entry['mda']}")
        fee = kes(entry["fee_kes"])
        if fee < Decimal(0):
            raise DataFileError(f"service {code}: negative fee")
        if entry.get("needs_documents", True) and not entry.get("requirements"):
            raise DataFileError(f"service {code}: needs documents but lists none")
        service, changed = _upsert(
            Service,
            {"code": code},
            {
                "mda": mdas[entry["mda"]],
                "group": entry.get("group", "A"),
                "name_en": entry["name_en"],
                "name_sw": entry["name_sw"],
                "description_en": entry.get("description_en", ""),
                "description_sw": entry.get("description_sw", ""),
                "keywords_en": ", ".join(entry.get("keywords_en", [])),
                "keywords_sw": ", ".join(entry.get("keywords_sw", [])),
                "fee_kes": fee,
                "fee_is_demo": bool(entry.get("fee_is_demo", False)),
                "turnaround_days": int(entry["turnaround_days"]),
                "turnaround_is_demo": bool(entry.get("turnaround_is_demo", False)),
                "needs_documents": bool(entry.get("needs_documents", True)),
                "portable": bool(entry.get("portable", False)),
            },
            report,
            "services",
        )
        changed |= _sync_requirements(service, entry.get("requirements", []), report)
        changed |= _sync_channels(service, entry.get("channels", {}), report)
        indexed = SearchPosting.objects.filter(service=service).exists()
        if changed or not service.search_text or not indexed:
            if changed:
                service.save(update_fields=["updated_at"])
            service_refresh_search(service=service)
    _sync_prerequisites(entries, report)


def _sync_prerequisites(entries: list[dict], report: LoadReport) -> None:
    """Each service's `needs_first` codes, once every service exists (they refer forward)."""
    services = {s.code: s for s in Service.objects.all()}
    for entry in entries:
        wanted = entry.get("needs_first", [])
        unknown = [code for code in wanted if code not in services]
        if unknown:
            raise DataFileError(f"service {entry['code']}: needs_first names unknown {unknown}")
        service = services[entry["code"]]
        ids = {services[code].pk for code in wanted}
        if set(service.prerequisites.values_list("pk", flat=True)) != ids:
            service.prerequisites.set(ids)
            report.count("prerequisite lists", False, True)


def offer_services_at_open_centres(report: LoadReport) -> None:
    """Open centres offer every service on the centre channel (the programme's rule that
    "Huduma centres offer the same services regardless of the location")."""
    services = list(Service.objects.filter(is_active=True, channels__channel=Channel.CENTRE))
    existing = set(CentreService.objects.values_list("centre_id", "service_id"))
    rows = [
        CentreService(centre=centre, service=service)
        for centre in Centre.objects.filter(status=Centre.Status.OPEN)
        for service in services
        if (centre.pk, service.pk) not in existing
    ]
    if not rows:
        return
    # Thousands of rows on a first load: made in bulk, each still in the audit log (the
    # signals that would record them one by one do not fire for bulk_create).
    with transaction.atomic():
        made = CentreService.objects.bulk_create(rows)
        audit.record_created(made)
    refcache.clear()
    report.created["charter rows"] = report.created.get("charter rows", 0) + len(made)


def load_articles(report: LoadReport) -> None:
    from huduma.catalogue.models import Article
    from huduma.catalogue.services import article_save

    path = DATA_DIR / "articles.yaml"
    if not path.exists():
        return
    services = {s.code: s for s in Service.objects.all()}
    for entry in _read_yaml("articles.yaml"):
        article = Article.objects.filter(slug=entry["slug"]).first() or Article(slug=entry["slug"])
        values = {
            "service": services.get(entry.get("service", "")),
            "audience": entry.get("audience", "public"),
            "kind": entry.get("kind", "faq"),
            "title_en": entry["title_en"],
            "title_sw": entry.get("title_sw", ""),
            "body_en": entry["body_en"],
            "body_sw": entry.get("body_sw", ""),
        }
        created = article.pk is None
        changed = created or any(getattr(article, k) != v for k, v in values.items())
        if changed:
            for key, value in values.items():
                setattr(article, key, value)
            article_save(article=article)
            report.count("articles", created, not created)


@transaction.atomic
def load_tutorials(report: LoadReport) -> None:
    """The step-by-step guides, keyed by their address; a guide's steps are replaced when the
    file changed them."""
    services = {s.code: s for s in Service.objects.all()}
    for entry in _read_yaml("tutorials.yaml"):
        service = services.get(entry["service"])
        if service is None:
            raise DataFileError(f"tutorials.yaml: unknown service {entry['service']!r}")
        tutorial, _created = _upsert(
            Tutorial,
            {"slug": entry["slug"]},
            {
                "service": service,
                "title_en": entry["title_en"],
                "title_sw": entry["title_sw"],
                "summary_en": entry.get("summary_en", ""),
                "summary_sw": entry.get("summary_sw", ""),
            },
            report,
            "tutorials",
        )
        wanted = [
            (
                n,
                step["text_en"].strip(),
                step["text_sw"].strip(),
                step.get("picture", ""),
                step.get("alt_en", ""),
                step.get("alt_sw", ""),
            )
            for n, step in enumerate(entry["steps"], start=1)
        ]
        have = list(
            tutorial.steps.order_by("position").values_list(
                "position", "text_en", "text_sw", "picture", "picture_alt_en", "picture_alt_sw"
            )
        )
        if have != wanted:
            tutorial.steps.all().delete()
            TutorialStep.objects.bulk_create(
                TutorialStep(
                    tutorial=tutorial,
                    position=n,
                    text_en=en,
                    text_sw=sw,
                    picture=picture,
                    picture_alt_en=alt_en,
                    picture_alt_sw=alt_sw,
                )
                for n, en, sw, picture, alt_en, alt_sw in wanted
            )
            report.count("tutorial steps", not have, bool(have))


@transaction.atomic
def load_synonyms(report: LoadReport) -> None:
    """The seed synonyms, each added once: the Secretariat's edits in the admin are kept."""
    for entry in _read_yaml("synonyms.yaml"):
        _, created = SearchSynonym.objects.get_or_create(
            phrase=entry["phrase"], defaults={"means": entry["means"]}
        )
        report.count("synonyms", created, False)


def load_reference_data(*, with_boundaries: bool = True) -> LoadReport:
    report = LoadReport()
    load_counties(report, with_boundaries=with_boundaries)
    load_mdas(report)
    load_centres(report)
    load_services(report)
    offer_services_at_open_centres(report)
    load_articles(report)
    load_tutorials(report)
    load_synonyms(report)
    return report
