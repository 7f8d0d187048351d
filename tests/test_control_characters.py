"""A NUL or another control character anywhere in the address (path or query string) answers 400 on every URL of
the site, for a visitor and for staff, before any view runs: JSON with the API's error shape under /api/, the 400
page elsewhere. The test walks the whole URL map, so a new page is covered without being listed here."""

import re
import uuid

import pytest
from django.urls import URLResolver, get_resolver

pytestmark = pytest.mark.django_db

SAMPLES = {"int": "1", "slug": "abc", "str": "abc", "uuid": str(uuid.UUID(int=7)), "path": "abc"}


def _concrete(pattern: str) -> str:
    """A concrete address for a route or regex pattern: sample values in place of its parameters."""
    pattern = re.sub(r"\(\?P<\w+>[^)]*\)", "1", pattern)
    pattern = re.sub(r"<(?:(\w+):)?\w+>", lambda match: SAMPLES[match[1] or "str"], pattern)
    return "/" + re.sub(r"[\^$?*\\]", "", pattern)


def _addresses(resolver=None, prefix: str = ""):
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            yield from _addresses(entry, prefix + str(entry.pattern))
        else:
            yield _concrete(prefix + str(entry.pattern))


ADDRESSES = sorted(set(_addresses()))
# A NUL in the path and in the query of every address, and in turn one of the other shapes.
ALWAYS = ("{url}%00", "{url}?q=%00")
IN_TURN = ("{url}?q%00=1", "{url}?counter=%00&unit=%00", "{url}?q=a%0Ab", "{url}?q=%1B", "{url}?q=%7F")


def test_the_walk_covers_the_site():
    assert len(ADDRESSES) > 80
    assert "/pakn/gui/" in ADDRESSES and "/api/v1/feedback/track/1/" in ADDRESSES


def test_control_characters_answer_400_to_visitors_on_every_url(client, world):
    for position, url in enumerate(ADDRESSES):
        for attack in (*ALWAYS, IN_TURN[position % len(IN_TURN)]):
            address = attack.format(url=url)
            response = client.get(address)
            assert response.status_code == 400, address
            if url.startswith("/api/"):
                assert response["Content-Type"].startswith("application/json"), address
                assert response.json()["errors"], address
            else:
                assert response["Content-Type"].startswith("text/html"), address
        if position % 10 == 0:
            assert client.post(f"{url}?q=%00").status_code == 400, url


def test_control_characters_answer_400_to_staff_on_every_page(client, world):
    client.force_login(world.province)
    for position, url in enumerate(ADDRESSES):
        assert client.get(f"{url}?unit=%00" if position % 2 else f"{url}%00").status_code == 400, url


def test_the_api_names_the_parameter_at_fault(client, world):
    body = client.get("/api/v1/units/?search=a%00b&code=ok").json()
    assert list(body["errors"]) == ["search"]
    assert list(client.get("/api/v1/feedback/track/%00/").json()["errors"]) == ["non_field_errors"]


def test_a_nul_inside_a_path_segment_answers_400(client, world):
    assert client.get("/api/v1/feedback/track/%00/").status_code == 400
    assert client.get("/pakn/tra-cuu/ab%00cd/").status_code == 400
    assert client.get("/r/ab%00").status_code == 400


def test_ordinary_addresses_still_work(client, world):
    assert client.get("/pakn/gui/?counter=khong-co").status_code == 200
    assert client.get("/api/v1/units/?search=S%E1%BB%9F").status_code == 200
