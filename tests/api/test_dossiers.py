"""The one-stop system's two calls: dossier rating links and dossier statistics."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from indices.models import DossierStat
from survey.models import DossierLink

pytestmark = pytest.mark.django_db

LINKS = "/api/v1/dossier-links/"
STATS = "/api/v1/dossier-stats/"


def test_minting_a_link_answers_its_full_address(world, api_as):
    response = api_as("token_client").post(
        LINKS, {"counter": world.counter_a.pk, "dossier_code": "000.00.12.H21-0042", "valid_days": 30}
    )

    assert response.status_code == 201, response.content
    link = DossierLink.objects.get()
    body = response.json()
    assert body["url"].endswith(reverse("survey:rate-dossier", kwargs={"token": link.token}))
    assert body["url"].startswith("http")
    assert link.expires_at - timezone.now() > datetime.timedelta(days=29)


def test_the_link_rates_the_dossier_once_and_verified(world, api_as, client):
    from tests import factories

    factories.make_questionnaire()
    url = api_as("officer_a").post(LINKS, {"counter": world.counter_a.pk, "dossier_code": "HS-1"}).json()["url"]
    path = url.removeprefix("http://127.0.0.1:8000").split("://", 1)[-1]
    path = path[path.index("/") :] if not path.startswith("/") else path

    import uuid

    response = client.post(path, {"score": "5", "key": str(uuid.uuid4())})

    assert response.status_code == 302
    assert world.counter_a.ratings.get().verified is True


def test_asking_again_for_the_same_dossier_returns_the_same_link(world, api_as):
    client = api_as("token_client")
    first = client.post(LINKS, {"counter": world.counter_a.pk, "dossier_code": "HS-7"})
    again = client.post(LINKS, {"counter": world.counter_a.pk, "dossier_code": "HS-7"})
    elsewhere = client.post(LINKS, {"counter": world.counter_b.pk, "dossier_code": "HS-7"})

    assert (first.status_code, again.status_code, elsewhere.status_code) == (201, 200, 409)
    assert again.json()["token"] == first.json()["token"]
    assert DossierLink.objects.count() == 1


@pytest.mark.parametrize(
    "body, status",
    [
        ({"counter": 10**12, "dossier_code": "HS-1"}, 404),
        ({"dossier_code": "HS-1"}, 400),
        ({"counter": 1, "dossier_code": ""}, 400),
        ({"counter": 1, "dossier_code": " HS-1"}, 400),
        ({"counter": 1, "dossier_code": "x" * 65}, 400),
        ({"counter": 1, "dossier_code": "HS-1", "valid_days": 0}, 400),
    ],
)
def test_bad_link_requests(world, api_as, body, status):
    assert api_as("province").post(LINKS, body).status_code == status
    assert not DossierLink.objects.exists()


def _patterns(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "pattern" and isinstance(value, str):
                yield value
            else:
                yield from _patterns(value)
    elif isinstance(node, list):
        for value in node:
            yield from _patterns(value)


def test_published_patterns_mean_the_same_in_every_regex_engine(api_as):
    """`\\s`, `\\w`, `\\d` and `\\b` match different characters in Python and in ECMA (JSON Schema) regexes, so a
    client validating against the schema would send what the server refuses (as CI's schemathesis run found)."""
    schema = api_as("province").get("/api/schema/", {"format": "json"}).json()
    patterns = list(_patterns(schema))

    assert patterns
    assert [p for p in patterns if re.search(r"(?<!\\)\\[sSwWdDbB]", p)] == []


@pytest.mark.parametrize(
    "code", ["HS-1", "a b", "\x8f-H\xba\x1e", "HS-1\u3000", "\ufeffHS-1", "a\nb", "HS-1\n", "Hồ sơ 1"]
)
def test_the_schema_pattern_and_the_server_agree_on_dossier_codes(world, api_as, code):
    """Integrators validate against the published pattern (ECMA regex): it must accept exactly what the server does."""
    schema = api_as("province").get("/api/schema/", {"format": "json"}).json()
    pattern = schema["components"]["schemas"]["DossierLinkInputRequest"]["properties"]["dossier_code"]["pattern"]

    response = api_as("province").post(LINKS, {"counter": world.counter_a.pk, "dossier_code": code})

    # ECMA's `$` (no multiline flag) matches only at the very end, as Python's `\Z` does.
    ecma = pattern.removesuffix("$") + r"\Z" if pattern.endswith("$") else pattern
    assert response.status_code == (201 if re.search(ecma, code) else 400), response.content
    if response.status_code == 201:
        assert DossierLink.objects.get().dossier_code == code


def test_a_closed_counter_gets_no_link(world, api_as):
    world.counter_a.is_active = False
    world.counter_a.save()

    response = api_as("province").post(LINKS, {"counter": world.counter_a.pk, "dossier_code": "HS-1"})

    assert response.status_code == 400
    assert response.json()["detail"] == "Quầy này hiện không nhận đánh giá."


# Statistics ----------------------------------------------------------------------------------------------------------


def rows(world, **overrides):
    return [
        {"unit": world.unit_a.code, "month": "2025-06", "handled": 412, "late": 9},
        {"unit": world.unit_b.code, "month": "2025-06", "handled": 1280, "late": 31, **overrides},
    ]


def test_statistics_are_stored_and_replaced_per_unit_and_month(world, api_as):
    client = api_as("token_client")

    first = client.post(STATS, {"rows": rows(world)})
    again = client.post(STATS, {"rows": rows(world, handled=1300, late=40)})

    assert first.status_code == 200 and first.json() == {"rows": 2}
    assert again.status_code == 200
    stat = DossierStat.objects.get(unit=world.unit_b)
    assert (stat.month, stat.handled, stat.late) == (datetime.date(2025, 6, 1), 1300, 40)
    assert DossierStat.objects.count() == 2


@pytest.mark.parametrize(
    "overrides, key",
    [
        ({"late": 2000}, "rows.1.late"),
        ({"month": "2025-13"}, "rows.1.month"),
        ({"month": "2099-01"}, "rows.1.month"),
        ({"handled": -1}, "rows.1.handled"),
        ({"unit": None}, "rows.1.unit"),
    ],
)
def test_one_bad_row_stores_nothing(world, api_as, overrides, key):
    response = api_as("province").post(STATS, {"rows": rows(world, **overrides)})

    assert response.status_code == 400
    assert key in response.json()["errors"]
    assert not DossierStat.objects.exists()


def test_an_unknown_unit_answers_404_naming_the_row(world, api_as):
    response = api_as("province").post(STATS, {"rows": rows(world, unit="khong-co")})

    assert response.status_code == 404
    assert list(response.json()["errors"]) == ["rows.1.unit"]
    assert not DossierStat.objects.exists()


def test_a_unit_and_month_twice_in_one_batch_is_refused(world, api_as):
    body = {"rows": [*rows(world), rows(world)[0]]}

    response = api_as("province").post(STATS, body)

    assert response.status_code == 400
    assert "rows.2.month" in response.json()["errors"]


def test_unit_staff_may_not_push_statistics(world, api_as):
    assert api_as("lead_a").post(STATS, {"rows": rows(world)}).status_code == 403
    assert not DossierStat.objects.exists()


def test_a_number_where_the_schema_says_string_is_refused(world, api_as):
    """Found by schemathesis: DRF would have stored the JSON number 0.0 as the dossier code "0.0"."""
    response = api_as("province").post(LINKS, {"counter": world.counter_a.pk, "dossier_code": 0.0}, format="json")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["dossier_code"]
    assert not DossierLink.objects.exists()
