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


@pytest.mark.django_db(transaction=True)
def test_plain_drf_tokens_become_hashed_expiring_tokens_that_still_work_and_the_plain_copies_go(settings):
    from django.db import connection
    from rest_framework.test import APIClient

    from survey.models import ApiToken

    # given a token of DRF's authtoken table, as a release before survey 0009 stored it (in plain text)
    user = factories.make_user(username="mot-cua", role="province")
    key = "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b"
    call_command("migrate", "survey", "0008_api_token", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, created timestamp, user_id bigint)")
        cursor.execute("INSERT INTO authtoken_token VALUES (%s, CURRENT_TIMESTAMP, %s)", [key, user.pk])
    try:
        # when the database is migrated
        call_command("migrate", verbosity=0)
        # then the same secret still authenticates, stored only as a digest, with an expiry; no plain copy is left
        token = ApiToken.objects.get(user=user)
        assert key not in (token.digest, token.token_key) and token.token_key == key[:15]
        assert token.expiry is not None
        assert APIClient(HTTP_AUTHORIZATION=f"Token {key}").get("/api/v1/counters/").status_code == 200
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM authtoken_token")
            assert cursor.fetchone()[0] == 0
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE authtoken_token")
