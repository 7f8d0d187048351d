"""The citizen flow over HTTP: one tap records, later steps update the same rating, bad input gets a 4xx."""

import uuid

import pytest
from django.urls import reverse

from survey import services
from survey.models import Questionnaire, Rating, RatingAnswer, ReasonChip
from tests import factories

pytestmark = pytest.mark.django_db


def _tap(client, counter, score, key=None):
    key = key or uuid.uuid4()
    return client.post(reverse("survey:rate", kwargs={"code": counter.code}), {"score": score, "key": str(key)}), key


def test_rate_page_names_unit_and_counter_and_shows_five_faces_with_words(client, world):
    response = client.get(f"/r/{world.counter_a.code}")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Sở Tư pháp" in html and "Quầy số 1" in html
    for word in ["Rất hài lòng", "Hài lòng", "Bình thường", "Không hài lòng", "Rất không hài lòng"]:
        assert f"{word}</button>" in html
    assert html.count('name="score"') == 5
    assert 'name="key"' in html


def test_one_tap_records_the_rating_at_once_with_counter_unit_channel_and_default_questionnaire(client, world):
    response, key = _tap(client, world.counter_a, 4)

    rating = Rating.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("survey:rating-answer", kwargs={"key": key})
    assert (rating.idempotency_key, rating.counter, rating.unit, rating.score) == (
        key,
        world.counter_a,
        world.unit_a,
        4,
    )
    assert rating.channel == Rating.Channel.QR
    assert rating.questionnaire.family == "sipas-short"
    assert rating.status == Rating.Status.ACCEPTED and not rating.verified
    assert len(rating.ip_hash) == 64 and "127.0.0.1" not in rating.ip_hash


def test_replayed_idempotency_key_stores_one_rating_and_returns_the_same_result(client, world):
    first, key = _tap(client, world.counter_a, 2)
    second, _key = _tap(client, world.counter_a, 5, key=key)

    assert Rating.objects.count() == 1
    assert Rating.objects.get().score == 2
    assert first["Location"] == second["Location"]


def test_replay_through_the_service_returns_the_existing_rating(world):
    key = uuid.uuid4()
    first = services.submit_rating(counter=world.counter_a, score=3, idempotency_key=key, channel="qr")
    again = services.submit_rating(counter=world.counter_a, score=1, idempotency_key=key, channel="qr")
    assert again.pk == first.pk and again.score == 3
    assert Rating.objects.count() == 1


@pytest.mark.parametrize(
    "data",
    [
        {"score": "6", "key": str(uuid.uuid4())},
        {"score": "0", "key": str(uuid.uuid4())},
        {"score": "abc", "key": str(uuid.uuid4())},
        {"score": "", "key": str(uuid.uuid4())},
        {"score": "4", "key": "not-a-uuid"},
        {"score": "4"},
        {},
    ],
)
def test_malformed_submission_gets_a_vietnamese_message_and_400(client, world, data):
    response = client.post(f"/r/{world.counter_a.code}", data)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'role="alert"' in html
    assert any(
        phrase in html for phrase in ["mức hài lòng", "Mức hài lòng", "Mã lượt đánh giá", "Thiếu mã lượt đánh giá"]
    )
    assert Rating.objects.count() == 0


def test_unknown_code_is_a_clear_404(client, world):
    response = client.get("/r/khongcoma99")
    assert response.status_code == 404
    assert "Không tìm thấy quầy" in response.content.decode()


def test_retired_code_shows_replaced_page_and_records_nothing(client, world):
    old_code = world.counter_a.code
    services.rotate_counter_code(counter=world.counter_a, by=world.officer_a)

    page = client.get(f"/r/{old_code}")
    post = client.post(f"/r/{old_code}", {"score": "5", "key": str(uuid.uuid4())})

    assert page.status_code == 410 and post.status_code == 410
    assert "Mã này đã được thay" in page.content.decode()
    assert Rating.objects.count() == 0
    world.counter_a.refresh_from_db()
    assert world.counter_a.code != old_code
    assert client.get(f"/r/{world.counter_a.code}").status_code == 200


def test_inactive_counter_records_nothing(client, world):
    world.counter_a.is_active = False
    world.counter_a.save()
    response, _key = _tap(client, world.counter_a, 5)
    assert response.status_code == 404
    assert Rating.objects.count() == 0


def test_counter_of_a_unit_closed_by_reorganisation_records_nothing(client, world):
    import datetime

    world.unit_a.valid_to = datetime.date(2025, 6, 30)
    world.unit_a.save()
    response, _key = _tap(client, world.counter_a, 5)
    assert response.status_code == 404
    assert "ngừng hoạt động" in response.content.decode()
    assert Rating.objects.count() == 0


def test_items_and_chips_update_the_same_rating(client, world):
    _response, key = _tap(client, world.counter_a, 2)
    rating = Rating.objects.get()
    items = list(rating.questionnaire.items.all())
    page = client.get(reverse("survey:rating-answer", kwargs={"key": key}))
    assert page.status_code == 200
    for item in items:
        assert item.text in page.content.decode()
    assert "Không có ý kiến" in page.content.decode()

    data = {f"item_{items[0].pk}": "1", f"item_{items[1].pk}": "na", "reasons": ["tre-hen", "thai-do"]}
    response = client.post(reverse("survey:rating-answer", kwargs={"key": key}), data)

    assert response.status_code == 302
    assert response["Location"] == reverse("survey:rating-thanks", kwargs={"key": key})
    assert Rating.objects.count() == 1
    rating.refresh_from_db()
    assert dict(rating.answers.values_list("item__code", "value")) == {items[0].code: 1, items[1].code: None}
    assert rating.reasons == ["tre-hen", "thai-do"]
    # Each answer carries its rating's counter, unit and time (the rollup rebuild counts answers without a join).
    assert set(rating.answers.values_list("counter_id", "unit_id", "created_at")) == {
        (world.counter_a.pk, world.unit_a.pk, rating.created_at)
    }

    # Sending the form again replaces the answers; still one rating.
    client.post(reverse("survey:rating-answer", kwargs={"key": key}), {f"item_{items[2].pk}": "5"})
    assert dict(rating.answers.values_list("item__code", "value")) == {items[2].code: 5}
    assert Rating.objects.count() == 1


@pytest.mark.parametrize("value", ["6", "0", "x", "-1"])
def test_out_of_range_item_answer_gets_400_and_saves_nothing(client, world, value):
    _response, key = _tap(client, world.counter_a, 4)
    item = Rating.objects.get().questionnaire.items.first()
    response = client.post(reverse("survey:rating-answer", kwargs={"key": key}), {f"item_{item.pk}": value})
    assert response.status_code == 400
    assert "Vui lòng chọn một mức từ 1 đến 5" in response.content.decode()
    assert RatingAnswer.objects.count() == 0


def test_unknown_chip_gets_400(client, world):
    _response, key = _tap(client, world.counter_a, 1)
    response = client.post(reverse("survey:rating-answer", kwargs={"key": key}), {"reasons": ["khong-co"]})
    assert response.status_code == 400
    assert "Lý do đã chọn không hợp lệ" in response.content.decode()
    assert Rating.objects.get().reasons == []


def test_answers_to_items_of_another_questionnaire_are_refused(world):
    rating = factories.make_rating(counter=world.counter_a)
    full = Questionnaire.objects.get(family="sipas-full", version=1)
    with pytest.raises(services.InvalidAnswer):
        services.answer_rating(rating=rating, answers={full.items.first().pk: 4})
    assert RatingAnswer.objects.count() == 0


def test_answer_window_closes(world):
    rating = factories.make_rating(counter=world.counter_a)
    Rating.objects.filter(pk=rating.pk).update(created_at=rating.created_at - services.ANSWER_WINDOW * 2)
    with pytest.raises(services.RatingClosed):
        services.answer_rating(rating=rating, answers={})


def test_chips_are_offered_only_for_low_and_middling_ratings(client, world):
    _response, low = _tap(client, world.counter_a, 2)
    _response, high = _tap(client, world.counter_a, 5)
    chip = ReasonChip.objects.get(code="chi-phi-ngoai")
    assert chip.label in client.get(reverse("survey:rating-answer", kwargs={"key": low})).content.decode()
    assert chip.label not in client.get(reverse("survey:rating-answer", kwargs={"key": high})).content.decode()


@pytest.mark.parametrize("score", [1, 2])
def test_low_rating_thanks_invites_a_complaint_with_counter_and_rating(client, world, score):
    _response, key = _tap(client, world.counter_a, score)
    html = client.get(reverse("survey:rating-thanks", kwargs={"key": key})).content.decode()
    assert f'href="/pakn/gui/?counter={world.counter_a.code}&amp;rating={key}"' in html
    assert "Gửi phản ánh, kiến nghị" in html


@pytest.mark.parametrize("score", [3, 4, 5])
def test_other_ratings_get_plain_thanks(client, world, score):
    _response, key = _tap(client, world.counter_a, score)
    html = client.get(reverse("survey:rating-thanks", kwargs={"key": key})).content.decode()
    assert "Cảm ơn ông/bà đã đánh giá" in html
    assert "/pakn/gui/" not in html


def test_unknown_rating_key_is_404(client, world):
    assert client.get(reverse("survey:rating-answer", kwargs={"key": uuid.uuid4()})).status_code == 404
    assert client.get(reverse("survey:rating-thanks", kwargs={"key": uuid.uuid4()})).status_code == 404


def test_citizen_pages_are_vietnamese_by_default_and_english_on_request(client, world):
    assert 'lang="vi"' in client.get(f"/r/{world.counter_a.code}").content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get(f"/r/{world.counter_a.code}").content.decode()
    assert 'lang="en"' in html


def test_submit_costs_one_insert_after_the_counter_lookup(world, django_assert_max_num_queries):
    services.submit_rating(counter=world.counter_a, score=5, idempotency_key=uuid.uuid4())  # warms the cache
    # A savepoint pair wraps the insert inside the test transaction; in production it is BEGIN/INSERT/COMMIT.
    with django_assert_max_num_queries(3) as captured:
        services.submit_rating(counter=world.counter_a, score=4, idempotency_key=uuid.uuid4())
    assert [q["sql"].split()[0] for q in captured.captured_queries if "INSERT" in q["sql"]] == ["INSERT"]
