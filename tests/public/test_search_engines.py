"""Search engines: the results pages are indexable with a description; the tracking pages are not indexed and send
no referrer (their address holds the tracking code). The home page leads citizens everywhere in one click."""

import re

import pytest
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", ["home", "public:province", "public:answers", "public:method"])
def test_public_pages_are_indexable_with_a_description(client, world, name):
    response = client.get(reverse(name))
    html = response.content.decode()
    assert re.search(r'<meta name="description" content="[^"]{40,}">', html)
    assert "noindex" not in html and "noindex" not in response.get("X-Robots-Tag", "")
    assert response["Referrer-Policy"] == "same-origin"


def test_unit_results_page_is_indexable(client, world):
    html = client.get(reverse("public:unit", args=[world.unit_a.pk])).content.decode()
    assert f'<meta name="description" content="Mức độ hài lòng của người dân với {world.unit_a.name}' in html


def test_tracking_pages_are_not_indexed_and_send_no_referrer_to_other_sites(client, world):
    case = factories.make_pakn_case(unit=world.unit_a)
    responses = [
        client.get(reverse("feedback:case-track", args=[case.tracking_code])),
        client.get(reverse("feedback:case-lookup")),
        client.post(reverse("feedback:case-lookup"), {"code": "KHONGCOMA1234567"}),
        client.get(reverse("feedback:case-track", args=["KHONGCOMA1234567"])),
        client.post(reverse("feedback:case-rate", args=[case.tracking_code]), {}),
    ]
    for response in responses:
        assert response["Referrer-Policy"] == "same-origin", response.status_code
        assert response["X-Robots-Tag"] == "noindex, nofollow"
    for response in responses[:2]:
        assert '<meta name="robots" content="noindex, nofollow">' in response.content.decode()


def test_home_page_offers_rating_complaints_tracking_results_and_one_staff_link(client, db):
    html = client.get(reverse("home")).content.decode()
    for url in (
        reverse("feedback:case-create"),
        reverse("feedback:case-lookup"),
        reverse("public:province"),
        reverse("login"),
    ):
        assert f'href="{url}"' in html
    assert html.count(f'href="{reverse("login")}"') == 1
    assert "mã QR" in html
