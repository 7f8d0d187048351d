"""The admin and the API documentation work under the site's Content-Security-Policy, with no violation."""

import pytest
from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from tests.browser.conftest import check_a11y, login

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.urls("tests.browser.test_csp"),
]

# The project's URLs plus the documentation pages wired the CSP-compatible way: the split Swagger view serves its
# start-up code as a script file instead of inline. (The API helper owns the real /api/ URLs.)
from config.urls import urlpatterns as _project  # noqa: E402

urlpatterns = [
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    *_project,
]


def _watch_csp(page) -> list[str]:
    violations: list[str] = []
    page.on(
        "console",
        lambda message: violations.append(message.text) if "Content Security Policy" in message.text else None,
    )
    return violations


def test_admin_pages_work_under_the_policy(desktop, live_server, world):
    violations = _watch_csp(desktop)
    login(desktop, live_server, "admin")
    for url in ["/admin/", "/admin/survey/unit/", f"/admin/survey/unit/{world.unit_a.pk}/change/"]:
        desktop.goto(live_server.url + url)
        desktop.wait_for_load_state("networkidle")
    # The autocomplete widget (select2) opens and searches under the policy.
    desktop.locator("#id_successors + .select2 .select2-selection").click()
    desktop.keyboard.type("Y")
    desktop.locator(".select2-results__option", has_text="Sở Y tế").wait_for()
    desktop.goto(live_server.url + "/admin/survey/unitgroup/")
    desktop.get_by_role("link", name="Cơ quan chuyên môn thuộc UBND tỉnh").click()
    desktop.locator("input[name=_save]").click()
    desktop.wait_for_load_state()
    assert desktop.locator(".messagelist").is_visible()
    assert violations == []


def test_api_documentation_works_under_the_policy(desktop, live_server, world):
    violations = _watch_csp(desktop)
    login(desktop, live_server, "province")
    desktop.goto(live_server.url + "/api/docs/")
    desktop.locator(".swagger-ui .info .title").wait_for()
    assert "Hài lòng API" in desktop.locator(".swagger-ui .info .title").inner_text()
    assert violations == []


def test_login_lockout_and_not_found_pages_are_accessible_on_a_phone(phone, live_server, world, settings):
    violations = _watch_csp(phone)
    settings.LOGIN_FAILURE_LIMIT = 2
    for _ in range(2):
        login(phone, live_server, "officer-a", "wrong-password")
    assert phone.get_by_role("alert").inner_text().startswith("Đăng nhập tạm thời bị khóa")
    check_a11y(phone)
    phone.goto(live_server.url + "/khong-co-trang-nay/")
    assert phone.get_by_role("heading", level=1).inner_text() == "Không tìm thấy trang"
    check_a11y(phone)
    assert violations == []
