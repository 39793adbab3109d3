"""The counter officer's clicks, as HTTP requests: a real browser serves N citizens.

Sets up one counter at GPO Nairobi (number 301) serving a bench service (UX-BENCH, prefix U),
an officer with the counter open, and N waiting citizens; starts the production server
(Granian, as bench/qms_load.py does) and drives Chromium (Playwright) through the officer's
day: sign in (landing on the counter), call the first citizen, then for each citizen "Start
serving" and "Finish and call next", waiting each time for the console to show the change. The
first WARMUP citizens warm the server's workers and are not measured.

Every HTTP request the officer's browser makes while serving the measured citizens is
counted, the console's own refresh poll separately (the hall display is another screen and is
not counted). Prints requests per served citizen, polls per minute and the server's and
database's CPU per served citizen (bench/procstat.py: only this run's processes). Then the console
sits idle for IDLE_S seconds to count its refreshes (and how many were a bodiless 304).

Knobs (environment): UX_COUNTER_CITIZENS (default 20).
"""

import os
import tempfile
import time
import urllib.parse
from pathlib import Path

import django

from bench.procstat import database_backends_cpu_s, group_cpu_s
from bench.qms_load import HOST, free_port, start_server, stop_server

CENTRE_CODE = "gpo-nairobi"
SERVICE_CODE = "UX-BENCH"
COUNTER_NUMBER = 301
OFFICER = "ux.bench.officer"
PASSWORD = "ux-bench-Pa55word!"  # a throwaway account in a scratch database
CITIZENS = int(os.environ.get("UX_COUNTER_CITIZENS", "20"))
# Served first and not measured: each server worker's first requests load templates and code.
WARMUP = 6
CHROMIUM = "/usr/bin/chromium"
IDLE_S = 31  # three of the console's 10 s refreshes


def setup_world() -> int:
    """Reference data, the bench counter, its officer (counter open) and the waiting citizens;
    returns the counter's id."""
    from django.db import transaction

    from huduma.accounts.models import Role, User
    from huduma.catalogue.loader import load_reference_data
    from huduma.catalogue.models import MDA, CentreService, CounterService, Service
    from huduma.places.models import Centre, Counter
    from huduma.queues import services
    from huduma.queues.models import CounterSession, Ticket

    load_reference_data(with_boundaries=False)
    centre = Centre.objects.get(code=CENTRE_CODE)
    with transaction.atomic():
        service, _ = Service.objects.get_or_create(
            code=SERVICE_CODE,
            defaults={
                "mda": MDA.objects.filter(code="NRB").first() or MDA.objects.first(),
                "group": "U",
                "name_en": "Counter benchmark service",
                "name_sw": "Huduma ya kupima kaunta",
                "fee_kes": 0,
                "turnaround_days": 0,
                "needs_documents": False,
            },
        )
        CentreService.objects.get_or_create(centre=centre, service=service)
        counter, _ = Counter.objects.get_or_create(
            centre=centre, number=COUNTER_NUMBER, defaults={"name": "UX bench"}
        )
        CounterService.objects.get_or_create(counter=counter, service=service)
        officer, _ = User.objects.update_or_create(
            username=OFFICER,
            defaults={"role": Role.COUNTER_OFFICER, "centre": centre, "is_active": True},
        )
        officer.set_password(PASSWORD)
        officer.save()
        # A re-run on the same database: nothing of an earlier run may interfere.
        CounterSession.objects.filter(counter=counter).exclude(status="closed").update(
            status="closed"
        )
        Ticket.objects.filter(service=service, status__in=["waiting", "called", "serving"]).update(
            status="cancelled"
        )
    services.counter_open(counter=counter, officer=officer)
    for _ in range(WARMUP + CITIZENS):
        services.visit_issue(
            centre=centre, services=[service], channel="reception", requirements_confirmed=True
        )
    return counter.pk


def serve(port: int, counter_id: int, cpu_s) -> dict:
    """Drive the officer's browser; the counts and timings of the serving loop."""
    from playwright.sync_api import expect, sync_playwright

    base = f"http://{HOST}:{port}"
    counts = {"actions": 0, "polls": 0, "static": 0}

    def count(request):
        path = urllib.parse.urlsplit(request.url).path
        if path.startswith("/static/"):
            counts["static"] += 1
        elif path.endswith("/status/"):
            counts["polls"] += 1
        else:
            counts["actions"] += 1

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
        page.goto(f"{base}/staff/sign-in/")
        page.get_by_label("Username").fill(OFFICER)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page).to_have_url(f"{base}/staff/counters/{counter_id}/")  # lands on it
        current = page.get_by_test_id("current-number")
        status = page.get_by_test_id("current-status")

        def serve_one():
            number = current.inner_text()
            page.get_by_role("button", name="Start serving").click()
            expect(status).to_have_text("Being served")
            page.get_by_role("button", name="Finish and call next").click()
            # The next citizen called, or (after the last) nobody: the console says which.
            expect(page.get_by_text(number, exact=True)).to_have_count(0)

        page.get_by_role("button", name="Call next").click()
        expect(status).to_have_text("Called")
        for _ in range(WARMUP):
            serve_one()
        # Measured from here: each citizen costs the requests of one "start" and one "finish
        # and call next" (the first call was made during the warm-up).
        page.on("request", count)
        cpu_s_at_start = cpu_s()
        began = time.perf_counter()
        for _ in range(CITIZENS):
            serve_one()
        expect(page.get_by_role("button", name="Call next")).to_be_visible()
        elapsed = time.perf_counter() - began
        cpu_s_at_end = cpu_s()
        # Then the console sits idle (nobody waiting) for a few of its refreshes.
        polls_served = counts["polls"]
        idle = {"polls": 0, "not_modified": 0}

        def idle_poll(response):
            if urllib.parse.urlsplit(response.url).path.endswith("/status/"):
                idle["polls"] += 1
                # Chrome hands a revalidated answer to the page as 200: a 304 on the wire is a
                # poll that sent the ETag it got back (the server answers those with 304).
                # Compressed answers carry the ETag weak (W/"..."), as GZipMiddleware marks them.
                sent = response.request.all_headers().get("if-none-match", "").removeprefix("W/")
                etag = response.all_headers().get("etag", "").removeprefix("W/")
                idle["not_modified"] += bool(sent) and sent == etag

        page.on("response", idle_poll)
        page.wait_for_timeout(IDLE_S * 1000)
        page.remove_listener("response", idle_poll)
        page.remove_listener("request", count)
        browser.close()
    return {
        **counts,
        "polls": polls_served,
        "elapsed_s": elapsed,
        "cpu_s": cpu_s_at_end - cpu_s_at_start,
        "idle_polls": idle["polls"],
        "idle_not_modified": idle["not_modified"],
    }


def main() -> None:
    django.setup()
    counter_id = setup_world()
    from django.db import connection

    connection.close()
    database = urllib.parse.urlsplit(os.environ["DATABASE_URL"]).path.lstrip("/")
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="ux-counter-") as tmp:
        log_path = Path(tmp) / "server.log"
        server = start_server(port, log_path, with_redis=False)
        pgid = os.getpgid(server.pid)
        try:
            run = serve(
                port, counter_id, lambda: group_cpu_s(pgid) + database_backends_cpu_s(database)
            )
            cpu = run["cpu_s"]
        finally:
            stop_server(server)
            log = log_path.read_text(errors="replace").strip()
            if log:
                print("  server log (last 2,000 characters):\n" + log[-2000:])
    per_citizen = run["actions"] / CITIZENS
    polls_per_min = run["idle_polls"] * 60 / IDLE_S
    print(
        f"  {CITIZENS} citizens served in {run['elapsed_s']:.1f} s: {run['actions']} requests "
        f"(start, then finish and call next, for each; {WARMUP} served before, not counted), {run['polls']} console "
        f"polls meanwhile, {run['static']} static files; idle {IDLE_S} s: {run['idle_polls']} "
        f"polls, {run['idle_not_modified']} of them a bodiless 304"
    )
    print(f"bench: ux.counter_cycle_requests {per_citizen:.2f} count")
    print(f"bench: ux.counter_poll_requests {run['polls']} count")
    print(f"bench: ux.counter_polls_per_min {polls_per_min:.1f} 1/min")
    # Server and database CPU while serving (the idle polls excluded), per citizen served.
    print(f"bench: ux.counter_cpu_ms_per_cycle {cpu * 1000 / CITIZENS:.1f} ms")


if __name__ == "__main__":
    main()
