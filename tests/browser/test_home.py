"""The home page works in the browser, in both languages, on a phone and a desktop, accessibly."""

import pytest

from tests.browser.conftest import check_a11y, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_home_on_a_phone_is_vietnamese_and_accessible(phone, live_server):
    phone.goto(live_server.url + "/")
    assert phone.locator("html").get_attribute("lang") == "vi"
    assert phone.get_by_role("link", name="Đăng nhập").is_visible()
    check_a11y(phone)


def test_language_switch_and_staff_login_on_desktop(desktop, live_server, world):
    desktop.goto(live_server.url + "/")
    desktop.get_by_role("button", name="English").click()
    assert desktop.locator("html").get_attribute("lang") == "en"
    login(desktop, live_server, "officer-a")
    # An officer's day starts in the inbox, still in the language chosen before logging in.
    assert desktop.url.endswith("/pakn/hop-thu/")
    assert desktop.locator("html").get_attribute("lang") == "en"
    check_a11y(desktop)
