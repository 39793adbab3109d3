"""Citizen pages on a 2G link: bytes on the wire and time to first render, in a real browser.

Loads the reference data (58 centres, the national catalogue), collects the static files as a
deployment does (hashed names, a .gz of each) and starts the production server (Granian, as
bench/qms_load.py does, DEBUG off). Then headless Chromium on a 360x740 phone, its link
throttled through the DevTools protocol (Network.emulateNetworkConditions: 250 kbit/s each way,
300 ms round trip) and its cache off, opens each page of the citizen's journeys in a fresh
context (a new connection, nothing cached: a citizen following a link from an SMS), RUNS times.

For each page it reports the bytes transferred (the page and every stylesheet and script it
loads, compressed as sent, headers included, from the Resource Timing API) and the first
contentful paint (median of the runs). The budget (issue 10): every page under 30 KB and first
rendered within 1.5 s on that link.

Knobs (environment): UX_RUNS (3), plus the server knobs of bench/qms_load.py (QMS_WORKERS).
"""

import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import django

ROOT = Path(__file__).resolve().parent.parent
RUNS = int(os.environ.get("UX_RUNS", "3"))
KBIT = 1000 / 8  # bytes per second in one kbit/s
LINK = {
    "offline": False,
    "latency": 300,  # ms, round trip
    "downloadThroughput": 250 * KBIT,
    "uploadThroughput": 250 * KBIT,
}
CENTRE_CODE = "gpo-nairobi"
SERVICE_CODE = "NRB-ID-DUPLICATE"
BUDGET_KB = 30
BUDGET_MS = 1500
WORKERS_TO_WARM = int(os.environ.get("QMS_WORKERS", "3")) * 2

# Bytes and paint time of the page just loaded, read in the page once it has loaded.
MEASURE = """async () => {
  const paint = await new Promise((resolve) => {
    // The paint entry can come just after the load event on a small page: wait for it.
    new PerformanceObserver((list) => {
      const entry = list.getEntriesByName("first-contentful-paint")[0];
      if (entry) resolve(entry.startTime);
    }).observe({type: "paint", buffered: true});
    setTimeout(() => resolve(null), 5000);
  });
  const nav = performance.getEntriesByType("navigation")[0];
  const all = [nav, ...performance.getEntriesByType("resource")];
  return {
    transferred: all.reduce((sum, e) => sum + e.transferSize, 0),
    encoded: all.reduce((sum, e) => sum + e.encodedBodySize, 0),
    decoded: all.reduce((sum, e) => sum + e.decodedBodySize, 0),
    requests: all.length,
    fcp: paint,
    loaded: nav.loadEventEnd || nav.duration,
  };
}"""


def citizen_pages() -> dict[str, str]:
    """The pages of the citizen's phone journeys, with a virtual ticket to look at."""
    from huduma.catalogue.loader import load_reference_data
    from huduma.catalogue.models import Service
    from huduma.places.models import Centre
    from huduma.queues import services as queue_services

    load_reference_data(with_boundaries=False)
    centre = Centre.objects.get(code=CENTRE_CODE)
    service = Service.objects.get(code=SERVICE_CODE)
    visit = queue_services.visit_issue(
        centre=centre,
        services=[service],
        channel="web",
        requirements_confirmed=True,
        phone="+254712000001",
        idempotency_key=f"ux-bench-{time.time_ns()}",
    )
    return {
        "home": "/",
        "search": "/services/?q=lost+id",
        "service": f"/services/{SERVICE_CODE}/",
        "centres": "/centres/",
        "charter": f"/centres/{CENTRE_CODE}/",
        "join": f"/queue/{CENTRE_CODE}/join/?service={service.pk}",
        "book": f"/queue/{CENTRE_CODE}/book/?service={service.pk}",
        "ticket": f"/queue/tickets/{visit.pk}/",
        "complaint": "/complaints/new/",
        "track": "/applications/track/",
    }


def collect_static() -> None:
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"],
        cwd=ROOT,
        env=os.environ,
        check=True,
    )


def warm_up(port: int, paths) -> None:
    """A few plain requests per page, so that every worker has imported and compiled what the
    page needs before the browser measures it."""
    from bench.qms_load import HOST

    for _ in range(WORKERS_TO_WARM):
        for path in paths:
            with urllib.request.urlopen(f"http://{HOST}:{port}{path}", timeout=30) as answer:
                answer.read()


def measure(browser, url: str) -> dict:
    context = browser.new_context(viewport={"width": 360, "height": 740})
    try:
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        cdp.send("Network.emulateNetworkConditions", LINK)
        response = page.goto(url, wait_until="load", timeout=30_000)
        result = page.evaluate(MEASURE)
        result["status"] = response.status if response else 0
        return result
    finally:
        context.close()


def main() -> None:
    # The server and collectstatic share a scratch var/ (its static/ holds the manifest).
    var_dir = tempfile.TemporaryDirectory(prefix="ux-pages-")
    os.environ["HUDUMA_VAR_DIR"] = var_dir.name
    django.setup()
    from django.db import connection
    from playwright.sync_api import sync_playwright

    from bench.procstat import group_cpu_s
    from bench.qms_load import HOST, free_port, start_server, stop_server

    began = time.perf_counter()
    pages = citizen_pages()
    collect_static()
    connection.close()
    print(
        f"ux_pages: {len(pages)} citizen pages, {RUNS} cold loads each, 360x740, "
        f"250 kbit/s, 300 ms RTT; set-up {time.perf_counter() - began:.1f} s"
    )
    port = free_port()
    log_path = Path(var_dir.name) / "server.log"
    server = start_server(port, log_path, with_redis=False)
    results: dict[str, list[dict]] = {}
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"),
                args=["--no-sandbox", "--disable-gpu", "--no-first-run"],
            )
            warm_up(port, pages.values())
            cpu_before = group_cpu_s(server.pid)
            for name, path in pages.items():
                results[name] = [
                    measure(browser, f"http://{HOST}:{port}{path}") for _ in range(RUNS)
                ]
            server_cpu = group_cpu_s(server.pid) - cpu_before
            browser.close()
    finally:
        stop_server(server)
        log = log_path.read_text(errors="replace").strip()
        if log:
            print("  server log (last 2,000 characters):\n" + log[-2000:])
        var_dir.cleanup()

    rows = []
    for name, runs in results.items():
        kb = max(r["transferred"] for r in runs) / 1000
        fcps = [r["fcp"] for r in runs if r["fcp"] is not None]
        fcp = statistics.median(fcps) if fcps else float("inf")
        ratio = runs[0]["decoded"] / runs[0]["encoded"] if runs[0]["encoded"] else 0.0
        loaded = statistics.median(r["loaded"] for r in runs)
        statuses = "/".join(str(s) for s in sorted({r["status"] for r in runs}))
        rows.append((name, kb, fcp, ratio, runs[0]["requests"], loaded, statuses))
    for name, kb, fcp, ratio, requests, loaded, statuses in rows:
        flag = "" if kb < BUDGET_KB and fcp <= BUDGET_MS else "  OVER BUDGET"
        print(
            f"  {name:<10} {kb:5.1f} KB in {requests} request(s), first paint {fcp:5.0f} ms, "
            f"loaded {loaded:5.0f} ms, compressed {ratio:.1f}x, HTTP {statuses}{flag}"
        )
    loads = len(pages) * RUNS
    encoded = sum(r["encoded"] for runs in results.values() for r in runs)
    decoded = sum(r["decoded"] for runs in results.values() for r in runs)
    print(
        f"  server processes: {server_cpu * 1000 / loads:.1f} CPU-ms per page view "
        f"(its stylesheet and scripts included; the database not included); "
        f"bodies {decoded / 1000 / loads:.1f} KB -> {encoded / 1000 / loads:.1f} KB compressed"
    )
    print(f"  whole bench: {time.perf_counter() - began:.1f} s")
    print()
    print(f"bench: ux.citizen_page_max_kb {max(kb for _, kb, *_ in rows):.1f} KB")
    print(f"bench: ux.slow_link_render_max_ms {max(fcp for _, _, fcp, *_ in rows):.0f} ms")
    print(f"bench: ux.server_cpu_ms_per_page {server_cpu * 1000 / loads:.1f} ms")
    print(f"bench: ux.compression_ratio {decoded / encoded if encoded else 0:.2f} ratio")


if __name__ == "__main__":
    main()
