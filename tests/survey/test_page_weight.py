"""Citizen pages stay within the 30 KB budget (gzip HTML + CSS + JS) and load nothing from another host."""

import gzip
import re
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from survey import services
from tests import factories

pytestmark = pytest.mark.django_db

BUDGET = 30 * 1024


def _weight(client, url):
    response = client.get(url, HTTP_ACCEPT_ENCODING="gzip")
    html = gzip.decompress(response.content).decode()
    assets = re.findall(r'(?:href|src)="/static/([^"]+\.(?:css|js))"', html)
    static = sum(len(gzip.compress((Path(settings.BASE_DIR) / "static" / a).read_bytes(), 9)) for a in assets)
    assert not re.findall(r'(?:href|src|action)="(?:https?:)?//', html), url
    assert not any("@font-face" in (Path(settings.BASE_DIR) / "static" / a).read_text() for a in assets)
    return len(response.content) + static


def test_every_citizen_page_is_within_budget(client, world):
    kiosk = services.issue_kiosk_token(counter=world.counter_a, by=None, label="")
    low = factories.make_rating(counter=world.counter_a, score=1, idempotency_key=uuid.uuid4())
    urls = [
        f"/r/{world.counter_a.code}",
        reverse("survey:kiosk", kwargs={"token": kiosk.token}),
        reverse("survey:rating-answer", kwargs={"key": low.idempotency_key}),
        reverse("survey:rating-thanks", kwargs={"key": low.idempotency_key}),
    ]
    for url in urls:
        assert _weight(client, url) <= BUDGET, url
