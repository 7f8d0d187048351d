"""`load_demo --ratings N` adds realistic ratings, identical in shape to the service's, once per seed."""

import datetime
import statistics

import pytest
from django.core.management import call_command
from django.utils import timezone

from survey.demo import demo_rating_key, demo_years, generate_demo_ratings
from survey.models import Rating, RatingAnswer

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_world(db):
    call_command("load_demo", password="demo-pass-2026")


def test_load_demo_ratings_is_idempotent_for_a_seed(demo_world, capsys):
    call_command("load_demo", password="demo-pass-2026", ratings=400)
    keys = set(Rating.objects.values_list("idempotency_key", flat=True))
    answers = RatingAnswer.objects.count()
    call_command("load_demo", password="demo-pass-2026", ratings=400)

    assert len(keys) == 400 and keys == {demo_rating_key(2017, i) for i in range(400)}
    assert Rating.objects.count() == 400 and RatingAnswer.objects.count() == answers
    assert "ratings: 0 created" in capsys.readouterr().out
    assert generate_demo_ratings(count=500, seed=2017) == 100


def test_demo_ratings_look_real(demo_world):
    generate_demo_ratings(count=1500, seed=7)
    ratings = list(Rating.objects.select_related("counter", "unit"))
    local = [timezone.localtime(r.created_at) for r in ratings]

    assert all(t.weekday() < 5 for t in local)
    assert all(datetime.time(7, 30) <= t.time() <= datetime.time(17, 0) for t in local)
    assert not any(datetime.time(11, 31) <= t.time() < datetime.time(13, 30) for t in local)
    # the two rated years, before and after the reorganisation, never the future
    assert {t.year for t in local} == set(demo_years())
    assert max(local).date() <= timezone.localdate()
    assert {r.score for r in ratings} == {1, 2, 3, 4, 5}
    # Same shape as the service's rows: unit from the counter, the unit's questionnaire, no IP, accepted.
    assert all(r.unit_id == r.counter.unit_id for r in ratings)
    assert all(r.unit.is_active_on(timezone.localtime(r.created_at).date()) for r in ratings)
    assert all(r.status == Rating.Status.ACCEPTED and r.ip_hash == "" and not r.verified for r in ratings)
    assert {r.questionnaire.family for r in Rating.objects.select_related("questionnaire")} == {"sipas-short"}
    answered = Rating.objects.filter(answers__isnull=False).distinct().count()
    assert 0.3 < answered / len(ratings) < 0.7
    assert RatingAnswer.objects.filter(value__isnull=True).exists()
    assert any(r.reasons for r in ratings if r.score <= 2)
    # Units differ visibly.
    means = {}
    for rating in ratings:
        means.setdefault(rating.unit_id, []).append(rating.score)
    unit_means = [statistics.mean(scores) for scores in means.values() if len(scores) >= 20]
    assert max(unit_means) - min(unit_means) > 0.6


def test_the_demo_report_shows_cchc_satisfaction_and_composite_for_every_group(demo_world):
    # given the demo as `make run` loads it
    call_command("load_demo", password="demo-pass-2026", ratings=5000)
    from indices.reports import build_province_report

    for year in demo_years():
        report = build_province_report(year=year)
        # then every group has its CCHC, satisfaction and composite, most units are counted, a few are not
        assert all(
            g.cchc_average is not None and g.satisfaction_average is not None and g.composite_average is not None
            for g in report.groups
        )
        assert report.units_total == 37 and 28 <= report.satisfaction_counted < 37
        satisfaction = [r.satisfaction for r in report.rows if r.satisfaction is not None]
        assert 75 <= report.province_satisfaction <= 88
        assert any(value >= 90 for value in satisfaction) and any(value < 70 for value in satisfaction)
        assert report.chart_data()["scatter"]["points"]
    assert {g.code for g in build_province_report(year=demo_years()[1]).groups} == {"trung-uong", "so-nganh", "cap-xa"}
