"""Every model's admin pages load for an administrator."""

import pytest
from django.contrib import admin
from django.urls import reverse

pytestmark = pytest.mark.django_db

MODELS = sorted(admin.site._registry, key=lambda m: m._meta.label)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label)
def test_admin_changelist_and_add_pages_load(client, world, model):
    client.force_login(world.admin)
    opts = model._meta
    changelist = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"), {"q": "a"})
    assert changelist.status_code == 200
    if admin.site._registry[model].has_add_permission(_request(world.admin)):
        add = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add"))
        assert add.status_code == 200


def _request(user):
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = user
    return request


def test_an_answered_questionnaire_item_is_read_only_in_the_item_admin(client, world):
    from survey.models import QuestionnaireItem
    from tests import factories

    questionnaire = factories.make_questionnaire(items=2)
    answered = questionnaire.items.first()
    factories.make_rating(counter=world.counter_a, questionnaire=questionnaire, answers={answered.code: 5})
    unused = factories.make_questionnaire(items=1, family="chua-dung").items.get()
    client.force_login(world.admin)
    url = reverse("admin:survey_questionnaireitem_change", args=[answered.pk])

    page = client.get(url)
    refused = client.post(url, {"code": answered.code, "element": "result", "text": "Câu hỏi khác", "position": 1})

    assert page.status_code == 200 and 'name="text"' not in page.content.decode()
    assert refused.status_code == 403
    answered.refresh_from_db()
    assert answered.text != "Câu hỏi khác"
    assert (
        client.post(reverse("admin:survey_questionnaireitem_delete", args=[answered.pk]), {"post": "yes"}).status_code
        == 403
    )
    assert QuestionnaireItem.objects.filter(pk=answered.pk).exists()
    # an item nobody answered yet can still be corrected in place
    assert (
        'name="text"'
        in client.get(reverse("admin:survey_questionnaireitem_change", args=[unused.pk])).content.decode()
    )
