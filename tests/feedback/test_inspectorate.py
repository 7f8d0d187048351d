"""Complaints against the unit's own officials (extra fees, harassment, deliberate delay) are visible from the start
to the provincial inspectorate (Thanh tra) as well as to the accused unit, and to no other unit; the inspectorate
sees only those, reads them and adds internal notes, and takes no step of the unit's workflow."""

import pytest
from django.core import mail
from django.urls import reverse
from rest_framework.test import APIClient

from feedback.models import INSPECTORATE_CATEGORIES, Case, CaseEvent, Category
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(world):
    return {
        "fees_a": factories.make_pakn_case(
            unit=world.unit_a, category="extra_fees", text="Đòi 200.000 đồng ngoài phí."
        ),
        "delay_b": factories.make_pakn_case(
            unit=world.unit_b, category="deliberate_delay", text="Cố tình giữ hồ sơ để gây khó dễ."
        ),
        "harassment_b": factories.make_pakn_case(
            unit=world.unit_b, category="harassment", text="Sách nhiễu người dân."
        ),
        "late_a": factories.make_pakn_case(unit=world.unit_a, category="late_result", text="Trả kết quả trễ hẹn."),
        "attitude_b": factories.make_pakn_case(unit=world.unit_b, category="attitude", text="Thái độ thiếu lịch sự."),
    }


def _link(case) -> str:
    return f'href="{reverse("feedback:case-detail", args=[case.pk])}"'


def test_the_categories_that_accuse_officials_exist():
    assert set(INSPECTORATE_CATEGORIES) == {Category.EXTRA_FEES, Category.HARASSMENT, Category.DELIBERATE_DELAY}


def test_the_inspectorate_sees_only_complaints_against_officials_of_every_unit(client, world, cases):
    client.force_login(world.inspector)
    html = client.get(reverse("feedback:case-list") + "?status=").content.decode()
    for name in ("fees_a", "delay_b", "harassment_b"):
        assert _link(cases[name]) in html, name
    for name in ("late_a", "attitude_b"):
        assert _link(cases[name]) not in html, name
    assert client.get(reverse("feedback:case-detail", args=[cases["late_a"].pk])).status_code == 404


def test_a_complaint_about_extra_fees_is_visible_to_its_unit_not_to_other_units(client, world, cases):
    fees = cases["fees_a"]
    client.force_login(world.officer_a)
    assert _link(fees) in client.get(reverse("feedback:case-list")).content.decode()
    client.force_login(world.officer_b)
    assert _link(fees) not in client.get(reverse("feedback:case-list") + "?status=").content.decode()
    assert client.get(reverse("feedback:case-detail", args=[fees.pk])).status_code == 404


def test_the_inspectorate_adds_an_internal_note_and_takes_no_workflow_step(client, world, cases):
    fees = cases["fees_a"]
    client.force_login(world.inspector)
    page = client.get(reverse("feedback:case-detail", args=[fees.pk])).content.decode()
    assert "Thanh tra tỉnh theo dõi phản ánh này" in page
    assert reverse("feedback:case-transition", args=[fees.pk]) not in page
    assert reverse("feedback:case-answer", args=[fees.pk]) not in page

    noted = client.post(reverse("feedback:case-note", args=[fees.pk]), {"note": "Đề nghị đơn vị báo cáo."})
    refused = client.post(reverse("feedback:case-transition", args=[fees.pk]), {"to": "rejected", "note": "x"})
    assignment = client.post(reverse("feedback:case-assign", args=[fees.pk]), {"officer": world.officer_a.pk})

    assert noted.status_code == 302 and (refused.status_code, assignment.status_code) == (403, 403)
    fees.refresh_from_db()
    assert fees.status == "received" and fees.assigned_to is None
    note = fees.events.get(kind=CaseEvent.Kind.NOTE)
    assert (note.actor, note.is_public) == (world.inspector, False)


def test_the_inspectorate_is_emailed_of_a_new_complaint_against_officials_only(
    world, eager_celery, django_capture_on_commit_callbacks
):
    world.inspector.email = "thanhtra@gialai.gov.vn"
    world.inspector.save()
    world.officer_a.email = "a@so.vn"
    world.officer_a.save()
    with django_capture_on_commit_callbacks(execute=True):
        factories.make_pakn_case(unit=world.unit_a, category="late_result")
    assert [m.to for m in mail.outbox] == [["a@so.vn"]]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        factories.make_pakn_case(unit=world.unit_a, category="extra_fees")
    assert sorted(m.to[0] for m in mail.outbox) == ["a@so.vn", "thanhtra@gialai.gov.vn"]


def test_the_api_gives_the_inspectorate_the_same_cases(world, cases):
    api = APIClient()
    api.force_login(world.inspector)
    listed = {row["id"] for row in api.get(reverse("api:case-list")).json()["results"]}
    assert listed == set(Case.objects.filter(category__in=INSPECTORATE_CATEGORIES).values_list("pk", flat=True))
    assert listed == {cases[name].pk for name in ("fees_a", "delay_b", "harassment_b")}
    noted = api.post(reverse("api:case-note", args=[cases["delay_b"].pk]), {"note": "Đã ghi nhận."}, format="json")
    assert noted.status_code == 200
    refused = api.post(reverse("api:case-accept", args=[cases["delay_b"].pk]), format="json")
    assert refused.status_code == 403 and "Thanh tra" in refused.json()["detail"]
