"""Characters that `str.isdigit` calls digits but `int` refuses ("³", "²"), and numbers too long for their column,
in every place that turns typed text into a number: a clear answer, never a 500 (found by schemathesis)."""

import pytest
from django.urls import reverse

from indices.services import DossierImportError, import_dossier_stats
from survey.models import QuarantineDecision, Rating
from tests import factories

pytestmark = pytest.mark.django_db

ODD_NUMBERS = ["³", "²⁰²⁵", "99999999999999999999"]


@pytest.mark.parametrize("year", ODD_NUMBERS)
def test_report_pages_read_an_odd_year_as_no_year(client, world, year):
    client.force_login(world.province)
    assert client.get(reverse("reports:cchc-edit"), {"unit": world.unit_a.code, "year": year}).status_code == 200
    assert client.get(reverse("reports:scheme-edit"), {"year": year}).status_code == 200


@pytest.mark.parametrize("odd", ODD_NUMBERS)
def test_the_quarantine_review_refuses_odd_rating_ids(client, world, odd):
    # given a quarantined rating, selected together with an odd id
    rating = factories.make_rating(counter=world.counter_a, status=Rating.Status.QUARANTINED, flags=["burst"])
    client.force_login(world.province)
    data = {"clusters": f"{rating.pk},{odd}", "decision": "reinstate", "reason": "Đã xác minh"}
    # when the reviewer confirms, then decides
    confirmed = client.post(reverse("survey:quarantine-confirm"), data)
    decided = client.post(reverse("survey:quarantine-decide"), data)
    # then both steps refuse the whole selection with the form's message, and nothing is decided
    for response in (confirmed, decided):
        assert response.status_code == 400
        assert "Lựa chọn không hợp lệ." in response.content.decode()
    assert not QuarantineDecision.objects.exists()
    rating.refresh_from_db()
    assert rating.status == Rating.Status.QUARANTINED


@pytest.mark.parametrize("handled", ODD_NUMBERS[:2])
def test_the_dossier_import_reports_an_odd_number_by_row(world, handled):
    with pytest.raises(DossierImportError) as refused:
        import_dossier_stats(text=f"unit,month,handled,late\n{world.unit_a.code},2025-03,{handled},0\n")
    assert any("Dòng 2" in str(message) for message in refused.value.errors)
