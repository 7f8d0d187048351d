"""Figures per channel: the official survey and the continuous feedback side by side for the same unit and period,
in the report and the API, and a year's report counting the channels its settings name."""

import datetime
import io
import zoneinfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook
from rest_framework.test import APIClient

from indices import services
from indices.models import ChannelSnapshot, ReportScheme
from indices.periods import year
from survey.models import Rating
from tests import factories

pytestmark = pytest.mark.django_db

TZ = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture(autouse=True)
def _eager_tasks():
    from config.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


def _survey_file(unit, scores) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["unit", "date", "questionnaire", "overall", "SA", "SP", "SS", "SR", "SF"])
    for n, score in enumerate(scores):
        sheet.append([unit.code, datetime.date(2025, 5, 1 + n % 28), "sipas-short", score, *[score] * 5])
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


@pytest.fixture
def figures(world, client, django_capture_on_commit_callbacks):
    """Unit A in 2025: 40 QR ratings, all satisfied in every item (100 %), and 40 survey respondents of whom 30
    are satisfied (75 %)."""
    from survey.models import Questionnaire

    short = Questionnaire.objects.get(family="sipas-short", version=1)
    for n in range(40):
        factories.make_rating(
            counter=world.counter_a,
            questionnaire=short,
            score=5,
            channel=Rating.Channel.QR,
            created_at=datetime.datetime(2025, 3, 1 + n % 28, 9, tzinfo=TZ),
            answers={"SA": 5, "SP": 5, "SS": 5, "SR": 4, "SF": 5},
        )
    client.force_login(world.province)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("reports:import-list"),
            {
                "file": SimpleUploadedFile("khao-sat.xlsx", _survey_file(world.unit_a, [4] * 30 + [2] * 10)),
                "channel": "survey",
            },
        )
    from survey.models import RatingImport

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("reports:import-confirm", args=[RatingImport.objects.get().pk]))
    services.compute_indices(periods=[year(2025)])
    return world


def test_the_report_shows_the_same_unit_per_channel_and_all_channels(client, figures):
    response = client.get(reverse("reports:report-show"), {"year": 2025})

    rows = {(r.level, r.name): r for r in response.context["channel_rows"]}
    unit = rows[("unit", figures.unit_a.name)]
    assert unit.all.value == pytest.approx(87.5) and unit.all.n == 80
    qr, survey = unit.by_channel[0], unit.by_channel[4]
    assert (qr.value, qr.n) == (pytest.approx(100.0), 40)
    assert (survey.value, survey.n) == (pytest.approx(75.0), 40)
    assert unit.live.value == pytest.approx(100.0)
    assert unit.difference == pytest.approx(-25.0)
    html = response.content.decode()
    assert "Mức hài lòng theo kênh" in html and ("-25,00" in html or "-25.00" in html)
    assert "Mức hài lòng tính các đánh giá của: mọi kênh." in html


def test_the_api_gives_a_figure_per_channel_and_all_channels(figures):
    api = APIClient()
    api.force_authenticate(figures.officer_a)

    query = {"level": "unit", "entity": figures.unit_a.pk, "period": "2025", "index": "sipas"}
    together = api.get("/api/v1/indices/", query).json()["results"]
    per_channel = api.get("/api/v1/indices-by-channel/", query).json()["results"]

    assert [(f["value"], f["n"]) for f in together] == [(pytest.approx(87.5), 80)]
    assert {f["channels"]: f["value"] for f in per_channel} == {
        "qr": pytest.approx(100.0),
        "survey": pytest.approx(75.0),
        "api+kiosk+qr+web": pytest.approx(100.0),
    }
    other = api.get("/api/v1/indices-by-channel/", {"level": "unit", "entity": figures.unit_b.pk}).json()
    assert other["results"] == []


def test_a_year_whose_settings_count_only_the_survey_reports_the_survey(client, figures):
    response = client.post(
        reverse("reports:scheme-edit"),
        {"valid_from_year": 2025, "good_min": 80, "fair_min": 70, "average_min": 50, "cchc_weight": "0.65",
         "satisfaction_weight": "0.35", "satisfaction_target": 90, "channels": ["survey"]},
    )  # fmt: skip
    assert response.status_code == 302 and ReportScheme.objects.get(valid_from_year=2025).channels == ["survey"]

    report = client.get(reverse("reports:report-show"), {"year": 2025})

    row = next(r for r in report.context["report"].rows if r.unit_id == figures.unit_a.pk)
    assert row.satisfaction == pytest.approx(75.0) and row.n == 40
    assert "Mức hài lòng tính các đánh giá của: Khảo sát (nhập từ tệp)." in report.content.decode()
    assert ChannelSnapshot.objects.filter(channels="survey", level="province").exists()
    # and the group and province benchmarks are the survey's too (all channels together would give 87.5), with
    # the survey's counts, and the method names the channel counted
    built = report.context["report"]
    group = next(g for g in built.groups if g.group_id == figures.unit_a.group_id)
    assert group.satisfaction_average == pytest.approx(75.0) and (group.ballots, group.n) == (40, 40)
    assert built.province_satisfaction == pytest.approx(75.0)
    assert built.method["channels"]["counted"] == "survey"
    assert report.content.decode().count("Mức hài lòng tính các đánh giá của:") == 1
