"""What a field kit takes with it: the plan of its outreach, the catalogue, the centre and its
counters, and the officers going."""

import hashlib
import json

from django.core import serializers
from django.db.models import Q

from huduma.accounts.models import Role, User
from huduma.catalogue.models import (
    MDA,
    CentreService,
    CounterService,
    Requirement,
    SearchSynonym,
    Service,
    ServiceChannel,
)
from huduma.catalogue.selectors import catalogue_version
from huduma.core import clock
from huduma.outreach.selectors import outreach_plan
from huduma.outreach.sync_models import (
    FieldKit,
)
from huduma.places.models import Centre, Counter, County, SubCounty

KIT_USER_FIELDS = (
    "username",
    "first_name",
    "last_name",
    "is_active",
    "role",
    "centre",
    "mda",
    "language",
)


def kit_snapshot(*, kit: FieldKit, since: str = "") -> dict:
    """The plan of the kit's outreach (selectors.outreach_plan), the catalogue, the centre and
    its counters, and the officers going (names and roles only: they sign in on the kit with a
    kit-only PIN). Reception on the kit offers only the outreach's services: the
    centre's charter rows it gets are those. Empty `objects` when neither the catalogue nor
    the plan changed since the version the kit holds (the plan's digest is part of it)."""
    centre = kit.device.centre
    plan = outreach_plan(kit.outreach) if kit.outreach_id else None
    version = catalogue_version()
    if plan is not None:
        digest = hashlib.sha256(json.dumps(plan, sort_keys=True).encode()).hexdigest()
        version = f"{version}|plan-{digest[:16]}"
    # An officer deactivated or taken off the kit is left out: the kit stops their sign-in at
    # this contact (kit.kit_pull), and the server refuses what it records in their name.
    officer_ids = list(
        kit.officers.filter(is_active=True, centre=centre).values_list("pk", flat=True)
    )
    body = {
        "node_id": kit.node_id,
        "ticket_prefix": kit.ticket_prefix,
        "outreach": plan,
        "centre": centre.code,
        "catalogue_version": version,
        "officers": [str(pk) for pk in officer_ids],
        "changed": since != version,
        "objects": [],
    }
    FieldKit.objects.filter(pk=kit.pk).update(last_pull_at=clock.now())
    if since == version:
        return body
    services = Service.objects.filter(offered_at__centre=centre)
    offered = CentreService.objects.filter(centre=centre)
    if plan is not None:
        offered = offered.filter(service_id__in=kit.outreach.services.values("service_id"))
    counters = Counter.objects.filter(centre=centre)
    officers = User.objects.filter(pk__in=officer_ids, centre=centre, is_active=True).exclude(
        role__in=[Role.SECRETARIAT, Role.SYSADMIN]
    )
    mdas = MDA.objects.filter(
        Q(pk__in=services.values("mda_id")) | Q(pk__in=officers.values("mda_id"))
    )
    # Who they are and what they do, never a secret: no central password hash (a stolen kit
    # would be an offline cracking target for accounts that work at the centre), no email or
    # phone. Officers sign in on the kit with a kit-only PIN set there (kit.officer_pin_set).
    user_fields = list(KIT_USER_FIELDS)
    parts = [
        (
            "county",
            County.objects.filter(pk=centre.county_id),
            ["code", "name", "capital", "updated_at"],
        ),
        ("sub", SubCounty.objects.filter(county_id=centre.county_id), None),
        ("centre", Centre.objects.filter(pk=centre.pk), None),
        ("counters", counters, None),
        ("mdas", mdas, None),
        ("services", services, None),
        ("requirements", Requirement.objects.filter(service__in=services), None),
        ("channels", ServiceChannel.objects.filter(service__in=services), None),
        ("offered", offered, None),
        ("skills", CounterService.objects.filter(counter__in=counters), None),
        ("officers", officers, user_fields),
        ("synonyms", SearchSynonym.objects.all(), None),
    ]
    for _name, queryset, fields in parts:
        body["objects"].extend(
            serializers.serialize("python", queryset, fields=fields)
            if fields
            else serializers.serialize("python", queryset)
        )
    body["objects"] = json.loads(json.dumps(body["objects"], default=str))
    return body
