"""Lists and dashboards say plainly when there is nothing to show, instead of an empty table."""

from django.urls import reverse

from tests.indices import test_dashboard

# Unit A's figures for March 2025 (the dashboard tests' fixture).
figures = test_dashboard.figures


def test_province_overview_says_when_a_period_has_no_figures(client, figures):
    client.force_login(figures.province)
    empty = client.get(reverse("indices:dashboard-home") + "?ky=2024-03").content.decode()
    assert '<p class="empty" role="status">Chưa có số liệu cho kỳ này.</p>' in empty
    full = client.get(reverse("indices:dashboard-home") + "?ky=2025-03").content.decode()
    assert "Chưa có số liệu cho kỳ này." not in full
