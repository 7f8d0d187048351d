"""The interactive API docs render their operations from local files under the production Content-Security-Policy
(no inline script or style, nothing from another host)."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'"
)


def test_swagger_ui_renders_operations_under_a_strict_csp(desktop, live_server):
    # given: every page of the live server answers with the production policy, and we record what it blocks
    # and every request that leaves the host
    origin = live_server.url

    def with_csp(route):
        response = route.fetch()
        route.fulfill(response=response, headers={**response.headers, "content-security-policy": CSP})

    desktop.route(f"{origin}/**", with_csp)
    foreign, errors = [], []
    desktop.on("request", lambda request: None if request.url.startswith(origin) else foreign.append(request.url))
    desktop.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    desktop.add_init_script(
        "window.__cspViolations = [];"
        "document.addEventListener('securitypolicyviolation',"
        " e => window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));"
    )

    # when
    desktop.goto(f"{origin}/api/docs/")
    desktop.wait_for_selector(".opblock-summary-path", timeout=15_000)

    # then
    paths = desktop.locator(".opblock-summary-path").all_inner_texts()
    assert any("/api/v1/counters/" in path for path in paths), paths
    assert any("/api/v1/auth/token/" in path for path in paths), paths
    assert desktop.evaluate("window.__cspViolations") == []
    assert not [e for e in errors if "Content Security Policy" in e], errors
    assert foreign == []

    # and an operation opens, showing its parameters
    desktop.locator(".opblock-summary", has_text="/api/v1/units/").first.click()
    desktop.wait_for_selector(".parameters-container")
    assert desktop.locator(".parameter__name", has_text="active_on").count() == 1
