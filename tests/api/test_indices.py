"""GET /api/v1/indices/: stored figures, filtered, and scoped to what the caller may see."""

import pytest
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db

URL = "/api/v1/indices/"


@pytest.fixture
def figures(world):
    """Figures of every level in two periods: unit A and B, a counter of each, the group and the province."""
    made = {}
    for period in ("2025-Q1", "2025-03"):
        made[("unit_a", period)] = factories.make_snapshot(level="unit", entity_id=world.unit_a.pk, period=period)
        made[("unit_b", period)] = factories.make_snapshot(level="unit", entity_id=world.unit_b.pk, period=period)
        made[("counter_a", period)] = factories.make_snapshot(
            level="counter", entity_id=world.counter_a.pk, period=period
        )
        made[("counter_b", period)] = factories.make_snapshot(
            level="counter", entity_id=world.counter_b.pk, period=period
        )
        made[("group", period)] = factories.make_snapshot(level="group", entity_id=world.group.pk, period=period)
        made[("province", period)] = factories.make_snapshot(level="province", entity_id=0, period=period)
    made["unit_a_overall"] = factories.make_snapshot(
        level="unit", entity_id=world.unit_a.pk, period="2025-Q1", index="overall", value=None, n=0
    )
    made["custom"] = factories.make_snapshot(
        level="unit", entity_id=world.unit_a.pk, period="2025-01-01..2025-02-15", value=88.0
    )
    return made


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_unit_staff_see_their_unit_its_counters_and_every_aggregate(world, figures, api_as):
    seen = ids(api_as("officer_a").get(URL, {"period": "2025-Q1"}))

    expected = {figures[(name, "2025-Q1")].pk for name in ("unit_a", "counter_a", "group", "province")}
    assert seen == expected | {figures["unit_a_overall"].pk}


def test_unit_staff_never_see_another_units_figures_whatever_the_filter(world, figures, api_as):
    client = api_as("officer_b")
    forbidden = {figures[(name, period)].pk for name in ("unit_a", "counter_a") for period in ("2025-Q1", "2025-03")}

    for query in (
        {},
        {"level": "unit", "entity": world.unit_a.pk},
        {"level": "counter", "entity": world.counter_a.pk},
        {"entity": world.unit_a.pk},
        {"index": "overall"},
    ):
        assert not ids(client.get(URL, query)) & forbidden, query
    for name in ("unit_a", "counter_a"):
        response = client.get(reverse("api:index-snapshot-detail", args=[figures[(name, "2025-03")].pk]))
        assert response.status_code == 404


def test_a_counter_moved_to_another_unit_takes_its_figures_along(world, figures, api_as):
    world.counter_a.unit = world.unit_b
    world.counter_a.save()

    assert figures[("counter_a", "2025-Q1")].pk not in ids(api_as("officer_a").get(URL))
    assert figures[("counter_a", "2025-Q1")].pk in ids(api_as("officer_b").get(URL))


def test_provincial_staff_see_every_figure(world, figures, api_as):
    assert ids(api_as("province").get(URL, {"page_size": 200})) == {s.pk for s in figures.values()}


Q1, MARCH = "2025-Q1", "2025-03"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"period": MARCH}, [(n, MARCH) for n in ("unit_a", "unit_b", "counter_a", "counter_b", "group", "province")]),
        ({"period": "2025-q1", "level": "unit"}, [("unit_a", Q1), ("unit_b", Q1), "unit_a_overall"]),
        ({"level": "counter", "entity": "COUNTER_B"}, [("counter_b", Q1), ("counter_b", MARCH)]),
        ({"level": "province", "entity": 0, "period_kind": "month"}, [("province", MARCH)]),
        ({"period_kind": "custom", "start": "2025-01-01", "end": "2025-03-31"}, ["custom"]),
        ({"level": "unit", "start": "2025-03-01"}, [("unit_a", MARCH), ("unit_b", MARCH)]),
        ({"index": "overall"}, ["unit_a_overall"]),
        ({"period": "2024"}, []),
    ],
)
def test_filters(query, expected, world, figures, api_as):
    query = {key: world.counter_b.pk if value == "COUNTER_B" else value for key, value in query.items()}

    assert ids(api_as("token_client").get(URL, query)) == {figures[name].pk for name in expected}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"period": "2025-13"}, "period"),
        ({"period": "Q1-2025"}, "period"),
        ({"period": "2025-01-01..2025-02-15"}, "period"),  # custom ranges: period_kind=custom with start and end
        ({"period": " 2025"}, "period"),
        ({"level": "district"}, "level"),
        ({"entity": "-1"}, "entity"),
        ({"period_kind": "week"}, "period_kind"),
        ({"start": "31/02/2025"}, "start"),
        ({"index": "sipas\x00"}, "index"),
    ],
)
def test_bad_filters_answer_400_naming_the_parameter(query, field, world, api_as):
    response = api_as("province").get(URL, query)

    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_a_figure_says_its_period_and_keeps_null_values(world, figures, api_as):
    response = api_as("lead_a").get(reverse("api:index-snapshot-detail", args=[figures["unit_a_overall"].pk]))

    body = response.json()
    assert response.status_code == 200
    assert (body["period"], body["period_kind"], body["period_start"], body["period_end"]) == (
        "2025-Q1",
        "quarter",
        "2025-01-01",
        "2025-03-31",
    )
    assert (body["index"], body["value"], body["n"], body["adequate"], body["ci_low"]) == (
        "overall",
        None,
        0,
        False,
        None,
    )


def test_the_figures_are_read_only(world, figures, api_as):
    url = reverse("api:index-snapshot-detail", args=[figures[("unit_a", "2025-03")].pk])
    assert api_as("province").delete(url).status_code == 405
    assert api_as("province").patch(url, {"value": 100}).status_code == 405
