"""A kit on a 2 KB/s uplink still syncs: batches are sized by bytes for the link measured and
each request's timeout grows with what it sends (a fixed ~124 KB batch under a fixed 30 s
timeout never completed at 3 KB/s)."""

import json
import time
import urllib.parse

import pytest

from huduma.outreach import enrolment
from huduma.outreach.records import synced_model
from tests.relay import ThrottlingRelay
from tests.test_outreach_fieldkit import (  # noqa: F401 - fixtures
    fieldkit,
    kit_dir,
    kit_records,
    kit_template,
)

pytestmark = [pytest.mark.django_db(transaction=True)]

LINK_BPS = 2048


def test_a_kit_syncs_through_a_2_kb_per_second_uplink(live_server, world, kit_dir):  # noqa: F811
    _kit, code = enrolment.field_kit_register(
        centre=world.gpo, name="Kit Kibra", officers=[world.alice], actor=world.bob
    )
    fieldkit(kit_dir, "enroll", "--server", live_server.url, "--code", code)
    fieldkit(kit_dir, "day", "--visits", "10")
    made = kit_records(kit_dir)
    total = sum(len(ids) for ids in made.values())

    port = urllib.parse.urlsplit(live_server.url).port
    relay = ThrottlingRelay(port, up_bps=LINK_BPS).start()
    started = time.monotonic()
    try:
        # One attempt: a request that times out is a failure here, not retried.
        run = fieldkit(kit_dir, "run", "--attempts", "1", "--server-url", relay.url, timeout=600)
    finally:
        relay.stop()
    took = time.monotonic() - started
    report = json.loads(run.stdout)
    assert report["pending"] == 0 and report["rejected"] == 0, report
    # It went through the slow link, in several batches, each well within its timeout.
    assert relay.sent["up"] >= report["bytes_sent"] > 65_000
    assert report["batches"] >= 4
    assert took >= report["bytes_sent"] / LINK_BPS
    for label, ids in made.items():
        on_server = {
            pk.hex
            for pk in synced_model(label)
            ._base_manager.filter(pk__in=list(ids))
            .values_list("pk", flat=True)
        }
        assert on_server == ids, label
    print(f"{total} records, {report['bytes_sent']} bytes in {took:.0f} s at 2 KB/s")
