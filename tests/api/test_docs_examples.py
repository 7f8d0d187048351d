"""The curl examples of docs/api.md are real: their bodies are accepted as documented."""

import json
import re
import uuid
from pathlib import Path

import pytest

from indices.models import DossierStat
from tests import factories

pytestmark = pytest.mark.django_db

DOC = (Path(__file__).resolve().parents[2] / "docs" / "api.md").read_text()


def curl_body(path: str) -> dict:
    """The JSON body of the documented `curl -X POST https://HOST<path>` example."""
    block = DOC[DOC.index(f"curl -X POST https://HOST{path}") :]
    return json.loads(re.search(r"-d '(.*?)'", block, re.S)[1])


def test_the_documented_dossier_calls_work(world, api_as):
    client = api_as("token_client")
    link = {**curl_body("/api/v1/dossier-links/"), "counter": world.counter_a.pk}

    assert client.post("/api/v1/dossier-links/", link).status_code == 201
    response = client.post("/api/v1/dossier-stats/", curl_body("/api/v1/dossier-stats/"))
    assert response.json() == {"rows": 2}
    assert DossierStat.objects.count() == 2


def test_the_documented_rating_call_works(world, api_as):
    questionnaire = factories.make_questionnaire(items=2)
    items = [item.pk for item in questionnaire.items.all()]
    body = curl_body("/api/v1/ratings/")
    body["counter"] = world.counter_a.code
    for answer, item in zip(body["answers"], items, strict=True):
        answer["item"] = item

    response = api_as("anonymous").post(
        "/api/v1/ratings/", body, format="json", headers={"Idempotency-Key": str(uuid.uuid4())}
    )

    assert response.status_code == 201, response.content


def test_the_documented_cchc_score_call_works(world, api_as):
    body = {**curl_body("/api/v1/cchc-scores/"), "unit": world.unit_a.pk}

    response = api_as("token_client").post("/api/v1/cchc-scores/", body, format="json")

    assert response.status_code == 201, response.content
    assert (response.json()["percent"], response.json()["band"]) == (82.36, "tot")


def test_the_documented_token_calls_work(world):
    from rest_framework.test import APIClient

    body = {**curl_body("/api/v1/auth/token/"), "username": "officer-a", "password": "pass-word-123"}
    client = APIClient()

    issued = client.post("/api/v1/auth/token/", body, format="json").json()

    assert set(issued) == {"token", "token_key", "name", "created", "expiry"}
    assert len(issued["token"]) == 64 and issued["name"] == body["name"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {issued['token']}")
    listed = client.get("/api/v1/auth/tokens/").json()
    assert [set(row) for row in listed] == [{"token_key", "name", "created", "expiry"}]
    assert client.delete(f"/api/v1/auth/tokens/{issued['token_key']}/").status_code == 204
    assert client.get("/api/v1/auth/tokens/").status_code == 401
