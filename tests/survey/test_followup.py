"""The short follow-up after a rating: "Bỏ qua" first, reasons as chips, an optional comment stored with personal
data masked, the full questionnaire behind "Trả lời thêm", and what was said carried into the complaint form."""

import uuid

import pytest
from django.urls import reverse

from survey.masking import MASK
from survey.models import Questionnaire, Rating, ReasonChip

pytestmark = pytest.mark.django_db


def _tap(client, counter, score):
    key = uuid.uuid4()
    client.post(reverse("survey:rate", kwargs={"code": counter.code}), {"score": score, "key": str(key)})
    return Rating.objects.get(idempotency_key=key)


def test_skip_comes_before_the_questions_and_the_items_wait_behind_answer_more(client, world):
    rating = _tap(client, world.counter_a, 2)
    html = client.get(reverse("survey:rating-answer", args=[rating.idempotency_key])).content.decode()
    skip = html.index(reverse("survey:rating-thanks", args=[rating.idempotency_key]))
    assert skip < html.index('class="chip"') < html.index('name="comment"') < html.index("<details")
    assert '<details class="more-items">' in html  # folded
    assert 'maxlength="500"' in html


def test_a_questionnaire_that_needs_its_items_shows_them_up_front(client, world):
    Questionnaire.objects.filter(is_active=True).update(items_up_front=True)
    rating = _tap(client, world.counter_a, 4)
    html = client.get(reverse("survey:rating-answer", args=[rating.idempotency_key])).content.decode()
    assert '<details class="more-items" open>' in html


def test_reasons_and_a_comment_reach_thanks_in_one_submission_with_personal_data_masked(client, world):
    # given a low rating and two of the chips
    rating = _tap(client, world.counter_a, 1)
    chips = list(ReasonChip.objects.filter(is_active=True)[:2])
    # when the citizen ticks them and writes a comment with a phone number, then sends
    response = client.post(
        reverse("survey:rating-answer", args=[rating.idempotency_key]),
        {"reasons": [c.code for c in chips], "comment": "Chờ hai tiếng. Gọi tôi: 0912 345 678"},
    )
    # then thanks, and the comment is stored without the number
    assert response.status_code == 302 and response["Location"].endswith("/cam-on/")
    rating.refresh_from_db()
    assert rating.reasons == [c.code for c in chips]
    assert rating.comment == f"Chờ hai tiếng. Gọi tôi: {MASK}"
    # and the complaint form starts with what was said
    thanks = client.get(response["Location"]).content.decode()
    link = reverse("feedback:case-create") + f"?counter={world.counter_a.code}&rating={rating.idempotency_key}"
    assert link.replace("&", "&amp;") in thanks
    form = client.get(link).content.decode()
    assert chips[0].label in form and chips[1].label in form and f"Gọi tôi: {MASK}" in form
    assert "0912" not in form


def test_a_comment_over_500_characters_is_refused_and_nothing_changes(client, world):
    rating = _tap(client, world.counter_a, 3)
    response = client.post(reverse("survey:rating-answer", args=[rating.idempotency_key]), {"comment": "x" * 501})
    assert response.status_code == 400 and "500" in response.content.decode()
    rating.refresh_from_db()
    assert rating.comment == ""


def test_answering_more_keeps_the_items_open_on_a_refusal(client, world):
    rating = _tap(client, world.counter_a, 4)
    item = rating.questionnaire.items.first()
    response = client.post(
        reverse("survey:rating-answer", args=[rating.idempotency_key]), {f"item_{item.pk}": "9", "comment": "Tốt"}
    )
    assert response.status_code == 400
    assert '<details class="more-items" open>' in response.content.decode()


def test_staff_read_their_units_comments_masked_and_no_other_units(client, world):
    rating = _tap(client, world.counter_a, 2)
    client.post(
        reverse("survey:rating-answer", args=[rating.idempotency_key]),
        {"comment": "Viết cho tôi: an.nguyen@example.vn"},
    )
    url = reverse("survey:unit-comments", args=[world.unit_a.pk])
    client.force_login(world.officer_a)
    page = client.get(url).content.decode()
    assert f"Viết cho tôi: {MASK}" in page and "example.vn" not in page
    client.force_login(world.officer_b)
    assert client.get(url).status_code == 404
    client.force_login(world.province)
    assert client.get(url).status_code == 200
    client.logout()
    assert client.get(url).status_code == 302
