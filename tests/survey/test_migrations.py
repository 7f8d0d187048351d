"""Data migrations on a database that already holds data (the test database is otherwise migrated empty)."""

import datetime

import pytest
from django.core.management import call_command
from django.db.models import F

from survey.models import RatingAnswer
from tests import factories


@pytest.mark.django_db(transaction=True)
def test_answers_stored_before_the_copies_existed_get_their_ratings_counter_unit_and_time():
    # given answers stored, then the copied columns taken away as they were before survey 0006
    questionnaire = factories.make_questionnaire(items=[("A1", "access"), ("P1", "procedure")])
    given = datetime.datetime(2025, 3, 3, 1, 30, tzinfo=datetime.UTC)
    ratings = [
        factories.make_rating(counter=factories.make_counter(), questionnaire=questionnaire, created_at=given,
                              answers={"A1": 4, "P1": None})
        for _ in range(3)
    ]  # fmt: skip
    call_command("migrate", "survey", "0005_integrity", verbosity=0)
    # when the database is migrated again
    call_command("migrate", verbosity=0)
    # then every answer carries its own rating's counter, unit and time
    answers = RatingAnswer.objects.all()
    assert answers.count() == 6
    assert not answers.exclude(counter_id=F("rating__counter_id")).exists()
    assert not answers.exclude(unit_id=F("rating__unit_id")).exists()
    assert not answers.exclude(created_at=F("rating__created_at")).exists()
    assert {a.counter_id for a in answers} == {r.counter_id for r in ratings}
