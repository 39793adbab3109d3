"""Sign out is on every staff page (with who is signed in), and never on a kiosk."""

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from huduma.accounts.models import Role, User
from tests.conftest import sign_in_verified

pytestmark = pytest.mark.django_db

SIGN_OUT = re.compile(
    r'<form class="staff-bar" method="post" action="/staff/sign-out/"[^>]*>.*?'
    r'<button type="submit">Sign out</button>',
    re.DOTALL,
)


def _staff_routes(resolver=None, prefix=""):
    """Every page under staff/ that needs no record id, with the names of its arguments."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            ns = f"{entry.namespace}:" if entry.namespace else ""
            for name, args, full in _staff_routes(entry, route):
                yield (ns + name if name else None), args, full
        elif isinstance(entry, URLPattern) and entry.name:
            args = tuple(re.findall(r"<(?:\w+:)?(\w+)>", route))
            yield entry.name, args, route


def _staff_pages(world):
    values = {"code": world.gpo.code, "counter_id": world.counters[("gpo-nairobi", 1)].pk}
    for name, args, route in _staff_routes():
        staff = name and "staff/" in route and not route.startswith(("api/", "admin/"))
        if staff and set(args) <= set(values):
            yield name, reverse(name, kwargs={a: values[a] for a in args})


@pytest.fixture
def clients(world):
    dora = User.objects.create_user(
        username="dora",
        password="pw",
        role=Role.BACK_OFFICE,
        centre=world.gpo,
        mda=world.nrb,
        first_name="Dora",
    )
    made = []
    for user in (world.bob, world.alice, dora):
        client = Client()
        client.force_login(user)
        made.append((user, client))
    client = Client()
    sign_in_verified(client, world.sam)
    made.append((world.sam, client))
    return made


def test_every_staff_page_has_sign_out_with_name_and_role(world, clients):
    reached = set()
    for name, url in _staff_pages(world):
        for user, client in clients:
            response = client.get(url)
            if response.status_code != 200 or "text/html" not in response["Content-Type"]:
                continue
            html = response.content.decode()
            if "<html" not in html:
                continue  # a fragment a full page polls for
            bar = SIGN_OUT.search(html)
            assert bar, f"{name} ({url}) has no sign-out for {user}"
            assert f"{user.first_name}, {user.get_role_display()}" in bar.group(0), name
            reached.add(name)
            break
    wanted = {
        "queues:console",
        "queues:reception",
        "queues:live",
        "applications:worklist",
        "complaints:worklist",
        "payments:take",
        "payments:cashup",
        "ledger:revenue",
        "ledger:reconciliation",
        "ledger:refunds",
        "feedback:national_report",
        "feedback:centre_report",
        "accounts:home",
        "accounts:centre",
    }
    assert wanted <= reached, wanted - reached


def test_sign_out_button_signs_out(client, world):
    client.force_login(world.bob)
    client.post(reverse("accounts:logout"))
    assert client.get(reverse("queues:live", args=["gpo-nairobi"])).status_code == 302


def test_no_sign_out_on_citizen_and_kiosk_pages(client, world, kiosk_token):
    assert "staff-bar" not in client.get(reverse("catalogue:home")).content.decode()
    client.force_login(world.bob)
    client.cookies["huduma_device"] = kiosk_token
    kiosk = client.get(reverse("queues:kiosk", args=["gpo-nairobi"]))
    assert kiosk.status_code == 200 and "staff-bar" not in kiosk.content.decode()
