"""Seeded questionnaires and chips; versioning keeps old answers on their version."""

import pytest
from django.urls import reverse

from survey import selectors, services
from survey.models import Element, Questionnaire, RatingAnswer, ReasonChip
from tests import factories

pytestmark = pytest.mark.django_db


def _items(questionnaire):
    return [
        {"code": i.code, "element": i.element, "text": i.text, "text_en": i.text_en, "position": i.position}
        for i in questionnaire.items.all()
    ]


def test_seeded_full_block_and_short_form_and_six_chips(db):
    full = Questionnaire.objects.get(family="sipas-full", version=1)
    short = Questionnaire.objects.get(family="sipas-short", version=1)
    per_element = {e: full.items.filter(element=e).count() for e in Element.values}
    assert per_element == {"access": 4, "procedure": 4, "civil_servant": 5, "result": 3, "feedback_handling": 3}
    assert sorted(short.items.values_list("element", flat=True)) == sorted(Element.values)
    assert all(item.text and item.text_en for item in full.items.all())
    assert short.is_active and not full.is_active and short.unit is None
    assert ReasonChip.objects.count() == 6
    assert all(chip.label_en for chip in ReasonChip.objects.all())


def test_province_default_and_unit_own_questionnaire(world):
    short = Questionnaire.objects.get(family="sipas-short")
    assert selectors.find_active_questionnaire(unit_id=world.unit_a.pk) == short
    own = Questionnaire.objects.create(family="so-tu-phap", name="Phiếu riêng", unit=world.unit_a, is_active=True)
    assert selectors.find_active_questionnaire(unit_id=world.unit_a.pk) == own
    assert selectors.find_active_questionnaire(unit_id=world.unit_b.pk) == short


def test_editing_an_unused_questionnaire_changes_it_in_place(world):
    full = Questionnaire.objects.get(family="sipas-full")
    items = _items(full)[:3]
    revised = services.revise_questionnaire(questionnaire=full, items=items, name="Phiếu mới")
    assert revised.pk == full.pk and revised.version == 1
    assert revised.items.count() == 3 and revised.name == "Phiếu mới"


def test_editing_a_questionnaire_with_answers_creates_a_new_version_and_old_answers_keep_theirs(world):
    short = Questionnaire.objects.get(family="sipas-short")
    rating = factories.make_rating(counter=world.counter_a, score=4)
    old_item = short.items.get(code="SS")
    services.answer_rating(rating=rating, answers={old_item.pk: 2})

    items = _items(short)
    items[2]["text"] = "Công chức hướng dẫn tận tình, dễ hiểu"
    revised = services.revise_questionnaire(questionnaire=short, items=items)

    short.refresh_from_db()
    assert revised.pk != short.pk and revised.family == short.family and revised.version == 2
    assert short.superseded_by == revised and not short.is_active and revised.is_active
    assert revised.items.get(code="SS").text == "Công chức hướng dẫn tận tình, dễ hiểu"
    answer = RatingAnswer.objects.get(rating=rating)
    assert answer.item == old_item and answer.item.questionnaire == short
    assert old_item.text == "Thái độ và sự hướng dẫn của công chức"
    # New ratings use the new version (the cached active id is forgotten on commit).
    selectors.forget_active_questionnaires()
    assert factories.make_rating(counter=world.counter_a).questionnaire == revised


def test_admin_edit_of_a_used_questionnaire_saves_a_new_version(client, world):
    short = Questionnaire.objects.get(family="sipas-short")
    factories.make_rating(counter=world.counter_a)
    client.force_login(world.admin)
    items = list(short.items.all())
    data = {
        "name": "Phiếu rút gọn 2026",
        "name_en": "Short form 2026",
        "unit": "",
        "is_active": "on",
        "items-TOTAL_FORMS": str(len(items)),
        "items-INITIAL_FORMS": str(len(items)),
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "1000",
    }
    for n, item in enumerate(items):
        data.update(
            {
                f"items-{n}-id": str(item.pk),
                f"items-{n}-questionnaire": str(short.pk),
                f"items-{n}-code": item.code,
                f"items-{n}-element": item.element,
                f"items-{n}-text": item.text if n else "Tiếp cận dịch vụ dễ dàng",
                f"items-{n}-text_en": item.text_en,
                f"items-{n}-position": str(item.position),
            }
        )
    response = client.post(reverse("admin:survey_questionnaire_change", args=[short.pk]), data)

    assert response.status_code == 302, response.content.decode()[:2000]
    short.refresh_from_db()
    new = Questionnaire.objects.get(family="sipas-short", version=2)
    assert short.superseded_by == new and new.name == "Phiếu rút gọn 2026"
    assert new.items.get(code="SA").text == "Tiếp cận dịch vụ dễ dàng"
    assert short.items.get(code="SA").text != "Tiếp cận dịch vụ dễ dàng"
    assert new.items.count() == 5
