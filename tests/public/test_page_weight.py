"""Public pages stay within the citizen page budget (30 KB gzip HTML + CSS + JS), with a province of 40 units that
all have a year of figures, and a page of 20 published answers."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from feedback.services import ContactInput, change_case_status
from tests import factories
from tests.survey.test_page_weight import BUDGET, _weight

pytestmark = pytest.mark.django_db


@pytest.fixture
def big_province(world):
    today = timezone.localdate()
    months = []
    day = today.replace(day=1)
    for _ in range(12):
        months.append(f"{day:%Y-%m}")
        day = (day - datetime.timedelta(days=1)).replace(day=1)
    groups = [world.group, factories.make_group(code="khoi-2", name="Khối huyện"), factories.make_group(code="k3")]
    units = [world.unit_a, world.unit_b]
    units += [
        factories.make_unit(group=groups[i % 3], code=f"dv-{i}", name=f"Ủy ban nhân dân huyện số {i} tỉnh Bình Định")
        for i in range(38)
    ]
    for unit in units:
        for period in months:
            factories.make_snapshot(level="unit", entity_id=unit.pk, period=period, value=81.234, n=140)
            factories.make_snapshot(level="unit", entity_id=unit.pk, period=period, index="overall", value=80.0, n=150)
    for group in groups:
        factories.make_snapshot(level="group", entity_id=group.pk, period=months[0], value=79.5, n=1000)
    factories.make_snapshot(level="province", entity_id=0, period=months[0], value=79.9, n=6000)
    for element in ("access", "procedure", "civil_servant", "result", "feedback_handling"):
        factories.make_snapshot(level="unit", entity_id=world.unit_a.pk, period=months[0], index=f"element:{element}")
    for _number in range(25):
        case = factories.make_pakn_case(
            unit=world.unit_a,
            text="Hồ sơ trễ hẹn ba ngày, cán bộ không báo trước. " * 8,
            contact=ContactInput(consent_publish=True),
        )
        change_case_status(case=case, by=world.officer_a, to="accepted")
        change_case_status(case=case, by=world.officer_a, to="in_progress")
        factories.publish_pakn_answer(case, officer=world.officer_a, lead=world.lead_a, text="Đơn vị xin lỗi. " * 20)
    return world


def test_public_pages_are_within_budget(client, big_province):
    for url in (
        "/",
        reverse("public:province"),
        reverse("public:unit", args=[big_province.unit_a.pk]),
        reverse("public:answers"),
        reverse("public:method"),
    ):
        html = client.get(url).content.decode()
        assert "Chưa có kết quả cho kỳ này" not in html, url
        assert _weight(client, url) <= BUDGET, url
