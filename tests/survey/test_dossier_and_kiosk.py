"""Dossier receipt links (verified, single use) and kiosk tablets (channel kiosk, resetting pages)."""

import datetime
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from survey import services
from survey.models import DossierLink, Rating

pytestmark = pytest.mark.django_db


def _post(client, url, score=4, key=None):
    return client.post(url, {"score": score, "key": str(key or uuid.uuid4())})


def test_dossier_link_works_once_and_marks_the_rating_verified(client, world):
    link = services.mint_dossier_link(counter=world.counter_a, dossier_code="000.00.12.H08-240101-0001")
    url = reverse("survey:rate-dossier", kwargs={"token": link.token})

    page = client.get(url)
    first = _post(client, url, score=5)

    assert page.status_code == 200 and "Sở Tư pháp" in page.content.decode()
    assert first.status_code == 302
    rating = Rating.objects.get()
    assert rating.verified and rating.dossier_code == "000.00.12.H08-240101-0001"
    assert rating.counter == world.counter_a and rating.channel == Rating.Channel.WEB
    link.refresh_from_db()
    assert link.used_at is not None

    second_view = client.get(url)
    second_post = _post(client, url, score=1)
    assert second_view.status_code == 409 and second_post.status_code == 409
    assert "Hồ sơ này đã được đánh giá" in second_post.content.decode()
    assert Rating.objects.count() == 1


def test_dossier_link_replay_of_the_same_key_returns_the_same_rating(client, world):
    link = services.mint_dossier_link(counter=world.counter_a, dossier_code="HS-1")
    url = reverse("survey:rate-dossier", kwargs={"token": link.token})
    key = uuid.uuid4()
    first = _post(client, url, key=key)
    second = _post(client, url, key=key)
    assert first["Location"] == second["Location"]
    assert Rating.objects.count() == 1


def test_expired_dossier_link_records_nothing(client, world):
    link = services.mint_dossier_link(
        counter=world.counter_a, dossier_code="HS-2", expires_at=timezone.now() + datetime.timedelta(hours=1)
    )
    DossierLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    response = _post(client, reverse("survey:rate-dossier", kwargs={"token": link.token}))
    assert response.status_code == 410
    assert "hết hạn" in response.content.decode()
    assert Rating.objects.count() == 0


def test_unknown_dossier_token_is_404(client, world):
    assert client.get("/r/d/khongcolienket").status_code == 404


def test_one_link_per_dossier(world):
    services.mint_dossier_link(counter=world.counter_a, dossier_code="HS-3")
    with pytest.raises(services.DossierCodeTaken):
        services.mint_dossier_link(counter=world.counter_b, dossier_code="HS-3")


@pytest.mark.parametrize("code", ["", "   ", "x" * 65])
def test_bad_dossier_code_is_refused(world, code):
    with pytest.raises(services.SurveyError):
        services.mint_dossier_link(counter=world.counter_a, dossier_code=code)


def test_kiosk_ratings_carry_the_kiosk_channel_and_pages_reset(client, world):
    token = services.issue_kiosk_token(counter=world.counter_a, by=world.officer_a, label="Máy quầy 1")
    kiosk_url = reverse("survey:kiosk", kwargs={"token": token.token})

    page = client.get(kiosk_url)
    response = _post(client, kiosk_url, score=5)

    assert page.status_code == 200 and "Quầy số 1" in page.content.decode()
    rating = Rating.objects.get()
    assert rating.channel == Rating.Channel.KIOSK and rating.counter == world.counter_a
    answer_url = reverse("survey:kiosk-answer", kwargs={"token": token.token, "key": rating.idempotency_key})
    assert response["Location"] == answer_url
    thanks = client.get(reverse("survey:kiosk-thanks", kwargs={"token": token.token, "key": rating.idempotency_key}))
    html = thanks.content.decode()
    assert 'id="kiosk-reset"' in html and f'data-url="{kiosk_url}"' in html
    assert "Người tiếp theo" in html and "js/rating.js" in html


def test_revoked_kiosk_token_is_404(client, world):
    token = services.issue_kiosk_token(counter=world.counter_a, by=world.officer_a, label="")
    services.revoke_kiosk_token(token=token, by=world.officer_a)
    assert client.get(reverse("survey:kiosk", kwargs={"token": token.token})).status_code == 404
    assert _post(client, reverse("survey:kiosk", kwargs={"token": token.token})).status_code == 404
    assert Rating.objects.count() == 0


def test_kiosk_step_pages_refuse_a_rating_of_another_counter(client, world):
    token = services.issue_kiosk_token(counter=world.counter_a, by=world.officer_a, label="")
    other = services.submit_rating(counter=world.counter_b, score=4, idempotency_key=uuid.uuid4())
    url = reverse("survey:kiosk-answer", kwargs={"token": token.token, "key": other.idempotency_key})
    assert client.get(url).status_code == 404
