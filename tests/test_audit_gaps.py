"""Changes that leave an audit entry: CCHC scores entered on the page or through the API, a counter's code
rotated, kiosk tokens issued and revoked, dossier statistics pushed by the one-stop system."""

from decimal import Decimal

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from survey.models import AuditEntry, KioskToken
from tests import factories

pytestmark = pytest.mark.django_db


def _entries(action: str):
    return list(AuditEntry.objects.filter(action=action).order_by("pk"))


def test_cchc_score_entered_on_the_page_is_audited_with_before_and_after(client, world):
    factories.make_cchc_score(unit=world.unit_a, year=2024, points=70)
    client.force_login(world.province)

    response = client.post(
        reverse("reports:cchc-edit"),
        {"unit": world.unit_a.pk, "year": 2024, "points": "82.50", "max_points": "100"},
    )

    assert response.status_code == 302
    [entry] = _entries("cchc.save_score")
    assert entry.actor == world.province
    assert entry.changes["points"] == {"before": "70.00", "after": "82.50"}
    assert entry.changes["unit"] == world.unit_a.code


def test_cchc_score_entered_through_the_api_is_audited(world):
    api = APIClient()
    api.force_login(world.province)

    response = api.post(
        "/api/v1/cchc-scores/", {"unit": world.unit_b.pk, "year": 2024, "points": 61, "max_points": 100}, format="json"
    )

    assert response.status_code == 201, response.content
    [entry] = _entries("cchc.save_score")
    assert entry.actor == world.province
    assert entry.changes["points"] == {"before": None, "after": str(Decimal("61.00"))}


def test_counter_code_rotation_is_audited(client, world):
    old_code = world.counter_a.code
    client.force_login(world.officer_a)

    client.post(reverse("survey:counter-rotate", args=[world.counter_a.pk]))

    world.counter_a.refresh_from_db()
    [entry] = _entries("counter.rotate_code")
    assert entry.actor == world.officer_a
    assert entry.changes["code"] == {"before": old_code, "after": world.counter_a.code}


def test_kiosk_token_issue_and_revoke_are_audited_without_the_secret(client, world):
    client.force_login(world.lead_a)

    client.post(reverse("survey:kiosk-token-create", args=[world.counter_a.pk]), {"label": "Máy 1"})
    token = KioskToken.objects.get(counter=world.counter_a)
    client.post(reverse("survey:kiosk-token-revoke", args=[token.pk]))

    [issued] = _entries("kiosk_token.issue")
    [revoked] = _entries("kiosk_token.revoke")
    assert issued.actor == revoked.actor == world.lead_a
    assert issued.target_id == revoked.target_id == str(token.pk)
    assert token.token not in str(issued.changes) + str(revoked.changes)


def test_dossier_statistics_push_is_audited_and_a_refused_batch_is_not(world):
    api = APIClient()
    api.force_login(world.province)
    row = {"unit": world.unit_a.code, "month": "2025-01", "handled": 40, "late": 3}

    assert api.post("/api/v1/dossier-stats/", {"rows": [row]}, format="json").status_code == 200
    assert api.post("/api/v1/dossier-stats/", {"rows": [{**row, "late": 99}]}, format="json").status_code == 400
    assert api.post("/api/v1/dossier-stats/", {"rows": [{**row, "late": 5}]}, format="json").status_code == 200

    first, second = _entries("dossier_stats.push")
    key = f"{world.unit_a.pk}:2025-01"
    assert first.changes["rows"][key] == {"before": None, "after": {"handled": 40, "late": 3}}
    assert second.changes["rows"][key]["before"] == {"handled": 40, "late": 3}
    assert second.actor == world.province
