"""The filters of the lists narrow what they say they narrow."""

import datetime

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from survey.models import Unit
from tests import factories

pytestmark = pytest.mark.django_db


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def test_units_filters(world):
    other_group = factories.make_group(code="huyen")
    merged = factories.make_unit(
        group=other_group,
        code="huyen-cu",
        name="Huyện Cũ",
        kind=Unit.Kind.DISTRICT,
        valid_to=datetime.date(2025, 6, 30),
    )
    merged.successors.add(world.unit_a)
    client = APIClient()
    url = reverse("api:unit-list")

    assert ids(client.get(url, {"group": other_group.pk})) == [merged.pk]
    assert ids(client.get(url, {"kind": "district"})) == [merged.pk]
    assert ids(client.get(url, {"code": "so-y-te"})) == [world.unit_b.pk]
    assert merged.pk not in ids(client.get(url, {"active_on": "2025-07-01"}))
    assert merged.pk in ids(client.get(url, {"active_on": "2025-06-30"}))
    assert ids(client.get(url, {"search": "tư pháp"})) == [world.unit_a.pk]
    assert ids(client.get(url, {"group": 10**12})) == []
    detail = client.get(reverse("api:unit-detail", args=[merged.pk])).json()
    assert detail["successors"] == [world.unit_a.pk] and detail["is_active"] is False


def test_counters_filters_stay_within_scope(world, api_as):
    closed = factories.make_counter(unit=world.unit_a, is_active=False)
    url = reverse("api:counter-list")

    assert ids(api_as("province").get(url, {"unit": world.unit_b.pk})) == [world.counter_b.pk]
    assert ids(api_as("officer_a").get(url, {"is_active": "false"})) == [closed.pk]
    assert ids(api_as("officer_a").get(url, {"unit": world.unit_b.pk})) == []
    row = api_as("officer_a").get(reverse("api:counter-detail", args=[world.counter_a.pk])).json()
    assert row["rating_url"].endswith(f"/r/{world.counter_a.code}")


def test_questionnaires_filters_and_items(world):
    general = factories.make_questionnaire(family="sipas-ngan", items=3)
    own = factories.make_questionnaire(unit=world.unit_a, is_active=False)
    client = APIClient()
    url = reverse("api:questionnaire-list")

    assert ids(client.get(url, {"family": "sipas-ngan"})) == [general.pk]
    assert ids(client.get(url, {"unit": world.unit_a.pk})) == [own.pk]
    active = ids(client.get(url, {"is_active": "true"}))
    assert general.pk in active and own.pk not in active
    assert client.get(url, {"is_active": "maybe"}).status_code == 400
    detail = client.get(reverse("api:questionnaire-detail", args=[general.pk])).json()
    assert [item["code"] for item in detail["items"]] == ["C1", "C2", "C3"]
    assert detail["is_current"] is True
