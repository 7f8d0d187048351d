"""Posters hang at Vietnamese counters: they print in Vietnamese whatever the staff member's screen language. The
monthly results poster carries the latest index with its ballots, the trend and a QR code."""

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from survey import qrcodes

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)


def _english(client, user):
    client.force_login(user)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert client.get("/").content.decode().count('lang="en"') == 1
    return client


def test_rating_poster_prints_in_vietnamese_from_an_english_screen(client, world):
    client = _english(client, world.officer_a)
    text = _text(client.get(reverse("survey:counter-poster", args=[world.counter_a.pk])))
    assert "Quét mã để đánh giá" in text
    assert "Scan" not in text


def test_batch_posters_print_in_vietnamese_in_an_english_request(world):
    from django.utils import translation

    with translation.override("en"):
        pdf = qrcodes.poster_pdf([world.counter_a])
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "Quét mã để đánh giá" in text


def test_unit_results_poster_shows_latest_index_ballots_and_trend_in_vietnamese(client, world, results):
    from indices.models import IndexSnapshot

    client = _english(client, world.officer_a)
    sipas = IndexSnapshot.objects.get(
        level="unit", entity_id=world.unit_a.pk, period_kind="month", period_start=results.period.start, index="sipas"
    )

    text = _text(client.get(reverse("public:unit-results-poster", args=[world.unit_a.pk])))

    assert world.unit_a.name in text
    assert f"tháng {results.period.start:%m/%Y}" in text
    assert f"{sipas.value:.2f}".replace(".", ",") + "%" in text
    assert "5 phiếu đánh giá" in text
    assert "Xu hướng 6 tháng gần nhất" in text
    assert "Quét mã để xem kết quả chi tiết" in text
    assert "Satisfaction" not in text and "ballots" not in text


def test_counter_results_poster_below_minimum_sample_says_so(client, world, results):
    client.force_login(world.officer_b)
    text = _text(client.get(reverse("public:counter-results-poster", args=[world.counter_b.pk])))
    assert "Chưa đủ mẫu" in text and "2 phiếu đánh giá" in text
    assert "Quét mã để đánh giá" in text


def test_results_poster_without_figures(client, world):
    client.force_login(world.officer_a)
    text = _text(client.get(reverse("public:counter-results-poster", args=[world.counter_a.pk])))
    assert "Chưa có kết quả đánh giá." in text


def test_counters_page_links_the_results_posters(client, world):
    client.force_login(world.officer_a)
    html = client.get(reverse("survey:unit-counters", args=[world.unit_a.pk])).content.decode()
    assert reverse("public:unit-results-poster", args=[world.unit_a.pk]) in html
    assert reverse("public:counter-results-poster", args=[world.counter_a.pk]) in html
