"""A world with stored figures: unit A has an adequate sample, unit B does not; both of one group."""

import datetime
from dataclasses import dataclass

import pytest
from django.utils import timezone

from indices.periods import Period, month
from indices.services import compute_indices
from tests import factories

MIN_SAMPLE = 4


@dataclass
class Results:
    world: factories.World
    period: Period
    questionnaire: object


def make_results(world: factories.World, settings) -> Results:
    """Five rated visits of unit A (each item answered 5, 5, 4, 4, 2; overall likewise) and two of unit B, then the
    snapshot job over the current month, with a minimum sample of 4."""
    settings.INDICES_MIN_SAMPLE = MIN_SAMPLE
    questionnaire = factories.make_questionnaire()
    codes = ("SA", "SP", "SS", "SR", "SF")
    now = timezone.now() - datetime.timedelta(minutes=5)
    for score in (5, 5, 4, 4, 2):
        factories.make_rating(
            counter=world.counter_a,
            questionnaire=questionnaire,
            score=score,
            answers=dict.fromkeys(codes, score),
            created_at=now,
            reasons=["tre-hen", "thai-do"] if score <= 2 else [],
        )
    for score in (1, 5):
        factories.make_rating(
            counter=world.counter_b, questionnaire=questionnaire, score=score, answers=dict.fromkeys(codes, score)
        )
    today = timezone.localdate()
    period = month(today.year, today.month)
    compute_indices(periods=[period], rebuild=True)
    return Results(world=world, period=period, questionnaire=questionnaire)


@pytest.fixture
def results(world, settings) -> Results:
    return make_results(world, settings)
