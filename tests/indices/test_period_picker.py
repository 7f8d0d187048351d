"""The dashboard's period picker: month, quarter and year controls; a bad period is said on the dashboard itself."""

import pytest
from django.urls import reverse

from indices.periods import month, quarter, year

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("query", "period"),
    [
        ({"nam": "2025", "quy": "", "thang": "3"}, month(2025, 3)),
        ({"nam": "2025", "quy": "1", "thang": "3"}, month(2025, 3)),
        ({"nam": "2025", "quy": "3", "thang": ""}, quarter(2025, 3)),
        ({"nam": "2025", "quy": "", "thang": ""}, year(2025)),
        ({"ky": "2025-Q3"}, quarter(2025, 3)),
    ],
)
def test_the_controls_choose_a_month_a_quarter_or_a_year(client, world, query, period):
    client.force_login(world.officer_a)
    response = client.get(reverse("indices:unit-dashboard", args=[world.unit_a.pk]), query)
    assert response.status_code == 200
    assert response.context["dashboard"].period == period
    # the controls show the period chosen
    form = response.context["period_form"]
    assert form.initial["nam"] == 2025
    assert form.initial.get("quy") == ((period.start.month - 1) // 3 + 1 if period.kind != "year" else None)


@pytest.mark.parametrize(
    "query",
    [
        {"ky": "12/2026"},
        {"ky": "Q3-2025"},
        {"nam": "2025", "quy": "1", "thang": "7"},
        {"nam": "abc"},
        {"nam": "2025", "thang": "13"},
    ],
)
def test_a_bad_period_is_a_message_on_the_dashboard_itself(client, world, query):
    client.force_login(world.officer_a)
    response = client.get(reverse("indices:unit-dashboard", args=[world.unit_a.pk]), query)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="period-error"' in html and ("không hợp lệ" in html.lower() or "không thuộc quý" in html)
    # still the dashboard, with its picker, not an error page
    assert response.templates[0].name == "indices/dashboard.html"
    assert 'name="nam"' in html and 'name="quy"' in html and 'name="thang"' in html


def test_the_provincial_overview_has_the_picker_and_says_a_bad_period_in_place(client, world):
    client.force_login(world.province)
    ok = client.get(reverse("indices:dashboard-home"), {"nam": "2025", "quy": "2"})
    assert ok.status_code == 200 and ok.context["period"] == quarter(2025, 2)
    bad = client.get(reverse("indices:dashboard-home"), {"ky": "12/2026"})
    assert bad.status_code == 400 and bad.templates[0].name == "indices/units.html"
    assert 'id="period-error"' in bad.content.decode()
