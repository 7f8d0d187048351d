"""A Redis outage is logged once, with a count, not once per request: the first failure with its traceback, then
one line when the cache is back."""

import logging
import uuid

import pytest
from django.urls import reverse

from config import outages
from tests import factories
from tests.test_degraded import DOWN_CACHE

pytestmark = pytest.mark.django_db


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.records: list[logging.LogRecord] = []
        self.addFilter(outages.CacheOutageFilter())

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def collected():
    outages.reset()
    handler = _Collect()
    root = logging.getLogger()
    root.addHandler(handler)
    yield handler
    root.removeHandler(handler)
    outages.reset()


def test_an_outage_is_logged_once_then_its_end_with_the_count(client, world, settings, collected):
    factories.ensure_seed_data()
    working = settings.CACHES
    settings.CACHES = DOWN_CACHE
    url = reverse("survey:rate", args=[world.counter_a.code])
    for _ in range(15):
        assert client.post(url, {"score": "4", "key": str(uuid.uuid4())}).status_code == 302
        client.get("/api/v1/units/")

    during = [record.getMessage() for record in collected.records]
    assert len(during) == 1, during
    assert during[0].startswith("Cache (Redis) unavailable:")
    assert collected.records[0].exc_info is not None

    settings.CACHES = working
    assert client.get(reverse("healthz")).json()["cache"] == "ok"
    [end] = [record.getMessage() for record in collected.records[1:]]
    assert end.startswith("Cache (Redis) available again after")
    failures = int(end.split("; ")[1].split()[0])
    assert failures >= 15
    # a second probe logs nothing more
    client.get(reverse("healthz"))
    assert len(collected.records) == 2


def test_other_errors_are_logged_as_usual(collected):
    logger = logging.getLogger("tests.other")
    for _ in range(3):
        try:
            raise ValueError("not a cache failure")
        except ValueError:
            logger.exception("Something else failed")
    assert len(collected.records) == 3
