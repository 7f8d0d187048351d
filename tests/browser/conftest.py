"""Browser tests: Playwright drives Debian's Chromium against Django's live server.

Use `phone` for citizen pages (a small viewport of a cheap phone) and `desktop` for staff pages. `check_a11y(page)`
runs the vendored axe-core and fails on any serious or critical violation.
"""

import os
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
AXE = Path(__file__).parent / "vendor" / "axe.min.js"

pytestmark = pytest.mark.browser

# Playwright's sync API runs an event loop in the test thread; Django's async-safety check would otherwise refuse
# the ORM calls that tests make between browser steps.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


def _context(browser, request, **options):
    options.setdefault("locale", "vi-VN")
    context = browser.new_context(**options)
    context.set_default_timeout(10_000)
    request.addfinalizer(context.close)
    return context


@pytest.fixture
def phone(browser, request, live_server):
    """A page on a 360x640 phone viewport, JavaScript on."""
    return _context(
        browser, request, viewport={"width": 360, "height": 640}, is_mobile=True, has_touch=True
    ).new_page()


@pytest.fixture
def phone_nojs(browser, request, live_server):
    """The same phone with JavaScript disabled: citizen pages must still work."""
    context = _context(
        browser, request, viewport={"width": 360, "height": 640}, is_mobile=True, java_script_enabled=False
    )
    return context.new_page()


@pytest.fixture
def desktop(browser, request, live_server):
    return _context(browser, request, viewport={"width": 1280, "height": 900}).new_page()


def login(page, live_server, username: str, password: str = "pass-word-123") -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("main button[type=submit]")
    page.wait_for_load_state()


def check_a11y(page) -> None:
    """Fail on any serious or critical axe-core violation on the current page."""
    # Evaluated through the DevTools protocol rather than added as an inline <script>, which the site's
    # Content-Security-Policy (script-src 'self') blocks.
    page.evaluate(AXE.read_text() + "\n;true")
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    bad = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
    details = [f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:5]}" for v in bad]
    assert not bad, "accessibility violations:\n" + "\n".join(details)
