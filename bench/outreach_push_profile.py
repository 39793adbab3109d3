"""Where the centre server spends its CPU receiving a field kit's day: a kit's 2,000 records
(OUTREACH_RECORDS) pushed to an in-process server, each batch's `sync_push.batch_receive` timed
on its own thread's CPU clock; with OUTREACH_PROFILE=1 a second kit's push runs under cProfile
and the 30 costliest functions (cumulative) are printed.

Not in the default BENCHES (bench/outreach_sync.py measures the production server): run it as
`BENCHES=outreach_push_profile bin/bench` when the sync's CPU per record moves.
"""

import cProfile
import io
import os
import pstats
import tempfile
import threading
import time
from pathlib import Path
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import django

from bench.outreach_sync import ROOT, kit_env, prepare_kit, setup_world, verify
from bench.qms_load import free_port


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass


class _Threaded(WSGIServer):
    daemon_threads = True


def main() -> None:
    import subprocess
    import sys

    django.setup()
    from django.core.wsgi import get_wsgi_application
    from django.db import connections

    from huduma.outreach import sync_push

    register = setup_world()
    spent = {"cpu": 0.0, "records": 0}
    profiler: list[cProfile.Profile | None] = [None]
    original = sync_push.batch_receive

    def timed(*, kit, items, pending=0):
        began = time.thread_time()
        profile = profiler[0]
        if profile is not None:
            profile.enable()
        try:
            return original(kit=kit, items=items, pending=pending)
        finally:
            if profile is not None:
                profile.disable()
            spent["cpu"] += time.thread_time() - began
            spent["records"] += len(items)

    sync_push.batch_receive = timed
    port = free_port()
    server = make_server("127.0.0.1", port, get_wsgi_application(), handler_class=_Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory(prefix="outreach-profile-") as tmp:
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
        kits = []
        for name in ("timed", "profiled"):
            path = tmp / name
            path.mkdir()
            kits.append((path, prepare_kit(path, template, url, register, f"Profile kit {name}")))
        from bench.outreach_sync import fieldkit

        (timed_dir, timed_kit), (profiled_dir, _profiled) = kits
        spent.update(cpu=0.0, records=0)
        fieldkit(timed_dir, "push")
        cpu_ms = spent["cpu"] * 1000 / max(spent["records"], 1)
        records = spent["records"]
        if os.environ.get("OUTREACH_PROFILE") == "1":
            profiler[0] = cProfile.Profile()
            fieldkit(profiled_dir, "push")
            out = io.StringIO()
            pstats.Stats(profiler[0], stream=out).sort_stats("cumulative").print_stats(30)
            print(out.getvalue())
        bad, notes = verify(timed_kit)
    server.shutdown()
    connections.close_all()
    print(f"  {notes[0]}")
    assert bad == 0, f"lost or doubled {bad} records"
    print(f"bench: outreach.push_thread_cpu_ms_per_record {cpu_ms:.2f} ms ({records} records)")


if __name__ == "__main__":
    main()
