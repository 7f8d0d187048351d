"""The agency dashboard in the browser: charts drawn by the vendored Chart.js, tables readable, accessible."""

import datetime

import pytest
from django.utils import timezone

from indices import services
from indices.periods import periods_containing
from tests import factories
from tests.browser.conftest import check_a11y, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_unit_dashboard_draws_its_charts_and_is_accessible(desktop, live_server, world):
    # given a month of figures for unit A
    q = factories.make_questionnaire(items=[("A1", "access"), ("P1", "procedure")])
    start = timezone.make_aware(datetime.datetime(2025, 3, 3, 9))
    for score in (5, 4, 2):
        factories.make_rating(
            counter=world.counter_a, score=score, questionnaire=q, answers={"A1": score, "P1": 4}, created_at=start
        )
    services.rebuild_rollups()
    services.compute_snapshots(periods=periods_containing(datetime.date(2025, 3, 1)))
    # when the officer opens the dashboard
    login(desktop, live_server, "officer-a")
    desktop.get_by_role("navigation", name="Điều hướng cán bộ").get_by_role("link", name="Chỉ số hài lòng").click()
    desktop.wait_for_url(f"**/chi-so/don-vi/{world.unit_a.pk}/")
    # then the charts are drawn and the tables are there
    assert desktop.get_by_role("heading", name="Năm yếu tố và tiêu chí cần cải thiện trước").is_visible()
    desktop.wait_for_function(
        "() => window.Chart && Chart.getChart('chart-trend') && Chart.getChart('chart-counters')"
    )
    assert desktop.evaluate("() => Chart.getChart('chart-counters').data.datasets[0].data[0]") == pytest.approx(66.67)
    check_a11y(desktop)
