"""The integrity layers through their public functions: device cookie, cool-down, office networks, IP and counter
throttles, the cache-only hot path, dossier links, alerts, baselines and the IP-hash purge."""

import datetime

import pytest
from django.core.cache import cache
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils import timezone

from survey import integrity
from survey.integrity import ClientInfo, assess_submission
from survey.models import CounterBaseline, DossierLink, IntegrityAlert, IntegritySettings, OfficeNetwork, Rating
from tests import factories

pytestmark = pytest.mark.django_db

T0 = datetime.datetime(2025, 3, 12, 2, 0, tzinfo=datetime.UTC)


def minutes(n: float) -> datetime.datetime:
    return T0 + datetime.timedelta(minutes=n)


def configure(**values) -> IntegritySettings:
    conf = IntegritySettings.load()
    for name, value in values.items():
        setattr(conf, name, value)
    conf.save()
    integrity.clear_config_cache()
    return conf


def test_device_cookie_is_issued_signed_and_read_back():
    factory = RequestFactory()
    device_id, new = integrity.get_or_issue_device_id(factory.get("/"))
    assert new and len(device_id) >= 20
    response = HttpResponse()
    integrity.set_device_cookie(response, device_id)
    morsel = response.cookies[integrity.DEVICE_COOKIE]
    assert morsel["httponly"] and morsel["samesite"] == "Lax"

    request = factory.get("/")
    request.COOKIES[integrity.DEVICE_COOKIE] = morsel.value
    assert integrity.get_or_issue_device_id(request) == (device_id, False)


def test_a_forged_device_cookie_is_replaced():
    request = RequestFactory().get("/")
    request.COOKIES[integrity.DEVICE_COOKIE] = "chosen-by-the-attacker"
    device_id, new = integrity.get_or_issue_device_id(request)
    assert new and device_id != "chosen-by-the-attacker"


def test_device_cooldown_flags_a_second_vote_at_the_same_counter_only_within_the_window(world):
    phone = ClientInfo(ip="171.224.5.9", device_id="phone-1")
    first = assess_submission(counter=world.counter_a, client=phone, now=minutes(0))
    again = assess_submission(counter=world.counter_a, client=phone, now=minutes(10))
    other_counter = assess_submission(counter=world.counter_b, client=phone, now=minutes(11))
    later = assess_submission(counter=world.counter_a, client=phone, now=minutes(31))

    assert first.status == Rating.Status.ACCEPTED and first.flags == []
    assert again.status == Rating.Status.QUARANTINED and again.flags == ["device_cooldown"]
    assert not again.throttled
    assert other_counter.flags == []
    assert later.flags == []


def test_device_cooldown_is_configurable(world):
    configure(device_cooldown_minutes=5)
    phone = ClientInfo(ip=None, device_id="phone-1")
    assess_submission(counter=world.counter_a, client=phone, now=minutes(0))
    assert assess_submission(counter=world.counter_a, client=phone, now=minutes(4)).flags == ["device_cooldown"]
    assert assess_submission(counter=world.counter_a, client=phone, now=minutes(10)).flags == []


def test_a_verified_dossier_vote_is_not_held_by_the_cooldown(world):
    phone = ClientInfo(ip="171.224.5.9", device_id="phone-1")
    assess_submission(counter=world.counter_a, client=phone, now=minutes(0))
    second_dossier = assess_submission(counter=world.counter_a, client=phone, dossier_verified=True, now=minutes(5))
    assert second_dossier.status == Rating.Status.ACCEPTED


@pytest.mark.parametrize(
    ("cidr", "unit_attr", "ip", "flagged"),
    [
        ("10.20.0.0/16", "unit_a", "10.20.7.9", True),
        ("10.20.0.0/16", None, "10.20.7.9", True),
        ("10.20.0.0/16", "unit_b", "10.20.7.9", False),
        ("10.20.0.0/16", "unit_a", "10.21.0.1", False),
        ("2001:db8:aa::/48", "unit_a", "2001:db8:aa::5", True),
    ],
)
def test_office_networks_flag_votes_for_their_unit_or_for_all(world, cidr, unit_attr, ip, flagged):
    OfficeNetwork.objects.create(cidr=cidr, label="Wi-Fi", unit=getattr(world, unit_attr) if unit_attr else None)
    integrity.clear_config_cache()
    verdict = assess_submission(counter=world.counter_a, client=ClientInfo(ip=ip, device_id=None), now=minutes(0))
    assert ("office_network" in verdict.flags) is flagged
    assert (verdict.status == Rating.Status.QUARANTINED) is flagged


def test_an_inactive_office_network_flags_nothing(world):
    OfficeNetwork.objects.create(cidr="10.20.0.0/16", label="Cũ", is_active=False)
    verdict = assess_submission(counter=world.counter_a, client=ClientInfo(ip="10.20.0.1", device_id=None))
    assert verdict.flags == []


def test_office_network_cidr_is_validated_and_normalised():
    from django.core.exceptions import ValidationError

    network = OfficeNetwork(cidr="10.20.3.4/16", label="Wi-Fi")
    network.full_clean()
    network.save()
    assert network.cidr == "10.20.0.0/16"
    with pytest.raises(ValidationError):
        OfficeNetwork(cidr="10.20.0.0/33", label="Sai").full_clean()


def test_many_votes_from_one_address_are_flagged_then_throttled(world):
    configure(ip_flag_limit=3, ip_hard_limit=5, burst_minimum=100)
    verdicts = [
        assess_submission(
            counter=world.counter_a, client=ClientInfo(ip="203.113.1.10", device_id=f"d{i}"), now=minutes(i / 10)
        )
        for i in range(7)
    ]
    assert [v.flags for v in verdicts[:3]] == [[], [], []]
    assert verdicts[3].flags == ["ip_rate"] and verdicts[3].status == Rating.Status.QUARANTINED
    assert not verdicts[4].throttled
    assert verdicts[5].throttled and verdicts[6].throttled
    assert "ip_throttled" in verdicts[5].flags
    # Another address is not affected, and the window slides: ten minutes later the address is welcome again.
    other = assess_submission(counter=world.counter_a, client=ClientInfo(ip="14.160.0.1", device_id="x"))
    assert not other.throttled
    back = assess_submission(
        counter=world.counter_a, client=ClientInfo(ip="203.113.1.10", device_id="d9"), now=minutes(12)
    )
    assert not back.throttled and back.flags == []


def test_a_counter_flooded_far_above_human_rates_is_throttled(world):
    configure(counter_hard_limit=20, burst_minimum=10)
    verdicts = [
        assess_submission(counter=world.counter_a, client=ClientInfo(ip=f"100.64.0.{i}", device_id=None), now=T0)
        for i in range(1, 23)
    ]
    assert [v.throttled for v in verdicts].count(True) == 2
    assert all("burst" in v.flags for v in verdicts[10:20])
    assert not any(v.throttled for v in verdicts[:20])


def test_the_throttled_page_is_a_friendly_429_in_vietnamese(client, world):
    verdict = integrity.Verdict(
        flags=["ip_throttled"], status=Rating.Status.QUARANTINED, throttled=True, retry_after=600
    )
    response = integrity.throttled_response(RequestFactory().get("/r/abc"), verdict)
    assert response.status_code == 429
    assert response["Retry-After"] == "600"
    html = response.content.decode()
    assert "Vui lòng thử lại sau" in html and "10 phút" in html


def test_the_burst_threshold_follows_the_counters_rhythm(world):
    conf = IntegritySettings.load()
    # A quiet counter (20 a day) is held to the minimum; a busy one (480 a day: 10 per 10 minutes) to 10x that.
    assert integrity.burst_threshold(conf, 20) == 15
    assert integrity.burst_threshold(conf, 480) == 100


def test_the_hot_path_makes_no_database_query_once_the_cache_is_warm(world, django_assert_num_queries):
    OfficeNetwork.objects.create(cidr="10.20.0.0/16", label="Wi-Fi")
    assess_submission(counter=world.counter_a, client=ClientInfo(ip="171.224.5.9", device_id="a"))
    with django_assert_num_queries(0):
        verdict = assess_submission(counter=world.counter_a, client=ClientInfo(ip="171.224.5.10", device_id="b"))
    assert verdict.status == Rating.Status.ACCEPTED


def test_editing_the_settings_in_the_admin_takes_effect_at_once(client, world):
    assess_submission(counter=world.counter_a, client=ClientInfo(ip=None, device_id="warm"))
    client.force_login(world.admin)
    conf = IntegritySettings.load()
    data = {field.name: getattr(conf, field.name) for field in IntegritySettings._meta.fields if field.editable}
    data.pop("id")
    data["device_cooldown_minutes"] = 7
    response = client.post(f"/admin/survey/integritysettings/{conf.pk}/change/", data)
    assert response.status_code == 302
    assert integrity.get_settings().device_cooldown_minutes == 7


def test_baselines_are_the_average_counted_ratings_per_active_day(world):
    now = timezone.now()
    # Noon of the previous days, so that no day's ratings straddle midnight.
    noon = timezone.localtime(now).replace(hour=12, minute=0, second=0, microsecond=0)
    for day in range(3):
        for i in range(10 + day * 5):
            created = noon - datetime.timedelta(days=day + 1) + datetime.timedelta(minutes=i)
            factories.make_rating(counter=world.counter_a, created_at=created)
    quarantined = now - datetime.timedelta(hours=1)
    factories.make_rating(counter=world.counter_a, created_at=quarantined, status=Rating.Status.QUARANTINED)
    for i in range(40):
        link = DossierLink.objects.create(dossier_code=f"HS-{i}", counter=world.counter_b)
        # Dated yesterday, not at the moment of creation: on a loaded machine the loops above outlast `now + 1 s`.
        DossierLink.objects.filter(pk=link.pk).update(created_at=noon - datetime.timedelta(days=1, minutes=i % 3))

    assert integrity.refresh_counter_baselines(now=now + datetime.timedelta(seconds=1)) == 2

    assert CounterBaseline.objects.get(counter=world.counter_a).daily_ratings == 15
    assert CounterBaseline.objects.get(counter=world.counter_b).daily_dossiers == 40
    assert cache.get(f"integrity:baseline:{world.counter_b.pk}") == 40


def test_ip_hash_is_keyed_and_stable():
    assert integrity.hash_ip("171.224.5.9") == integrity.hash_ip("171.224.5.9")
    assert len(integrity.hash_ip("171.224.5.9")) == 64
    assert "171.224" not in integrity.hash_ip("171.224.5.9")
    assert integrity.hash_ip(None) == ""


@pytest.mark.parametrize(
    ("proxies", "remote", "forwarded", "expected"),
    [
        (0, "171.224.5.9", "1.2.3.4", "171.224.5.9"),
        (1, "10.0.0.2", "1.2.3.4, 171.224.5.9", "171.224.5.9"),
        (1, "10.0.0.2", "", "10.0.0.2"),
        (0, "not-an-ip", "", None),
    ],
)
def test_client_ip_trusts_only_the_configured_proxies(settings, proxies, remote, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert integrity.client_ip(request) == expected


def test_a_dossier_link_can_be_claimed_once_and_not_after_expiry(world):
    link = DossierLink.objects.create(dossier_code="HS-1", counter=world.counter_a)
    assert integrity.check_dossier_link(link) == integrity.LinkState.VALID
    assert integrity.claim_dossier_link(link=link)
    assert integrity.check_dossier_link(link) == integrity.LinkState.USED
    assert not integrity.claim_dossier_link(link=DossierLink.objects.get(pk=link.pk))

    expired = DossierLink.objects.create(dossier_code="HS-2", counter=world.counter_a, expires_at=minutes(-1))
    assert integrity.check_dossier_link(expired, now=T0) == integrity.LinkState.EXPIRED
    assert not integrity.claim_dossier_link(link=expired, now=T0)


def _vote(counter, score, at):
    rating = factories.make_rating(counter=counter, score=score, created_at=at)
    integrity.record_outcome(rating=rating)
    return rating


def test_half_unhappy_in_fifteen_minutes_with_four_votes_alerts_the_lead_once(
    world, eager_celery, mailoutbox, django_capture_on_commit_callbacks
):
    world.lead_a.email = "lead@example.vn"
    world.lead_a.save()
    factories.make_user(role="officer", unit=world.unit_a, email="officer@example.vn")
    with django_capture_on_commit_callbacks(execute=True):
        _vote(world.counter_a, 1, minutes(0))
        _vote(world.counter_a, 5, minutes(2))
        _vote(world.counter_a, 2, minutes(4))
        assert not IntegrityAlert.objects.exists()  # 2 of 3: not yet 4 votes
        _vote(world.counter_a, 4, minutes(6))  # 2 of 4: half
        _vote(world.counter_a, 1, minutes(8))  # still in the same window: no second alert
    alert = IntegrityAlert.objects.get()
    assert (alert.kind, alert.vote_count, alert.unhappy_count) == ("unhappy", 4, 2)
    assert alert.recipient_count == 1 and alert.notified_at is not None
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["lead@example.vn"]
    assert "không hài lòng" in mailoutbox[0].subject
    assert "/don-vi/so-tu-phap/lich-su/" in mailoutbox[0].body
    assert mailoutbox[0].alternatives[0][1] == "text/html"


def test_quarantined_votes_do_not_raise_an_unhappy_alert(world):
    for i in range(6):
        rating = factories.make_rating(
            counter=world.counter_a, score=1, created_at=minutes(i), status=Rating.Status.QUARANTINED
        )
        integrity.record_outcome(rating=rating)
    assert not IntegrityAlert.objects.exists()


def test_a_new_window_can_alert_again(world):
    for i in range(4):
        _vote(world.counter_a, 1, minutes(i))
    for i in range(4):
        _vote(world.counter_a, 1, minutes(40 + i))
    assert IntegrityAlert.objects.filter(kind="unhappy").count() == 2


def test_sending_an_alert_twice_sends_one_email(world, mailoutbox):
    world.lead_a.email = "lead@example.vn"
    world.lead_a.save()
    alert = IntegrityAlert.objects.create(
        kind="burst",
        counter=world.counter_a,
        unit=world.unit_a,
        window_start=minutes(0),
        window_end=minutes(10),
        vote_count=200,
        expected_count=15,
    )
    assert integrity.send_integrity_alert(alert_id=alert.pk) == 1
    assert integrity.send_integrity_alert(alert_id=alert.pk) == 0
    assert len(mailoutbox) == 1
    assert "200" in mailoutbox[0].body


def test_record_outcome_never_breaks_the_submission(world):
    rating = factories.make_rating(counter=world.counter_a, score=1)
    rating.created_at = None  # a broken object: the alert bookkeeping fails, the caller must not
    integrity.record_outcome(rating=rating)
    factories.make_rating(counter=world.counter_a)  # the transaction is still usable
    assert Rating.objects.filter(pk=rating.pk).exists()
