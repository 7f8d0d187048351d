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
