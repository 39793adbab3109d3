"""Field-kit sync: 2,000 mixed records from a kit to the centre server over loopback HTTP, then
2,000 more from a second kit through a relay that cuts the connection every 300 records' worth
of bytes. Both must arrive exactly once. Then a third kit's day (OUTREACH_SLOW_RECORDS, 150
records) through a relay letting 2 KB/s up: records per minute on a weak mobile uplink.

The centre server is the production server (Granian, as bench/qms_load.py starts it) on the
bench's PostgreSQL database. Each kit is `manage.py fieldkit` in its own process
(HUDUMA_MODE=field, its own SQLite file): enrolled with a one-time code, then a simulated day at
the tent through the real services (tickets, calls, applications, cash and M-Pesa codes,
ratings, complaints, their SMS) until it holds OUTREACH_RECORDS records, then pushed. The time
is the push's own (the kit process's start-up is not counted); CPU per record is the whole
machine's busy time over the pushes (server, database and kit).

Knobs (environment): OUTREACH_RECORDS (2000), OUTREACH_SLOW_RECORDS (150), plus bench/qms_load.py's server knobs.
"""

import http.client
import json
import os
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import django

from bench.procstat import database_backends_cpu_s, group_cpu_s
from bench.qms_load import busy_jiffies, free_port, start_server, stop_server

ROOT = Path(__file__).resolve().parent.parent
RECORDS = int(os.environ.get("OUTREACH_RECORDS", "2000"))
CUT_EVERY_RECORDS = 300
SLOW_RECORDS = int(os.environ.get("OUTREACH_SLOW_RECORDS", "150"))
SLOW_LINK_BPS = 2048
CENTRE_CODE = "gpo-nairobi"
# A field day makes about 10 records per citizen served (visit, ticket, five events, SMS, and
# for half of them an application, its event, invoice and payment): start a little under.
RECORDS_PER_VISIT = 10


def _children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def kit_env(var_dir: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL",)}
    env.update(
        HUDUMA_MODE="field",
        HUDUMA_VAR_DIR=str(var_dir),
        HUDUMA_TESTING="1",
        HUEY_IMMEDIATE="1",
        SMS_BACKEND="memory",
        DJANGO_SETTINGS_MODULE="huduma.settings",
        LOG_LEVEL="WARNING",
    )
    return env


def fieldkit(var_dir: Path, *args: str) -> dict | str:
    done = subprocess.run(
        [sys.executable, "manage.py", "fieldkit", *args],
        check=False,
        cwd=ROOT,
        env=kit_env(var_dir),
        capture_output=True,
        text=True,
        timeout=1200,
    )
    if done.returncode != 0:
        raise RuntimeError(f"fieldkit {args[0]} failed:\n{done.stderr[-3000:]}")
    try:
        return json.loads(done.stdout)
    except ValueError:
        return done.stdout


def setup_world():
    """The centre, one counter for the kit with a paid service, one officer; returns a
    function registering a kit (and its one-time code)."""
    from huduma.accounts.models import Role, User
    from huduma.catalogue.loader import load_reference_data
    from huduma.catalogue.models import CentreService, CounterService, Service
    from huduma.outreach import enrolment
    from huduma.places.models import Centre, Counter

    load_reference_data(with_boundaries=False)
    centre = Centre.objects.get(code=CENTRE_CODE)
    service = (
        Service.objects.filter(offered_at__centre=centre, fee_kes__gt=0, is_active=True)
        .order_by("code")
        .first()
    )
    if service is None:
        service = Service.objects.filter(fee_kes__gt=0).order_by("code").first()
        CentreService.objects.get_or_create(centre=centre, service=service)
    counter, _ = Counter.objects.get_or_create(centre=centre, number=1)
    Counter.objects.filter(centre=centre).exclude(pk=counter.pk).update(is_active=False)
    CounterService.objects.get_or_create(counter=counter, service=service)
    officer, _ = User.objects.get_or_create(
        username="outreach-bench",
        defaults={"role": Role.COUNTER_OFFICER, "centre": centre, "mda": service.mda},
    )
    manager = User.objects.filter(centre=centre, role=Role.CENTRE_MANAGER).first() or officer

    def register(name: str):
        return enrolment.field_kit_register(
            centre=centre, name=name, officers=[officer], actor=manager
        )

    return register


def kit_ids(var_dir: Path) -> dict[str, set]:
    from huduma.outreach.records import SYNCED_MODELS, synced_model

    db = sqlite3.connect(var_dir / "fieldkit.sqlite3")
    try:
        # A counter session still open is sent once its counter closes (kit._LOG_WHEN).
        return {
            label: {
                row[0]
                for row in db.execute(
                    f'SELECT id FROM "{synced_model(label)._meta.db_table}"'
                    + (" WHERE status = 'closed'" if label == "queues.CounterSession" else "")
                )
            }
            for label in SYNCED_MODELS
        }
    finally:
        db.close()


def prepare_kit(
    var_dir: Path, template: Path, server_url: str, register, name: str, records: int = RECORDS
) -> dict:
    shutil.copy(template, var_dir / "fieldkit.sqlite3")
    kit, code = register(name)
    fieldkit(var_dir, "enroll", "--server", server_url, "--code", code)
    visits = records // RECORDS_PER_VISIT
    seed = 1
    while True:
        fieldkit(var_dir, "day", "--visits", str(visits), "--seed", str(seed))
        ids = kit_ids(var_dir)
        total = sum(len(v) for v in ids.values())
        if total >= records:
            return {"node_id": kit.node_id, "ids": ids, "total": total}
        seed += 1
        visits = max(1, (records - total) // RECORDS_PER_VISIT + 1)


def verify(kit: dict) -> tuple[int, list[str]]:
    """(records missing or doubled on the server, notes)."""
    from huduma.outreach import sync_selectors
    from huduma.outreach.records import synced_model
    from huduma.outreach.sync_models import SyncItem

    bad = 0
    for label, ids in kit["ids"].items():
        model = synced_model(label)
        found = {
            pk.hex
            for pk in model._base_manager.filter(pk__in=list(ids)).values_list("pk", flat=True)
        }
        bad += len(ids ^ found)
    received, highest = sync_selectors.kit_received(kit["node_id"])
    rejected = SyncItem.objects.filter(node_id=kit["node_id"], outcome="rejected").count()
    gaps = sync_selectors.kit_gaps(kit["node_id"])
    notes = [
        (
            f"{kit['total']} records on the kit; {received} changes received (highest seq "
            f"{highest}), {rejected} refused, gaps {gaps or 'none'}"
        )
    ]
    return bad + rejected + len(gaps), notes


def main() -> None:
    django.setup()
    from django.db import connection

    from tests.relay import CuttingRelay, ThrottlingRelay

    print(
        f"outreach_sync: {RECORDS} records per kit, one clean link, one cut every "
        f"{CUT_EVERY_RECORDS} records"
    )
    began = time.perf_counter()
    register = setup_world()
    database = connection.settings_dict["NAME"]
    connection.close()
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="outreach-sync-") as tmp:
        tmp = Path(tmp)
        template_dir = tmp / "template"
        template_dir.mkdir()
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "-v0"],
            check=True,
            cwd=ROOT,
            env=kit_env(template_dir),
            timeout=600,
        )
        template = template_dir / "fieldkit.sqlite3"
        server = start_server(port, tmp / "server.log", False)
        url = f"http://127.0.0.1:{port}"
        try:
            clean_dir, lossy_dir = tmp / "kit-clean", tmp / "kit-lossy"
            slow_dir = tmp / "kit-slow"
            for path in (clean_dir, lossy_dir, slow_dir):
                path.mkdir()
            clean = prepare_kit(clean_dir, template, url, register, "Bench kit clean")
            lossy = prepare_kit(lossy_dir, template, url, register, "Bench kit lossy")
            slow = prepare_kit(
                slow_dir, template, url, register, "Bench kit slow", records=SLOW_RECORDS
            )
            print(
                f"  set-up (server, two kits and their days): {time.perf_counter() - began:.1f} s"
            )

            # Every server worker loads the URL map on its first request: not the sync's cost.
            for _ in range(12):
                warm = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                warm.request("GET", "/api/outreach/sync/status")
                warm.getresponse().read()
                warm.close()
            kit0 = _children_cpu_s()
            busy0, server0, db0 = (
                busy_jiffies(),
                group_cpu_s(server.pid),
                database_backends_cpu_s(database),
            )
            report = fieldkit(clean_dir, "push")
            kit1 = _children_cpu_s()
            busy1, server1, db1 = (
                busy_jiffies(),
                group_cpu_s(server.pid),
                database_backends_cpu_s(database),
            )
            clean_s = report["elapsed_s"]
            per_record_bytes = report["bytes_sent"] / max(report["sent"], 1)

            relay = CuttingRelay(port, every_up=int(per_record_bytes * CUT_EVERY_RECORDS)).start()
            try:
                lossy_report = fieldkit(
                    lossy_dir, "run", "--server-url", relay.url, "--wait", "0", "--attempts", "100"
                )
            finally:
                relay.stop()
            lossy_s = lossy_report["elapsed_s"]

            throttle = ThrottlingRelay(port, up_bps=SLOW_LINK_BPS).start()
            try:
                slow_report = fieldkit(slow_dir, "push", "--server-url", throttle.url)
            finally:
                throttle.stop()
            slow_s = slow_report["elapsed_s"]
        finally:
            stop_server(server)
            log = (tmp / "server.log").read_text(errors="replace").strip()
            if log:
                print("  server log (last 2,000 characters):\n" + log[-2000:])

    tick = os.sysconf("SC_CLK_TCK")
    cpu_ms = (busy1 - busy0) / tick * 1000 / clean["total"]
    server_ms = (server1 - server0) * 1000 / clean["total"]
    db_ms = (db1 - db0) * 1000 / clean["total"]
    # The kit process's CPU includes its start-up (about a second), as a kit's would.
    kit_ms = (kit1 - kit0) * 1000 / clean["total"]
    processes_ms = kit_ms + server_ms + db_ms
    bad_clean, notes_clean = verify(clean)
    bad_lossy, notes_lossy = verify(lossy)
    bad_slow, notes_slow = verify(slow)
    slow_per_min = slow["total"] / slow_s * 60
    print(
        f"  clean: {report['sent']} changes in {report['batches']} batches, "
        f"{report['bytes_sent'] / 1e6:.1f} MB, {clean_s:.2f} s (waiting for the server "
        f"{report['waiting_s']:.2f} s); " + notes_clean[0]
    )
    print(
        f"  lossy: {relay.made} cuts, {lossy_report['attempts']} attempts, {lossy_s:.2f} s; "
        + notes_lossy[0]
    )
    print(
        f"  CPU per record: kit {kit_ms:.2f} ms, server processes {server_ms:.2f} ms, database "
        f"{db_ms:.2f} ms; whole machine (whatever else runs on it) {cpu_ms:.2f} core-ms"
    )
    print(
        f"  2 KB/s: {slow_report['sent']} changes in {slow_report['batches']} batches, "
        f"{slow_report['bytes_sent'] / 1e3:.0f} KB, {slow_s:.1f} s; " + notes_slow[0]
    )
    assert bad_lossy == 0, f"lossy sync lost or doubled {bad_lossy} records"
    assert bad_slow == 0, f"2 KB/s sync lost or doubled {bad_slow} records"
    assert bad_clean == 0, f"clean sync lost or doubled {bad_clean} records"
    assert relay.made >= 2, "the relay never cut the connection"
    print()
    print(f"bench: outreach.sync_2000_s {clean_s:.2f} s")
    print(f"bench: outreach.sync_lossy_2000_s {lossy_s:.2f} s")
    print(f"bench: outreach.sync_2kbps_records_per_min {slow_per_min:.0f} records/min")
    print(f"bench: outreach.lost_or_doubled {bad_clean + bad_lossy + bad_slow} count")
    print(f"bench: outreach.cpu_ms_per_record {processes_ms:.2f} ms")
    print(f"bench: outreach.machine_cpu_ms_per_record {cpu_ms:.2f} ms")
    print(f"bench: outreach.server_cpu_ms_per_record {server_ms:.2f} ms")
    print(f"bench: outreach.lossy_vs_clean {lossy_s / clean_s:.2f} ratio")


if __name__ == "__main__":
    main()
