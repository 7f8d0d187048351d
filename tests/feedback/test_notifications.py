"""Email notifications: the unit hears of new cases; the citizen gets the answer only with consent."""

import pytest
from django.core import mail

from feedback import services
from feedback.models import Status
from feedback.services import ContactInput
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def staffed(world):
    world.officer_a.email = "a@so.vn"
    world.officer_a.save()
    world.officer_b.email = "b@so.vn"
    world.officer_b.save()
    return world


def _answer(case, world):
    services.change_case_status(case=case, by=world.officer_a, to=Status.ACCEPTED)
    services.change_case_status(case=case, by=world.officer_a, to=Status.IN_PROGRESS)
    services.answer_case(case=case, by=world.officer_a, text="Nội dung trả lời cho người dân")


def test_new_case_is_sent_to_the_units_staff_only(staffed, eager_celery, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        case = factories.make_pakn_case(unit=staffed.unit_a)
    assert [m.to for m in mail.outbox] == [["a@so.vn"]]
    message = mail.outbox[0]
    assert f"#{case.pk}" in message.subject and "\n" not in message.subject
    assert f"/pakn/ho-so/{case.pk}/" in message.body
    assert message.alternatives[0][1] == "text/html"


def test_answer_is_emailed_when_the_citizen_consented(staffed, eager_celery, django_capture_on_commit_callbacks):
    contact = ContactInput(email="dan@example.vn", consent_reply=True)
    with django_capture_on_commit_callbacks(execute=True):
        case = factories.make_pakn_case(unit=staffed.unit_a, contact=contact)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        _answer(case, staffed)
    assert [m.to for m in mail.outbox] == [["dan@example.vn"]]
    assert "Nội dung trả lời cho người dân" in mail.outbox[0].body
    assert case.tracking_code in mail.outbox[0].body


def test_no_answer_email_without_consent(staffed, eager_celery, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        case = factories.make_pakn_case(unit=staffed.unit_a, contact=ContactInput(consent_publish=True))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        _answer(case, staffed)
    assert mail.outbox == []
