"""The agency dashboard and its exports: scoping, content from snapshots only, bad input, query counts."""

import csv
import datetime
import io
import zoneinfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from indices import services
from indices.periods import month, periods_containing
from tests import factories

pytestmark = pytest.mark.django_db

TZ = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
def figures(world):
    """Unit A in March 2025: 4 ratings (5, 4, 2, 1) at counter A on a Monday 9h and a Tuesday 14h, with items."""
    q = factories.make_questionnaire(items=[("A1", "access"), ("A2", "access"), ("P1", "procedure")])
    monday, tuesday = datetime.datetime(2025, 3, 3, 9, tzinfo=TZ), datetime.datetime(2025, 3, 4, 14, tzinfo=TZ)
    factories.make_rating(counter=world.counter_a, score=5, questionnaire=q, answers={"A1": 5, "A2": 2, "P1": 4},
                          created_at=monday)  # fmt: skip
    factories.make_rating(counter=world.counter_a, score=4, questionnaire=q, answers={"A1": 4, "A2": 1},
                          created_at=monday)  # fmt: skip
    factories.make_rating(counter=world.counter_a, score=2, questionnaire=q, created_at=tuesday)
    factories.make_rating(counter=world.counter_a, score=1, questionnaire=q, created_at=tuesday)
    factories.make_rating(counter=world.counter_b, score=5, questionnaire=q, created_at=tuesday)
    services.rebuild_rollups()
    services.compute_snapshots(periods=periods_containing(datetime.date(2025, 3, 1)))
    return world


def dashboard_url(unit, period="2025-03"):
    return reverse("indices:unit-dashboard", args=[unit.pk]) + f"?ky={period}"


def export_url(unit, table, fmt, period="2025-03"):
    return reverse("indices:table-export", args=[unit.pk, table, fmt]) + f"?ky={period}"


# --- who may see what --------------------------------------------------------------------------------------------

MATRIX = [
    ("officer_a", "unit_a", 200),
    ("lead_a", "unit_a", 200),
    ("officer_a", "unit_b", 404),
    ("lead_a", "unit_b", 404),
    ("officer_b", "unit_a", 404),
    ("province", "unit_a", 200),
    ("province", "unit_b", 200),
    ("admin", "unit_b", 200),
]


@pytest.mark.parametrize(("user", "unit", "status"), MATRIX)
@pytest.mark.parametrize("page", ["dashboard", "csv", "xlsx"])
def test_dashboard_and_exports_are_scoped_to_the_users_unit(client, figures, user, unit, status, page):
    client.force_login(getattr(figures, user))
    target = getattr(figures, unit)
    url = dashboard_url(target) if page == "dashboard" else export_url(target, "indices", page)
    assert client.get(url).status_code == status


def test_unknown_unit_is_404_even_for_provincial_staff(client, figures):
    client.force_login(figures.province)
    assert client.get(reverse("indices:unit-dashboard", args=[999_999])).status_code == 404


def test_anonymous_is_sent_to_login(client, figures):
    response = client.get(dashboard_url(figures.unit_a))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.get(export_url(figures.unit_a, "indices", "csv")).status_code == 302


def test_home_sends_unit_staff_to_their_unit_and_lists_units_for_province(client, figures):
    client.force_login(figures.officer_a)
    response = client.get(reverse("indices:dashboard-home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("indices:unit-dashboard", args=[figures.unit_a.pk])
    client.force_login(figures.province)
    response = client.get(reverse("indices:dashboard-home") + "?ky=2025-03")
    assert response.status_code == 200
    assert figures.unit_a.name in response.content.decode() and figures.unit_b.name in response.content.decode()


def test_staff_nav_links_to_the_dashboard(client, figures):
    client.force_login(figures.officer_a)
    assert reverse("indices:dashboard-home") in client.get(dashboard_url(figures.unit_a)).content.decode()


# --- content -----------------------------------------------------------------------------------------------------


def test_dashboard_shows_stored_figures_without_touching_ratings(client, figures, django_assert_max_num_queries):
    client.force_login(figures.officer_a)
    with CaptureQueriesContext(connection) as queries, django_assert_max_num_queries(14):
        response = client.get(dashboard_url(figures.unit_a))
    assert response.status_code == 200
    assert not [q["sql"] for q in queries if "survey_rating" in q["sql"]], "pages read snapshots only"
    html = response.content.decode()
    # overall 2 of 4 = 50%, dissatisfaction 50%, mean 3; A1 100%, A2 0%, P1 100%; access 50, procedure 100.
    assert "50,00" in html or "50.00" in html
    assert "Chưa đủ dữ liệu" in html  # n = 4 < 30
    dashboard = response.context["dashboard"]
    criteria = dashboard.tables["criteria"].rows
    assert [row[0] for row in criteria] == ["A2", "A1", "P1"]  # the weakest first
    elements = {row[0]: row for row in dashboard.tables["elements"].rows}
    access = elements["Tiếp cận dịch vụ"]
    assert access[1] == pytest.approx(50) and access[3].startswith("A2")
    assert elements["Kết quả giải quyết"][1] is None  # no criterion: N/A, never 0
    assert "N/A" in html
    counters = dashboard.tables["counters"].rows
    assert counters[0][0] == figures.counter_a.name and counters[0][2] == pytest.approx(50)
    heat = dashboard.tables["heatmap"].rows
    assert heat == [
        ["09:00", 0.0, None, None, None, None, None, None],
        ["14:00", None, 100.0, None, None, None, None, None],
    ]
    assert 'id="indices-charts"' in html and "js/indices-dashboard.js" in html
    assert "vendor/chartjs/chart.umd.min.js" in html


def test_dashboard_respects_the_content_security_policy(client, figures):
    client.force_login(figures.officer_a)
    html = client.get(dashboard_url(figures.unit_a)).content.decode()
    assert 'style="' not in html and "onclick" not in html
    for chunk in html.split("<script")[1:]:
        head = chunk.split(">", 1)[0]
        assert "src=" in head or 'type="application/json"' in head


def test_dashboard_defaults_to_the_latest_month_with_figures(client, figures):
    client.force_login(figures.officer_a)
    response = client.get(reverse("indices:unit-dashboard", args=[figures.unit_a.pk]))
    assert response.context["dashboard"].period == month(2025, 3)


def test_dashboard_without_figures_says_so(client, world):
    client.force_login(world.officer_a)
    response = client.get(dashboard_url(world.unit_a, "2024"))
    assert response.status_code == 200
    assert "Chưa có số liệu cho kỳ này." in response.content.decode()


@pytest.mark.parametrize("period", ["2025-13", "abc", "2025-05-01..2025-04-01", "2025-Q5"])
def test_bad_period_is_a_400_with_a_clear_message(client, figures, period):
    client.force_login(figures.officer_a)
    for url in (dashboard_url(figures.unit_a, period), export_url(figures.unit_a, "indices", "csv", period)):
        response = client.get(url)
        assert response.status_code == 400
        assert "không hợp lệ" in response.content.decode() or "phải sau" in response.content.decode()


def test_bad_export_format_and_unknown_table(client, figures):
    client.force_login(figures.officer_a)
    assert client.get(export_url(figures.unit_a, "indices", "pdf")).status_code == 400
    assert client.get(export_url(figures.unit_a, "nothing", "csv")).status_code == 404


# --- exports -----------------------------------------------------------------------------------------------------

TABLES = ["indices", "elements", "criteria", "trend", "counters", "heatmap", "d766"]


@pytest.mark.parametrize("table", TABLES)
def test_every_table_exports_to_csv_and_excel(client, figures, table):
    client.force_login(figures.officer_a)
    response = client.get(export_url(figures.unit_a, table, "csv"))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) >= 2
    response = client.get(export_url(figures.unit_a, table, "xlsx"))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.max_row >= 4


def test_exported_numbers_are_numbers(client, figures):
    client.force_login(figures.officer_a)
    sheet = load_workbook(io.BytesIO(client.get(export_url(figures.unit_a, "indices", "xlsx")).content)).active
    rows = list(sheet.iter_rows(min_row=4, values_only=True))
    overall = next(r for r in rows if r[0] == "Tỷ lệ hài lòng chung")
    assert overall[1] == pytest.approx(50.0) and isinstance(overall[1], int | float)
    assert overall[2] == 4 and isinstance(overall[2], int)
    text = client.get(export_url(figures.unit_a, "elements", "csv")).content.decode("utf-8-sig")
    result = next(r for r in csv.reader(io.StringIO(text)) if r[0] == "Kết quả giải quyết")
    assert result[1] == "N/A"


def test_province_overview_lists_units_that_existed_in_the_period(client, figures, django_assert_max_num_queries):
    # given a district merged away in mid-2025
    figures.unit_b.valid_to = datetime.date(2025, 6, 30)
    figures.unit_b.save()
    client.force_login(figures.province)
    with django_assert_max_num_queries(6):
        response = client.get(reverse("indices:dashboard-home") + "?ky=2025-03")
    assert figures.unit_b.name in response.content.decode()
    response = client.get(reverse("indices:dashboard-home") + "?ky=2025-Q4")
    assert figures.unit_b.name not in response.content.decode()
    assert client.get(reverse("indices:dashboard-home") + "?ky=x").status_code == 400
