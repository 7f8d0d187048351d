"""Email notifications: the unit hears of new cases, its leads of answers to approve; the citizen gets the answer
only once it is published, and only with consent."""

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


def _start(case, world):
    services.change_case_status(case=case, by=world.officer_a, to=Status.ACCEPTED)
    services.change_case_status(case=case, by=world.officer_a, to=Status.IN_PROGRESS)


def _answer(case, world):
    _start(case, world)
    factories.publish_pakn_answer(
        case, officer=world.officer_a, lead=world.lead_a, text="Nội dung trả lời cho người dân"
    )


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


def test_the_units_leads_are_asked_to_approve_a_draft(staffed, eager_celery, django_capture_on_commit_callbacks):
    # given a unit with a lead who has an email, and a lead of another unit
    staffed.lead_a.email = "lanhdao@so.vn"
    staffed.lead_a.save()
    factories.make_user(role="lead", unit=staffed.unit_b, email="lanhdao-b@so.vn")
    case = factories.make_pakn_case(
        unit=staffed.unit_a, contact=ContactInput(email="dan@example.vn", consent_reply=True)
    )
    _start(case, staffed)
    mail.outbox.clear()
    # when an officer drafts the answer
    with django_capture_on_commit_callbacks(execute=True):
        services.answer_case(case=case, by=staffed.officer_a, text="Dự thảo bí mật chưa công khai")
    # then only the unit's lead hears of it, with a link to the case and without the draft; the citizen hears nothing
    assert [m.to for m in mail.outbox] == [["lanhdao@so.vn"]]
    message = mail.outbox[0]
    assert f"#{case.pk}" in message.subject and "chờ phê duyệt" in message.subject
    assert f"/pakn/ho-so/{case.pk}/" in message.body
    assert "Dự thảo bí mật" not in message.body
    # and the citizen is emailed once the lead approves and the answer is published
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.approve_answer(case=case, by=staffed.lead_a)
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        services.publish_answer(case=case, by=staffed.officer_a)
    assert [m.to for m in mail.outbox] == [["dan@example.vn"]]
    assert "Dự thảo bí mật chưa công khai" in mail.outbox[0].body


def test_an_answer_published_at_once_asks_nobody_to_approve(staffed, eager_celery, django_capture_on_commit_callbacks):
    staffed.lead_a.email = "lanhdao@so.vn"
    staffed.lead_a.save()
    case = factories.make_pakn_case(unit=staffed.unit_a)
    _start(case, staffed)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.answer_case(case=case, by=staffed.lead_a, text="Trả lời của lãnh đạo")
    assert mail.outbox == []


def test_without_a_lead_to_write_to_provincial_staff_are_asked_to_approve(
    staffed, eager_celery, django_capture_on_commit_callbacks
):
    staffed.province.email = "tinh@gialai.gov.vn"
    staffed.province.save()
    case = factories.make_pakn_case(unit=staffed.unit_a)  # lead_a has no email address
    _start(case, staffed)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.answer_case(case=case, by=staffed.officer_a, text="Dự thảo trả lời")
    assert [m.to for m in mail.outbox] == [["tinh@gialai.gov.vn"]]


def test_a_returned_draft_is_emailed_to_its_author_with_the_reason(
    staffed, eager_celery, django_capture_on_commit_callbacks
):
    second = factories.make_user(role="officer", unit=staffed.unit_a, email="a2@so.vn")
    case = factories.make_pakn_case(unit=staffed.unit_a)
    _start(case, staffed)
    services.answer_case(case=case, by=second, text="Dự thảo trả lời")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.return_answer(case=case, by=staffed.lead_a, note="Cần nêu rõ thời hạn hoàn trả phí.")
    assert [m.to for m in mail.outbox] == [["a2@so.vn"]]
    message = mail.outbox[0]
    assert f"#{case.pk}" in message.subject and "bị trả lại" in message.subject
    assert "Cần nêu rõ thời hạn hoàn trả phí." in message.body and f"/pakn/ho-so/{case.pk}/" in message.body
