"""Rollups: the full rebuild counts what it should, and incremental refreshes always equal a full rebuild."""

import datetime
import zoneinfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indices.models import RatingHourRollup, RatingRollup, RollupState
from indices.services import rebuild_rollups, refresh_rollups
from survey.models import Rating, RatingAnswer
from tests import factories
from tests.fuzzing import examples

pytestmark = pytest.mark.django_db

TZ = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")


def at(day: int, hour: int = 9) -> datetime.datetime:
    return datetime.datetime(2025, 3, day, hour, 30, tzinfo=TZ)


def rollup_rows() -> list[tuple]:
    return sorted(
        RatingRollup.objects.values_list("counter_id", "unit_id", "day", "item__code", "value", "count"),
        key=repr,
    )


def hour_rows() -> list[tuple]:
    return sorted(
        RatingHourRollup.objects.values_list("counter_id", "day", "hour", "ratings", "dissatisfied"), key=repr
    )


def test_rebuild_counts_counted_ratings_per_counter_local_day_item_and_value(world):
    # given: two ratings on 3 March (local time, one of them 23:30 UTC on 2 March), one quarantined one
    q = factories.make_questionnaire(items=[("A1", "access"), ("P1", "procedure")])
    factories.make_rating(counter=world.counter_a, score=5, questionnaire=q, answers={"A1": 4, "P1": None},
                          created_at=at(3, 6))  # fmt: skip
    factories.make_rating(counter=world.counter_a, score=2, questionnaire=q, answers={"A1": 4},
                          created_at=datetime.datetime(2025, 3, 2, 23, 30, tzinfo=datetime.UTC))  # fmt: skip
    factories.make_rating(counter=world.counter_a, score=1, questionnaire=q, status=Rating.Status.QUARANTINED,
                          answers={"A1": 1, "P1": 1}, created_at=at(3))  # fmt: skip
    # when
    rebuild_rollups()
    # then
    day = datetime.date(2025, 3, 3)
    a, u = world.counter_a.pk, world.unit_a.pk
    assert rollup_rows() == sorted(
        [(a, u, day, None, 5, 1), (a, u, day, None, 2, 1), (a, u, day, "A1", 4, 2), (a, u, day, "P1", 0, 1)],
        key=repr,
    )
    assert hour_rows() == sorted([(a, day, 6, 2, 1)], key=repr)  # 23:30 UTC is 06:30 in Vietnam
    assert RollupState.objects.get().watermark is not None


def test_refresh_picks_up_a_change_that_committed_late(world, settings):
    # given a rebuilt rollup
    settings.INDICES_ROLLUP_OVERLAP_SECONDS = 120
    rating = factories.make_rating(counter=world.counter_a, score=5, created_at=at(4))
    Rating.objects.filter(pk=rating.pk).update(updated_at=at(4))
    rebuild_rollups()
    watermark = RollupState.objects.get().watermark
    # when a rating written before the watermark becomes visible only now (its transaction committed late)
    late = factories.make_rating(counter=world.counter_b, score=1, created_at=at(4))
    Rating.objects.filter(pk=late.pk).update(updated_at=watermark - datetime.timedelta(seconds=60))
    Rating.objects.filter(pk=rating.pk).update(status=Rating.Status.EXCLUDED)  # not bumped: stays as it was
    result = refresh_rollups()
    # then the late rating is counted, the unbumped change is not seen (by design: writers bump updated_at)
    assert result.buckets == 1
    assert RatingRollup.objects.filter(counter=world.counter_b, item=None, value=1).get().count == 1
    assert RatingRollup.objects.filter(counter=world.counter_a, item=None, value=5).exists()


def test_refresh_without_a_watermark_rebuilds(world):
    factories.make_rating(counter=world.counter_a, score=4, created_at=at(5))
    result = refresh_rollups()
    assert result.days == {datetime.date(2025, 3, 5)}
    assert RatingRollup.objects.get(item=None).count == 1


# --- property: incremental == full rebuild -----------------------------------------------------------------------

STATUSES = [s.value for s in Rating.Status]
operations = st.lists(
    st.one_of(
        st.tuples(
            st.just("insert"),
            st.integers(0, 1),  # counter
            st.integers(1, 3),  # day
            st.integers(1, 5),  # score
            st.lists(st.one_of(st.none(), st.integers(1, 5)), min_size=0, max_size=2),  # answers
        ),
        st.tuples(st.just("answer"), st.integers(0, 50), st.integers(0, 1), st.one_of(st.none(), st.integers(1, 5))),
        st.tuples(st.just("status"), st.integers(0, 50), st.sampled_from(STATUSES)),
        st.tuples(st.just("refresh")),
    ),
    max_size=25,
)


@settings(max_examples=examples(40), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=operations)
def test_incremental_refresh_always_equals_a_full_rebuild(world, ops, settings):
    # The overlap margin is 0 here so that each refresh really recomputes only what changed since the last one.
    settings.INDICES_ROLLUP_OVERLAP_SECONDS = 0
    RatingAnswer.objects.all().delete()
    Rating.objects.all().delete()
    RollupState.objects.all().delete()
    questionnaire = factories.make_questionnaire(items=[("A1", "access"), ("P1", "procedure")])
    items = list(questionnaire.items.order_by("position"))
    counters = [world.counter_a, world.counter_b]
    ratings: list[Rating] = []
    refresh_rollups()  # starts the watermark
    for op in ops:
        if op[0] == "insert":
            _, counter, day, score, values = op
            rating = factories.make_rating(
                counter=counters[counter], score=score, questionnaire=questionnaire, created_at=at(day, 8 + day)
            )
            for item, value in zip(items, values, strict=False):
                RatingAnswer.for_rating(rating, item_id=item.pk, value=value).save()
            ratings.append(rating)
        elif op[0] == "answer" and ratings:
            _, which, item, value = op
            rating = ratings[which % len(ratings)]
            answer = RatingAnswer.objects.filter(rating=rating, item=items[item]).first()
            answer = answer or RatingAnswer.for_rating(rating, item_id=items[item].pk, value=value)
            answer.value = value
            answer.save()
            rating.save(update_fields=["updated_at"])  # the flow bumps the rating with each later step
        elif op[0] == "status" and ratings:
            _, which, status = op
            rating = ratings[which % len(ratings)]
            rating.status = status
            rating.save(update_fields=["status", "updated_at"])
        elif op[0] == "refresh":
            refresh_rollups()
    refresh_rollups()
    incremental, incremental_hours = rollup_rows(), hour_rows()
    rebuild_rollups()
    assert incremental == rollup_rows()
    assert incremental_hours == hour_rows()


def test_counted_statuses_agree_with_the_rating_queryset(world):
    from indices.services import counted_ratings

    for status in STATUSES:
        factories.make_rating(counter=world.counter_a, score=3, status=status)
    assert set(Rating.objects.filter(counted_ratings()).values_list("pk", flat=True)) == set(
        Rating.objects.counted().values_list("pk", flat=True)
    )


# --- no duplicate keys: two units on one counter-day, and another writer racing a refresh ----------------------


def test_a_counter_moved_to_another_unit_during_a_day_is_counted_for_each_unit(world):
    # given a rating of counter A for unit A, a rebuild, then the counter moved to unit B the same day
    q = factories.make_questionnaire(items=[("A1", "access")])
    factories.make_rating(counter=world.counter_a, score=4, questionnaire=q, answers={"A1": 5}, created_at=at(6, 9))
    rebuild_rollups()
    world.counter_a.unit = world.unit_b
    world.counter_a.save()
    factories.make_rating(counter=world.counter_a, score=4, questionnaire=q, answers={"A1": 5}, created_at=at(6, 15))
    # when the rollups are refreshed (this bucket used to fail with a duplicate key) and then rebuilt
    refresh_rollups()
    incremental, incremental_hours = rollup_rows(), hour_rows()
    rebuild_rollups()
    # then each unit keeps its own rating, and both ways agree
    day, a = datetime.date(2025, 3, 6), world.counter_a.pk
    assert (
        rollup_rows()
        == incremental
        == sorted(
            [
                (a, world.unit_a.pk, day, None, 4, 1),
                (a, world.unit_a.pk, day, "A1", 5, 1),
                (a, world.unit_b.pk, day, None, 4, 1),
                (a, world.unit_b.pk, day, "A1", 5, 1),
            ],
            key=repr,
        )
    )
    assert hour_rows() == incremental_hours == sorted([(a, day, 9, 1, 0), (a, day, 15, 1, 0)], key=repr)


@pytest.mark.django_db(transaction=True)
def test_a_refresh_waits_for_another_writer_of_the_rollups_instead_of_failing_on_a_duplicate_key(world):
    import threading
    import time

    from django.db import connection, connections, transaction

    if connection.vendor != "postgresql":
        pytest.skip("Table locks are a PostgreSQL matter; SQLite allows one writer at a time anyway.")
    # given rollups up to date, then a new rating of counter A on 7 March
    factories.make_rating(counter=world.counter_a, score=3, created_at=at(7))
    rebuild_rollups()
    factories.make_rating(counter=world.counter_a, score=2, created_at=at(7, 11))
    inserted, release = threading.Event(), threading.Event()
    waited: list[bool] = []

    def other_writer():
        # A writer that does not queue on the state row (an operator's SQL, an older process still running) adds
        # the row that the refresh is about to write, and commits only once the refresh has started.
        try:
            with transaction.atomic():
                RatingRollup.objects.create(
                    counter=world.counter_a, unit=world.unit_a, day=datetime.date(2025, 3, 7), value=2, count=99
                )
                inserted.set()
                release.wait(10)
                # Commit only once the refresh is waiting on a lock (ours), whatever the machine's speed.
                with connection.cursor() as cursor:
                    for _ in range(200):
                        cursor.execute(
                            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                            "AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'"
                        )
                        if cursor.fetchone()[0]:
                            waited.append(True)
                            break
                        time.sleep(0.05)
        finally:
            connections.close_all()

    thread = threading.Thread(target=other_writer)
    thread.start()
    assert inserted.wait(10)
    # when the refresh runs meanwhile
    release.set()
    refresh_rollups()
    thread.join(10)
    # then it waited for the other writer, replaced the stray row with the true count, and agrees with a rebuild
    assert waited == [True]
    assert RatingRollup.objects.get(counter=world.counter_a, item=None, value=2).count == 1
    incremental = rollup_rows()
    rebuild_rollups()
    assert incremental == rollup_rows()
