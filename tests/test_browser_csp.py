"""Every kind of page works under the Content-Security-Policy, with no violation (Chromium):
public pages, a staff page with a live (htmx) part, the admin and the API docs (Swagger UI)."""

import pytest
from playwright.sync_api import expect

from huduma.queues import services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Runs before any script of the page: records every CSP violation the page reports, and stands in
# for window.print (headless Chromium has no printer) so the print buttons can be checked.
WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + e.sourceFile);
});
window.__printed = 0;
window.print = function () { window.__printed += 1; };
"""


@pytest.fixture
def watched(browser):
    context = browser.new_context(viewport={"width": 1024, "height": 768})
    context.add_init_script(WATCH)
    console = []
    context.on(
        "console",
        lambda m: console.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page = context.new_page()
    page.csp_console = console
    yield page
    context.close()


def assert_no_violation(page):
    reported = page.evaluate("window.__csp")
    assert reported == [] and page.csp_console == [], (reported, page.csp_console)


def visit(page, url):
    response = page.goto(url)
    assert response.status == 200, url
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_load_state("load")
    assert_no_violation(page)


def sign_in(page, base, username, password):
    page.goto(f"{base}/staff/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("load")


def test_public_pages_satisfy_the_policy(watched, live_server, world, kiosk_token):
    watched.context.add_cookies(
        [{"name": "huduma_device", "value": kiosk_token, "url": live_server.url}]
    )  # the kiosk pages are for a paired kiosk
    base = live_server.url
    virtual = services.visit_issue(
        centre=world.gpo,
        services=[world.nhif_reg],
        channel="web",
        requirements_confirmed=True,
        phone="0712345678",
    )
    for path in (
        "/",
        "/services/?q=kitambulisho",
        f"/services/{world.id_dup.code}/",
        "/centres/",
        "/centres/gpo-nairobi/",
        "/kiosk/gpo-nairobi/",
        "/queue/gpo-nairobi/join/",
        "/queue/gpo-nairobi/book/",
        f"/queue/tickets/{virtual.pk}/",  # a virtual ticket: htmx keeps it up to date
    ):
        visit(watched, base + path)
    # The language switch (a form) still works.
    watched.goto(base + "/")
    watched.get_by_role("button", name="Kiswahili").click()
    expect(watched.locator("html")).to_have_attribute("lang", "sw")
    assert_no_violation(watched)


def test_live_parts_still_update_under_the_policy(watched, browser, live_server, world):
    base = live_server.url
    visit(watched, base + "/display/gpo-nairobi/")
    expect(watched.get_by_text("Karibu")).to_be_visible()

    visit_ = services.visit_issue(
        centre=world.gpo, services=[world.id_dup], channel="reception", requirements_confirmed=True
    )
    counter = world.counters[("gpo-nairobi", 1)]
    desk = browser.new_context(viewport={"width": 1024, "height": 768})
    desk.add_init_script(WATCH)
    staff = desk.new_page()
    staff.csp_console = []
    sign_in(staff, base, "alice", "pw-alice")
    staff.goto(f"{base}/staff/counters/{counter.pk}/")
    staff.get_by_role("button", name="Open counter").click()
    staff.get_by_role("button", name="Call next").click()
    expect(staff.get_by_test_id("current-number")).to_have_text(visit_.number)
    assert_no_violation(staff)
    desk.close()

    # The board (htmx, polling every second) shows the call: scripts run under the policy.
    expect(watched.locator(".display__latest")).to_contain_text(visit_.number, timeout=3000)
    assert_no_violation(watched)


def test_staff_pages_and_printing_satisfy_the_policy(watched, live_server, world, kiosk_token):
    watched.context.add_cookies(
        [{"name": "huduma_device", "value": kiosk_token, "url": live_server.url}]
    )  # the kiosk pages are for a paired kiosk
    base = live_server.url
    sign_in(watched, base, "bob", "pw-bob")
    visit(watched, base + "/staff/")
    visit(watched, base + "/staff/centres/gpo-nairobi/live/")
    visit(watched, base + "/staff/centres/gpo-nairobi/reception/")
    watched.get_by_role("button", name="Replacement of a lost ID card").first.click()
    expect(watched.get_by_test_id("chosen")).to_contain_text("Replacement of a lost ID card")
    watched.get_by_role("button", name="Continue").click()
    watched.get_by_label("Every document on the list is here").check()
    watched.get_by_role("button", name="Issue ticket").click()
    expect(watched.get_by_role("heading", level=1)).to_have_text("Ticket A001 issued")
    watched.get_by_role("button", name="Print ticket").click()
    watched.wait_for_function("() => window.__printed === 1")
    assert_no_violation(watched)

    # The kiosk's ticket prints itself once loaded.
    kiosk_visit = services.visit_issue(
        centre=world.gpo, services=[world.nhif_reg], channel="kiosk", requirements_confirmed=True
    )
    visit(watched, f"{base}/kiosk/tickets/{kiosk_visit.pk}/")
    expect(watched.get_by_text(kiosk_visit.number)).to_be_visible()
    watched.wait_for_function("() => window.__printed === 1")


def test_admin_satisfies_the_policy(watched, live_server, world):
    import time

    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=world.sam, name="phone", confirmed=True)
    base = live_server.url
    # The admin's sign-in is the staff sign-in, then the authenticator code.
    visit(watched, base + "/admin/login/?next=/admin/")
    watched.get_by_label("Username").fill("sam")
    watched.get_by_label("Password").fill("pw-sam")
    watched.get_by_role("button", name="Sign in").click()
    expect(watched.get_by_label("6-digit code")).to_be_visible()
    assert_no_violation(watched)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    watched.get_by_label("6-digit code").fill(f"{totp.token():06d}")
    watched.get_by_role("button", name="Sign in").click()
    visit(watched, base + "/admin/")
    expect(watched.get_by_role("heading", name="Site administration")).to_be_visible()
    assert_no_violation(watched)
    visit(watched, base + f"/admin/catalogue/service/{world.id_dup.pk}/change/")
    visit(watched, base + "/admin/catalogue/service/")


def test_api_docs_work_under_the_policy(watched, live_server, world):
    visit(watched, live_server.url + "/api/docs")
    expect(watched.locator(".swagger-ui .info .title")).to_contain_text("Huduma API")
    expect(watched.locator(".opblock").first).to_be_visible()
    assert_no_violation(watched)
