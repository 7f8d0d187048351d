"""The public rating POST (idempotency, cross-site protection, throttle, answers) and the staff rating list."""

import datetime
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from survey.models import Rating, ReasonChip
from tests import factories

pytestmark = pytest.mark.django_db

URL = "/api/v1/ratings/"


def post(client, body, key=None, **headers):
    headers = {"Idempotency-Key": str(key or uuid.uuid4()), **headers}
    return client.post(URL, body, format="json", headers=headers)


@pytest.fixture
def questionnaire(world):
    return factories.make_questionnaire(items=3)


def test_a_rating_is_recorded_once_and_a_retry_gets_the_same_body(world, questionnaire):
    client = APIClient()
    key = uuid.uuid4()

    first = post(client, {"counter": world.counter_a.code, "score": 4}, key=key)
    retry = post(client, {"counter": world.counter_a.code, "score": 1}, key=key)

    assert first.status_code == 201, first.content
    assert retry.status_code == 200
    assert retry.json() == first.json()
    rating = Rating.objects.get()
    assert (rating.score, rating.channel, rating.unit_id) == (4, "api", world.unit_a.pk)
    assert rating.ip_hash  # The integrity layers see the client's address (hashed).
    assert first.json()["idempotency_key"] == str(key) and first.json()["counter"] == world.counter_a.code


def test_the_same_key_at_another_counter_is_a_conflict(world, questionnaire):
    client = APIClient()
    key = uuid.uuid4()
    post(client, {"counter": world.counter_a.code, "score": 4}, key=key)

    response = post(client, {"counter": world.counter_b.code, "score": 4}, key=key)

    assert response.status_code == 409
    assert Rating.objects.count() == 1


@pytest.mark.parametrize("key", [None, "", "not-a-uuid"])
def test_the_idempotency_key_header_is_required(world, questionnaire, key):
    headers = {} if key is None else {"Idempotency-Key": key}

    response = APIClient().post(URL, {"counter": world.counter_a.code, "score": 5}, format="json", headers=headers)

    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["errors"]
    assert not Rating.objects.exists()


def test_answers_and_chips_are_stored_with_the_rating(world, questionnaire):
    items = list(questionnaire.items.all())
    chip = ReasonChip.objects.create(code="cho-lau", label="Chờ lâu")
    body = {
        "counter": world.counter_a.code,
        "score": 2,
        "answers": [{"item": items[0].pk, "value": 2}, {"item": items[1].pk, "value": None}],
        "reasons": [chip.code],
    }

    response = post(APIClient(), body)

    assert response.status_code == 201, response.content
    rating = Rating.objects.get()
    assert rating.reasons == ["cho-lau"]
    assert dict(rating.answers.values_list("item_id", "value")) == {items[0].pk: 2, items[1].pk: None}
    assert response.json()["answers"] == [{"item": items[0].pk, "value": 2}, {"item": items[1].pk, "value": None}]


def test_an_invalid_answer_stores_nothing(world, questionnaire):
    other_item = factories.make_questionnaire(items=1, is_active=False).items.get()
    body = {"counter": world.counter_a.code, "score": 3, "answers": [{"item": other_item.pk, "value": 4}]}

    response = post(APIClient(), body)

    assert response.status_code == 400
    assert response.json()["detail"]
    assert not Rating.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        {"counter": "khongcoma", "score": 4},
        {"counter": "ABC!", "score": 4},
        {"score": 4},
        {"counter": "x", "score": 6},
        {"counter": "x", "score": "5"},
        {"counter": "x", "score": 3, "answers": [{"item": 1, "value": 9}]},
    ],
)
def test_bad_input_answers_4xx_and_stores_nothing(world, questionnaire, body):
    response = post(APIClient(), body)

    assert response.status_code in (400, 404)
    assert set(response.json()) == {"detail", "errors"}
    assert not Rating.objects.exists()


def test_a_closed_counter_takes_no_rating(world, questionnaire):
    closed = factories.make_counter(unit=world.unit_a, is_active=False)

    assert post(APIClient(), {"counter": closed.code, "score": 5}).status_code == 404


def test_form_posts_are_refused_so_a_form_on_another_site_cannot_send_one(world, questionnaire):
    response = APIClient().post(
        URL,
        {"counter": world.counter_a.code, "score": 5},
        format="multipart",  # as an HTML form sends it
        headers={"Idempotency-Key": str(uuid.uuid4())},
    )

    assert response.status_code == 415
    assert not Rating.objects.exists()


@pytest.mark.parametrize(
    "headers",
    [{"Sec-Fetch-Site": "cross-site"}, {"Sec-Fetch-Site": "same-site"}, {"Origin": "https://danh-gia-gia.example"}],
)
def test_cross_site_browser_posts_are_refused(world, questionnaire, headers):
    response = post(APIClient(), {"counter": world.counter_a.code, "score": 5}, **headers)

    assert response.status_code == 403
    assert not Rating.objects.exists()


def test_the_sites_own_pages_and_servers_may_post(world, questionnaire, settings):
    client = APIClient()
    own = {"Sec-Fetch-Site": "same-origin", "Origin": "http://testserver"}

    assert post(client, {"counter": world.counter_a.code, "score": 5}, **own).status_code == 201
    assert post(client, {"counter": world.counter_a.code, "score": 5}).status_code == 201  # no browser headers
    own = {"Origin": settings.PUBLIC_BASE_URL}
    assert post(client, {"counter": world.counter_a.code, "score": 5}, **own).status_code == 201


def test_a_staff_session_is_not_used_so_there_is_no_csrf_to_forge(world, questionnaire):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(world.officer_a)

    response = post(client, {"counter": world.counter_a.code, "score": 5})

    assert response.status_code == 201


def test_ratings_are_throttled_per_address(world, questionnaire, settings):
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "ratings": "2/minute"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    client = APIClient()

    statuses = [post(client, {"counter": world.counter_a.code, "score": 5}).status_code for _ in range(3)]

    assert statuses == [201, 201, 429]
    assert Rating.objects.count() == 2


def test_no_active_questionnaire_is_a_conflict(world):
    from survey.models import Questionnaire

    Questionnaire.objects.update(is_active=False)

    response = post(APIClient(), {"counter": world.counter_a.code, "score": 5})

    assert response.status_code == 409


def test_the_hot_path_reads_only_the_counter(world, questionnaire):
    client = APIClient()
    post(client, {"counter": world.counter_a.code, "score": 5})  # warms the cached questionnaire id

    with CaptureQueriesContext(connection) as queries:
        response = post(client, {"counter": world.counter_a.code, "score": 5})

    assert response.status_code == 201
    # Savepoints only appear because the test runs inside a transaction.
    sql = [q["sql"] for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]]
    assert len(sql) == 2, sql  # the counter by its code, then the insert
    assert sql[1].startswith("INSERT")


# Staff list ---------------------------------------------------------------------------------------------------------


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def test_staff_list_filters(world, api_as, questionnaire):
    old = factories.make_rating(
        counter=world.counter_a, score=1, created_at=timezone.now() - datetime.timedelta(days=40)
    )
    flagged = factories.make_rating(counter=world.counter_a, score=2, status="quarantined", flags=["burst"])
    verified = factories.make_rating(counter=world.counter_a, score=5, verified=True, channel="web")
    other = factories.make_rating(counter=world.counter_b, score=5)
    client = api_as("province")
    url = reverse("api:rating-list")

    assert ids(client.get(url, {"unit": world.unit_b.pk})) == [other.pk]
    assert ids(client.get(url, {"counter": world.counter_a.pk, "score": 2})) == [flagged.pk]
    assert ids(client.get(url, {"quarantined": "true"})) == [flagged.pk]
    assert flagged.pk not in ids(client.get(url, {"quarantined": "false"}))
    assert ids(client.get(url, {"status": "quarantined"})) == [flagged.pk]
    assert ids(client.get(url, {"verified": "true"})) == [verified.pk]
    assert ids(client.get(url, {"channel": "web"})) == [verified.pk]
    month_ago = (timezone.localdate() - datetime.timedelta(days=30)).isoformat()
    assert ids(client.get(url, {"created_before": month_ago})) == [old.pk]
    assert old.pk not in ids(client.get(url, {"created_after": month_ago}))
    assert client.get(url, {"score": 9}).status_code == 400
    row = client.get(url, {"status": "quarantined"}).json()["results"][0]
    assert row["flags"] == ["burst"] and row["counter_code"] == world.counter_a.code
    assert "idempotency_key" not in row and "ip_hash" not in row


def test_officers_see_only_their_units_ratings(world, api_as, questionnaire):
    factories.make_rating(counter=world.counter_b)
    own = factories.make_rating(counter=world.counter_a)

    assert ids(api_as("officer_a").get(reverse("api:rating-list"))) == [own.pk]
    assert ids(api_as("officer_a").get(reverse("api:rating-list"), {"unit": world.unit_b.pk})) == []


def test_cursor_pagination_walks_every_rating_once(world, api_as, questionnaire):
    made = {factories.make_rating(counter=world.counter_a).pk for _ in range(5)}
    client = api_as("lead_a")

    seen, url = [], reverse("api:rating-list") + "?page_size=2"
    while url:
        body = client.get(url).json()
        seen += [row["id"] for row in body["results"]]
        url = body["next"]

    assert sorted(seen) == sorted(made)
    assert client.get(reverse("api:rating-list"), {"cursor": "nonsense"}).status_code == 404
    assert client.get(reverse("api:rating-list"), {"page_size": 0}).status_code == 400
