"""The province report in the browser: charts drawn by the vendored Chart.js, no CSP violations, accessible."""

import io

import pytest
from django.core.management import call_command

from tests.browser.conftest import check_a11y, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_province_report_draws_its_charts_and_is_accessible(desktop, live_server):
    call_command("load_demo", password="pass-word-123", stdout=io.StringIO())
    errors = []
    desktop.on("pageerror", lambda error: errors.append(str(error)))
    login(desktop, live_server, "province")

    desktop.goto(f"{live_server.url}/bao-cao/?year=2017")

    assert "Chỉ số CCHC trung bình của toàn tỉnh đạt 75,3%" in desktop.content()
    desktop.wait_for_function("() => window.Chart && Chart.getChart('chart-bars') !== undefined")
    drawn = desktop.evaluate("() => Chart.getChart('chart-bars').data.datasets[0].data.length")
    assert drawn == 37
    assert desktop.evaluate("() => Chart.getChart('chart-trends').data.labels.length") == 5
    assert errors == []
    check_a11y(desktop)


def test_cchc_import_page_is_accessible(desktop, live_server, world):
    login(desktop, live_server, "province")
    desktop.goto(f"{live_server.url}/bao-cao/cchc/nhap-tep/")
    desktop.get_by_role("button", name="Kiểm tra và nhập").click()
    assert "Hãy chọn tệp cần nhập." in desktop.content()
    check_a11y(desktop)
