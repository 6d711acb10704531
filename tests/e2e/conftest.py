"""Browser tests: Debian's Chromium driven by Playwright's sync API (DESIGN.md §7).

`playwright install` cannot download here, so the browser is the system one at
/usr/bin/chromium. Tests use pytest-django's `live_server` (which needs a transactional
database: create the data inside the test).
"""

import os
import re
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DEFAULT_TIMEOUT_MS = 10_000
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 800}
REPO_ROOT = Path(__file__).resolve().parents[2]


def pytest_configure(config):
    # pytest-xdist registers this marker; with `-p no:xdist` and --strict-markers the
    # browser tests would otherwise fail to collect.
    config.addinivalue_line("markers", "xdist_group(name): run the group's tests on one xdist worker")


@pytest.fixture(scope="session", autouse=True)
def _allow_async_unsafe():
    """Playwright's sync API runs an event loop in this thread; the ORM refuses to run
    inside one unless told it is safe (it is: nothing else uses the connection).

    Session-scoped so it outlives the browser and the test database's teardown, and put
    back afterwards so the rest of the suite keeps Django's check."""
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
    finally:
        playwright.stop()


def _new_page(browser, viewport):
    # locale pins Accept-Language so the app starts in English whatever the machine says.
    context = browser.new_context(viewport=viewport, locale="en-US", timezone_id="UTC")
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    context.set_default_navigation_timeout(DEFAULT_TIMEOUT_MS)
    # Anything the Content-Security-Policy blocks (an inline style or script slipped into a
    # template, a CDN) shows up as a console error: the journey fails on it.
    context.csp_violations = []
    context.on(
        "console",
        lambda message: (
            context.csp_violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return context, context.new_page()


def _close(context):
    violations = list(context.csp_violations)
    context.close()
    assert not violations, violations


@pytest.fixture
def page(browser):
    """A phone-sized page (375x812) in a fresh browser context."""
    context, page = _new_page(browser, PHONE)
    yield page
    _close(context)


@pytest.fixture
def desktop_page(browser):
    """A desktop-sized page (1280x800) in a fresh browser context."""
    context, page = _new_page(browser, DESKTOP)
    yield page
    _close(context)


@pytest.fixture
def artifacts_dir() -> Path:
    """<repo>/artifacts/ (git-ignored): screenshots for people to look at."""
    path = REPO_ROOT / "artifacts"
    path.mkdir(exist_ok=True)
    return path


def horizontal_overflow(page) -> int:
    """How many CSS pixels the page is wider than the window (0 when it fits). Measured once
    the stylesheet applies: on a busy machine a page can be read before its CSS has loaded,
    when a 40-column textarea is wider than a phone."""
    page.wait_for_load_state("load")
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def assert_fits(page, what: str) -> None:
    """The page does not scroll sideways; if it does, name the deepest elements that stick out."""
    overflow = horizontal_overflow(page)
    if overflow > 1:
        wide = page.evaluate(
            """[...document.querySelectorAll('body *')]
                 .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
                 .filter(e => ![...e.children].some(c => c.getBoundingClientRect().right > window.innerWidth + 1))
                 .slice(0, 5).map(e => e.outerHTML.slice(0, 200))"""
        )
        pytest.fail(f"{what} scrolls sideways at {page.viewport_size['width']} px ({overflow} px): {wide}")


HTMX_ADDED = re.compile(r"htmx-added")


@contextmanager
def swap_of(page, selector):
    """Wait for the htmx swap that replaces `selector`: the element there now is marked, so only
    a new one counts. Then wait for it to settle: htmx wires up the swapped-in forms only when
    it drops `htmx-added`, and a click before that would be a plain form post (or land in the
    element about to be replaced)."""
    from playwright.sync_api import expect

    page.locator(selector).evaluate("el => el.setAttribute('data-journey-old', '')")
    yield
    fresh = page.locator(f"{selector}:not([data-journey-old])")
    expect(fresh).to_have_count(1)
    expect(fresh).not_to_have_class(HTMX_ADDED)


def mark_no_reload(page) -> None:
    """Mark the page's window: a whole-page load loses the mark (assert_no_reload)."""
    page.evaluate("window.journeyNoReload = true")


def assert_no_reload(page, what: str) -> None:
    assert page.evaluate("window.journeyNoReload === true"), f"{what} loaded a whole page instead of a swap"


def in_english(page) -> None:
    """Someone whose saved language is Russian lands in Russian whatever the browser asks for
    (only the language switch changes it): check that, then switch to English, as they may."""
    from playwright.sync_api import expect

    expect(page.locator("html")).to_have_attribute("lang", "ru")
    page.locator("form.lang button[name=language][value=en]").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")


def open_menu(page) -> None:
    """On a phone the links are folded into the menu (a <details>): open it, as a person would.
    Wider, the links are always shown and this does nothing."""
    summary = page.locator("details.menu > summary")
    if summary.is_visible() and not page.locator("details.menu").evaluate("menu => menu.open"):
        summary.click()


def nav(page, name: str):
    """The navigation called `name` ("Main", "Business"), its menu opened if it is folded."""
    open_menu(page)
    return page.get_by_role("navigation", name=name)


ROW_BUTTON = "a[hx-get]"  # a session row's buttons ("Done", "Not done", "Edit", a decision), in any language


def open_row(page, selector, click=None, as_=None):
    """A session row is text until one of its buttons fetches it with its fields (an htmx swap
    of the row alone): press the button that opens it as `as_` (a status, "done" or
    "not_done", or a decision; the first button without), `click`: how (e.g. a counted move),
    wait for the swap, and return the row now holding its fields."""
    buttons = page.locator(selector).locator(ROW_BUTTON)
    button = buttons.and_(page.locator(f"[hx-get*='as={as_}']")) if as_ else buttons.first
    with swap_of(page, selector):
        (click or (lambda locator: locator.click()))(button)
    return page.locator(selector)


def open_step(page, step, click=None):
    """A session step that is not the one at hand is folded, its heading alone: opening it (a
    press on its heading; `click`: how, e.g. a counted move) fetches its card, which takes its
    place open. Wait for the swap and return the card."""
    from playwright.sync_api import expect

    selector = f"#step-{step}"
    expect(page.locator(selector)).to_have_attribute("data-folded", "")
    with swap_of(page, selector):
        (click or (lambda locator: locator.click()))(page.locator(f"{selector} > summary"))
    card = page.locator(selector)
    expect(card).to_have_attribute("open", "")
    expect(card).not_to_have_attribute("data-folded", "")
    return card


DEMO_PASSWORD = "demo-sprints-2026"  # the seeded demo's (sprints/demo)
DEMO_TRACKER = "tracker@demo.example"
DEMO_ENTREPRENEUR = "owner@dubrava.demo"  # «Дубрава»'s owner: her saved language is Russian
DEMO_BUSINESS = "Кухни на заказ «Дубрава»"


def sign_in(page, base_url: str, email: str, password: str, *, from_home: bool = False) -> None:
    """Sign in through the form and land on the portfolio. `from_home`: start at "/", which
    sends a signed-out visitor to the sign-in form (and check that it does)."""
    from playwright.sync_api import expect

    if from_home:
        page.goto(base_url + "/")
        expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))
    else:
        page.goto(base_url + "/accounts/login/")
    page.locator("input[name=username]").fill(email)
    page.locator("input[name=password]").fill(password)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(base_url + "/")


def demo_signed_in(page, live_server):
    """The demo seeded and its tracker signed in (on the portfolio): «Дубрава», its business."""
    import io

    from django.core.management import call_command

    from tracking.models import Company

    call_command("seed_demo", stdout=io.StringIO())
    sign_in(page, live_server.url, DEMO_TRACKER, DEMO_PASSWORD)
    return Company.objects.get(name=DEMO_BUSINESS)
