"""Public pages that write are rate-limited per device, so no script can fill a queue."""

import pytest
from django.urls import reverse

from huduma.queues.models import Visit

pytestmark = pytest.mark.django_db

LOCMEM = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "throttle-test",
    }
}


def test_web_join_is_limited_per_device(client, world, clock, real_cache):
    url = reverse("queues:join", args=["gpo-nairobi"])

    def join(n):
        data = {
            "service": world.nhif_reg.pk,
            "phone": f"07123456{n:02d}",
            "confirm": "1",
            "requirements_confirmed": "yes",
        }
        return client.post(url, data).status_code

    statuses = [join(n) for n in range(22)]
    assert statuses[:20] == [302] * 20
    assert statuses[20:] == [429, 429]
    assert Visit.objects.count() == 20
    assert client.get(url).status_code == 200  # reading is never limited


def test_api_join_is_limited_too(client, world, clock, real_cache):
    url = "/api/queues/centres/gpo-nairobi/join"

    def join(n):
        body = {
            "services": ["NHIF-REGISTRATION"],
            "phone": f"07123456{n:02d}",
            "requirements_confirmed": True,
        }
        return client.post(url, body, content_type="application/json").status_code

    codes = [join(n) for n in range(21)]
    assert codes[-1] == 429 and codes[:20] == [201] * 20
