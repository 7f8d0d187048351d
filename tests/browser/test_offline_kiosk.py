"""A counter's kiosk keeps taking ratings while the network is down and sends them, with their own times, when it
comes back: none lost, none doubled, none quarantined as a burst."""

import datetime
import time

import pytest

from survey import services
from survey.models import Rating
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _seed_data(transactional_db):
    factories.ensure_seed_data()


def _waiting(page) -> int:
    # Read through the DevTools protocol: the page's Content-Security-Policy forbids evaluating strings.
    return page.evaluate("() => JSON.parse(localStorage.getItem('hailong-pending-ratings') || '[]').length")


def test_the_kiosk_keeps_ratings_offline_and_sends_them_with_their_times(phone, live_server, world):
    # given a kiosk tablet at a counter, its page loaded
    kiosk = services.issue_kiosk_token(counter=world.counter_a, by=None)
    page = phone
    page.goto(f"{live_server.url}/kiosk/{kiosk.token}/", timeout=30_000)

    # when the network drops and three citizens tap a face, a few seconds apart
    page.context.set_offline(True)
    tapped = []
    for label in ("Rất hài lòng", "Hài lòng", "Không hài lòng"):
        page.get_by_role("button", name=label, exact=True).click()
        tapped.append(datetime.datetime.now(datetime.UTC))
        time.sleep(1.5)

    # then each is kept on the tablet, shown as waiting, and none has reached the server
    assert "3 đang chờ gửi" in page.locator("#pending").inner_text()
    assert Rating.objects.count() == 0
    keys = page.evaluate("JSON.parse(localStorage.getItem('hailong-pending-ratings')).map(i => i.key)")
    assert len(set(keys)) == 3

    # when the connection returns
    time.sleep(2)
    page.context.set_offline(False)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and (Rating.objects.count() < 3 or _waiting(page)):
        time.sleep(0.3)

    # then exactly three ratings are stored, with the times they were given, all counted
    ratings = list(Rating.objects.order_by("created_at"))
    assert [r.score for r in ratings] == [5, 4, 2]
    assert [str(r.idempotency_key) for r in ratings] == keys
    for rating, when in zip(ratings, tapped, strict=True):
        assert abs((rating.created_at - when).total_seconds()) < 1.0
    assert all(r.status == Rating.Status.ACCEPTED and r.channel == "kiosk" for r in ratings)
    assert page.locator("#pending").is_hidden()

    # and the same rating sent twice is still one rating
    replay = page.evaluate(
        """async ([url, key]) => {
            const csrf = document.querySelector('[name=csrfmiddlewaretoken]').value;
            const body = new URLSearchParams({csrfmiddlewaretoken: csrf, key: key, score: '5',
                                              at: String(Date.now() - 60000)});
            const response = await fetch(url, {method: 'POST', body: body, redirect: 'manual'});
            return response.type;
        }""",
        [f"{live_server.url}/kiosk/{kiosk.token}/", keys[0]],
    )
    assert replay == "opaqueredirect"
    assert Rating.objects.count() == 3
