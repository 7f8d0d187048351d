"""The integrity layers on the real submission path (`submit_rating` and the rating views): retries are never
counted twice, throttles answer 429 and store nothing, kiosks and dossier links get their own rules, the
bookkeeping runs on commit, and the hot path stays at one insert."""

import datetime
import uuid

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from survey import integrity, services
from survey.integrity import ClientInfo
from survey.models import DossierLink, IntegrityAlert, IntegritySettings, Rating

pytestmark = pytest.mark.django_db

T0 = datetime.datetime(2025, 3, 12, 2, 0, tzinfo=datetime.UTC)
PHONE_IP = "171.224.5.9"


@pytest.fixture
def clock(monkeypatch):
    """The site's clock, fixed at T0 (tests move it by assigning `clock.now`)."""

    class Clock:
        now = T0

    monkeypatch.setattr(timezone, "now", lambda: Clock.now)
    return Clock


def configure(**values) -> None:
    conf = IntegritySettings.load()
    for name, value in values.items():
        setattr(conf, name, value)
    conf.save()
    integrity.clear_config_cache()


def tap(client, counter, score=5, key=None, ip=PHONE_IP, **extra):
    key = key or uuid.uuid4()
    url = reverse("survey:rate", kwargs={"code": counter.code})
    return client.post(url, {"score": score, "key": str(key)}, REMOTE_ADDR=ip, **extra), key


def counted(prefix: str, now: datetime.datetime = T0) -> int:
    """What the integrity layers counted in this minute's bucket."""
    return int(cache.get(f"{prefix}:{int(now.timestamp() // 60)}") or 0)


def ip_bucket(ip: str = PHONE_IP) -> str:
    return f"integrity:ip:{integrity.hash_ip(ip)[:32]}"


def test_a_retried_tap_is_answered_with_the_first_rating_and_counted_once(client, world, clock):
    # when: the phone's first tap is sent twice (a double tap, or a retry on a flaky network)
    first, key = tap(client, world.counter_a, score=4)
    retry, _key = tap(client, world.counter_a, score=1, key=key)

    # then: one rating, not flagged by its own retry; the address and the counter counted it once
    assert first.status_code == retry.status_code == 302
    assert first["Location"] == retry["Location"]
    rating = Rating.objects.get()
    assert (rating.score, rating.status, rating.flags) == (4, Rating.Status.ACCEPTED, [])
    assert counted(ip_bucket()) == 1
    assert counted(f"integrity:counter:{world.counter_a.pk}") == 1

    # and a new tap from the same phone at the same counter is the cool-down's business
    clock.now = T0 + datetime.timedelta(minutes=3)
    tap(client, world.counter_a, score=5)
    second = Rating.objects.exclude(idempotency_key=key).get()
    assert second.status == Rating.Status.QUARANTINED and second.flags == ["device_cooldown"]


def test_the_device_cookie_is_issued_with_the_first_rating_only(client, world, clock):
    first, _key = tap(client, world.counter_a)
    second, _key = tap(client, world.counter_b)

    cookie = first.cookies[integrity.DEVICE_COOKIE]
    assert cookie.value and cookie["httponly"] and cookie["samesite"] == "Lax"
    assert integrity.DEVICE_COOKIE not in second.cookies
    assert Rating.objects.filter(flags=[]).count() == 2


def test_a_replay_through_the_service_withdraws_its_counts(world, clock):
    phone = ClientInfo(ip=PHONE_IP, device_id="phone-1")
    key = uuid.uuid4()
    first = services.submit_rating(counter=world.counter_a, score=3, idempotency_key=key, client=phone)
    again = services.submit_rating(counter=world.counter_a, score=1, idempotency_key=key, client=phone)

    assert again.pk == first.pk and again.score == 3 and again.flags == []
    assert counted(ip_bucket()) == 1
    assert counted(f"integrity:counter:{world.counter_a.pk}") == 1


def test_a_throttled_tap_gets_the_friendly_429_and_stores_nothing(client, world, clock):
    configure(ip_hard_limit=2, ip_flag_limit=2)
    tap(client, world.counter_a, ip="100.64.0.1")
    tap(client, world.counter_b, ip="100.64.0.1")

    response, key = tap(client, world.counter_a, ip="100.64.0.1")

    assert response.status_code == 429
    assert response["Retry-After"] == "600"
    assert "Vui lòng thử lại sau" in response.content.decode()
    assert not Rating.objects.filter(idempotency_key=key).exists()
    assert Rating.objects.count() == 2


def test_a_retry_of_a_stored_rating_is_never_throttled(client, world, clock):
    configure(ip_hard_limit=2, ip_flag_limit=2)
    first, key = tap(client, world.counter_a, ip="100.64.0.1")
    tap(client, world.counter_b, ip="100.64.0.1")
    assert tap(client, world.counter_b, ip="100.64.0.1")[0].status_code == 429

    retry, _key = tap(client, world.counter_a, key=key, ip="100.64.0.1")

    assert retry.status_code == 302 and retry["Location"] == first["Location"]
    assert Rating.objects.count() == 2


def test_kiosk_votes_in_a_row_are_not_held_by_a_device_cool_down(client, world, clock):
    # The tablet is shared by every citizen at the counter: it gets no device cookie and no device reason.
    token = services.issue_kiosk_token(counter=world.counter_a, by=world.officer_a, label="Máy quầy 1")
    url = reverse("survey:kiosk", kwargs={"token": token.token})
    responses = []
    for minute in range(5):
        clock.now = T0 + datetime.timedelta(minutes=minute)
        responses.append(client.post(url, {"score": 5, "key": str(uuid.uuid4())}, REMOTE_ADDR="113.160.1.20"))

    assert [r.status_code for r in responses] == [302] * 5
    assert not any(integrity.DEVICE_COOKIE in r.cookies for r in responses)
    ratings = Rating.objects.all()
    assert len(ratings) == 5
    assert all((r.channel, r.status, r.flags) == (Rating.Channel.KIOSK, Rating.Status.ACCEPTED, []) for r in ratings)


def test_a_dossier_vote_claims_its_link_and_a_retry_returns_the_same_rating(client, world, clock):
    link = services.mint_dossier_link(counter=world.counter_a, dossier_code="HS-9")
    url = reverse("survey:rate-dossier", kwargs={"token": link.token})
    key = uuid.uuid4()

    first = client.post(url, {"score": 5, "key": str(key)}, REMOTE_ADDR=PHONE_IP)
    retry = client.post(url, {"score": 5, "key": str(key)}, REMOTE_ADDR=PHONE_IP)
    other = client.post(url, {"score": 1, "key": str(uuid.uuid4())}, REMOTE_ADDR="14.160.8.8")

    assert first.status_code == retry.status_code == 302 and first["Location"] == retry["Location"]
    assert other.status_code == 409
    rating = Rating.objects.get()
    assert rating.verified and rating.dossier_code == "HS-9" and rating.flags == []
    assert DossierLink.objects.get(pk=link.pk).used_at == T0
    # Only the first request counts at the counter: the retry and the refused one were withdrawn.
    assert counted(f"integrity:counter:{world.counter_a.pk}") == 1


def test_a_link_used_meanwhile_is_refused_and_withdrawn(world, clock):
    link = services.mint_dossier_link(counter=world.counter_a, dossier_code="HS-10")
    stale = DossierLink.objects.get(pk=link.pk)
    services.submit_rating(counter=world.counter_a, score=5, idempotency_key=uuid.uuid4(), dossier_link=link)

    with pytest.raises(services.DossierLinkUsed):
        services.submit_rating(counter=world.counter_a, score=1, idempotency_key=uuid.uuid4(), dossier_link=stale)

    assert Rating.objects.count() == 1
    assert counted(f"integrity:counter:{world.counter_a.pk}") == 1


def test_a_link_that_expired_meanwhile_is_refused(world, clock):
    link = services.mint_dossier_link(
        counter=world.counter_a, dossier_code="HS-11", expires_at=T0 + datetime.timedelta(minutes=5)
    )
    clock.now = T0 + datetime.timedelta(minutes=6)
    with pytest.raises(services.DossierLinkExpired):
        services.submit_rating(counter=world.counter_a, score=5, idempotency_key=uuid.uuid4(), dossier_link=link)
    assert Rating.objects.count() == 0


def test_a_link_of_another_counter_is_refused(world, clock):
    link = services.mint_dossier_link(counter=world.counter_a, dossier_code="HS-12")
    with pytest.raises(services.SurveyError):
        services.submit_rating(counter=world.counter_b, score=5, idempotency_key=uuid.uuid4(), dossier_link=link)
    assert DossierLink.objects.get(pk=link.pk).used_at is None


def test_without_client_information_only_the_counter_layers_apply(world, clock):
    ratings = [
        services.submit_rating(counter=world.counter_a, score=5, idempotency_key=uuid.uuid4()) for _n in range(16)
    ]
    assert ratings[0].ip_hash == "" and ratings[0].flags == []
    assert ratings[-1].flags == ["burst"]


def test_the_bookkeeping_runs_on_commit_after_a_tap_and_after_the_answers(
    client, world, clock, eager_celery, mailoutbox, django_capture_on_commit_callbacks
):
    # when: four unhappy citizens rate within a few minutes (each on their own phone)
    for n in range(4):
        clock.now = T0 + datetime.timedelta(minutes=n)
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            _response, key = tap(client.__class__(), world.counter_a, score=1, ip=f"113.160.0.{n + 1}")
        assert callbacks[0].func is integrity.record_outcome

    # then: the unhappy wave was noticed by the bookkeeping that followed the last commit
    assert IntegrityAlert.objects.filter(kind=IntegrityAlert.Kind.UNHAPPY, counter=world.counter_a).count() == 1

    # and the optional answers are followed by the bookkeeping too
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(reverse("survey:rating-answer", kwargs={"key": key}), {"reasons": ["thai-do"]})
    assert response.status_code == 302
    assert [c.func for c in callbacks] == [integrity.record_outcome]
    assert mailoutbox == []  # the unit's lead has no email address
    assert IntegrityAlert.objects.filter(kind=IntegrityAlert.Kind.UNHAPPY).count() == 1


def test_a_tap_costs_the_counter_lookup_and_one_insert_once_the_cache_is_warm(
    client, world, clock, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        tap(client, world.counter_a, ip="113.160.0.1")  # warms the cache
    # Counter lookup, then the insert inside a savepoint (the test's transaction); the bookkeeping after the
    # commit reads only the cache.
    with (
        django_assert_max_num_queries(4) as captured,
        django_capture_on_commit_callbacks(execute=True) as callbacks,
    ):
        response, _key = tap(client.__class__(), world.counter_a, ip="113.160.0.2")
    assert response.status_code == 302 and len(callbacks) == 1
    sql = [q["sql"].split()[0] for q in captured.captured_queries]
    assert sql.count("INSERT") == 1 and sql.count("SELECT") == 1
