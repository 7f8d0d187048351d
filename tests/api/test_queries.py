"""List endpoints run a constant number of queries, however many rows they return."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from survey.models import ServiceField
from tests import factories

pytestmark = pytest.mark.django_db


def add_rows(world, n: int) -> None:
    """n more of everything the lists show, with their related rows (fields, successors, items)."""
    land = ServiceField.objects.get_or_create(code="dat-dai", defaults={"name": "Đất đai"})[0]
    for i in range(n):
        group = factories.make_group()
        unit = factories.make_unit(group=group)
        unit.successors.add(world.unit_a)
        counter = factories.make_counter(unit=unit if i % 2 else world.unit_a)
        counter.fields.add(land)
        factories.make_questionnaire(unit=unit, items=3)


LISTS = ["api:unit-group-list", "api:unit-list", "api:counter-list", "api:questionnaire-list"]


@pytest.mark.parametrize("url_name", LISTS)
@pytest.mark.parametrize("role", ["token_client", "lead_a"])
def test_list_query_count_does_not_grow_with_rows(url_name, role, world, api_as, django_assert_num_queries):
    client = api_as(role)
    add_rows(world, 2)
    with CaptureQueriesContext(connection) as small:
        first = client.get(reverse(url_name))
    assert first.status_code == 200
    assert len(small) <= 6, [q["sql"] for q in small.captured_queries]

    add_rows(world, 12)
    with django_assert_num_queries(len(small)):
        second = client.get(reverse(url_name))

    assert second.json()["count"] > first.json()["count"]


def add_ratings_and_cases(world, n: int) -> None:
    """n more ratings (with answers) and PAKN cases (assigned, with events) in each unit."""
    from feedback import services as feedback_services
    from survey.models import RatingAnswer

    questionnaire = factories.make_questionnaire(items=2)
    items = list(questionnaire.items.all())
    for _i in range(n):
        for unit, counter, officer in (
            (world.unit_a, world.counter_a, world.officer_a),
            (world.unit_b, world.counter_b, world.officer_b),
        ):
            rating = factories.make_rating(counter=counter, questionnaire=questionnaire, score=2)
            RatingAnswer.objects.bulk_create(
                RatingAnswer.for_rating(rating, item_id=item.pk, value=3) for item in items
            )
            case = factories.make_pakn_case(unit=unit, counter=counter)
            feedback_services.assign_case(case=case, by=world.province, officer=officer)


@pytest.mark.parametrize("url_name", ["api:rating-list", "api:case-list"])
@pytest.mark.parametrize("role", ["token_client", "officer_a"])
def test_rating_and_case_lists_run_constant_queries(url_name, role, world, api_as, django_assert_num_queries):
    client = api_as(role)
    add_ratings_and_cases(world, 2)
    with CaptureQueriesContext(connection) as small:
        first = client.get(reverse(url_name))
    assert first.status_code == 200
    assert len(small) <= 6, [q["sql"] for q in small.captured_queries]

    add_ratings_and_cases(world, 10)
    with django_assert_num_queries(len(small)):
        second = client.get(reverse(url_name))

    assert len(second.json()["results"]) > len(first.json()["results"])


def add_figures_and_scores(world, n: int, offset: int) -> None:
    """n more months of figures (unit A, its counter, the group, the province) and n more years of CCHC scores
    with field scores, under a scheme of their own."""
    from indices.models import CchcField, CchcFieldScore, ReportScheme

    land = CchcField.objects.first()
    for i in range(offset, offset + n):
        period = f"{2000 + i // 12}-{i % 12 + 1:02d}"
        factories.make_snapshot(level="unit", entity_id=world.unit_a.pk, period=period)
        factories.make_snapshot(level="counter", entity_id=world.counter_a.pk, period=period)
        factories.make_snapshot(level="group", entity_id=world.group.pk, period=period)
        factories.make_snapshot(level="province", entity_id=0, period=period)
        score = factories.make_cchc_score(unit=world.unit_a, year=2000 + i, points=80)
        CchcFieldScore.objects.create(score=score, field=land, points=5, max_points=10)
        ReportScheme.objects.create(valid_from_year=2000 + i)


@pytest.mark.parametrize(
    ("url_name", "role"),
    [
        ("api:index-snapshot-list", "token_client"),
        ("api:index-snapshot-list", "officer_a"),
        ("api:cchc-score-list", "token_client"),
    ],
)
def test_figure_and_score_lists_run_constant_queries(url_name, role, world, api_as, django_assert_num_queries):
    client = api_as(role)
    add_figures_and_scores(world, 2, offset=0)
    with CaptureQueriesContext(connection) as small:
        first = client.get(reverse(url_name))
    assert first.status_code == 200
    assert len(small) <= 6, [q["sql"] for q in small.captured_queries]

    add_figures_and_scores(world, 10, offset=2)
    with django_assert_num_queries(len(small)):
        second = client.get(reverse(url_name))

    assert second.json()["count"] > first.json()["count"]
