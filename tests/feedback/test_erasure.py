"""Erasure covers the whole of a citizen's personal data in a case: the contact record, the photos, and the phone
numbers and e-mail addresses typed into the complaint text (masked, also on the tracking page). The retention
schedule covers every state a case can stay in, "answered" included."""

import datetime
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from feedback import retention, services
from feedback.attachments import check_attachments
from feedback.masking import MASK
from feedback.models import Attachment, CaseContact, CaseEvent, Status
from feedback.services import ContactInput
from survey.models import AuditEntry
from tests import factories
from tests.feedback.conftest import png_bytes

pytestmark = pytest.mark.django_db

TEXT = "Tôi là Trần Thị B, gọi cho tôi số 0912 345 678 hoặc email tran.b@example.vn. Cán bộ hẹn trễ ba ngày."


@pytest.fixture
def case(world):
    files = check_attachments([SimpleUploadedFile("anh.png", png_bytes(), content_type="image/png")])
    case = factories.make_pakn_case(
        unit=world.unit_a,
        text=TEXT,
        files=files,
        contact=ContactInput(name="Trần Thị B", email="tran.b@example.vn", phone="0912345678", consent_reply=True),
    )
    services.change_case_status(case=case, by=world.officer_a, to=Status.ACCEPTED)
    services.change_case_status(case=case, by=world.officer_a, to=Status.IN_PROGRESS)
    return factories.publish_pakn_answer(
        case, officer=world.officer_a, lead=world.lead_a, text="Đơn vị đã gọi lại số 0912.345.678 và xin lỗi."
    )


def test_erasure_masks_the_text_removes_photos_and_contact(client, case, django_capture_on_commit_callbacks):
    photo = Path(case.attachments.get().file.path)
    assert photo.exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("feedback:data-request-create"),
            {"code": case.tracking_code, "contact": "0912345678", "kind": "delete", "confirm_delete": "on"},
        )

    assert response.status_code == 200
    case.refresh_from_db()
    assert "0912" not in case.text and "example.vn" not in case.text and "Trần Thị B" not in case.text
    assert case.text.count(MASK) == 3
    assert "Cán bộ hẹn trễ ba ngày." in case.text
    assert "0912" not in case.public_answer and "xin lỗi" in case.public_answer
    assert not CaseContact.objects.filter(case=case).exists()
    assert not Attachment.objects.filter(case=case).exists()
    assert not photo.exists()
    page = client.get(reverse("feedback:case-track", args=[case.tracking_code])).content.decode()
    assert "0912" not in page and "tran.b@example.vn" not in page
    assert "Cán bộ hẹn trễ ba ngày." in page
    entry = AuditEntry.objects.get(action="privacy.erase_contact")
    assert entry.changes["attachments_removed"] == 1
    assert "text" in entry.changes["masked"]
    assert "0912" not in str(entry.changes)


def test_erasure_without_a_contact_record_still_masks_text_and_removes_photos(case, world):
    CaseContact.objects.filter(case=case).delete()

    assert retention.erase_case_contact(case=case, by=world.province) is True
    assert retention.erase_case_contact(case=case, by=world.province) is False

    case.refresh_from_db()
    assert "0912" not in case.text
    assert not case.attachments.exists()


def test_the_retention_purge_covers_cases_left_answered(case, settings):
    settings.PRIVACY_CONTACT_RETENTION_DAYS = 90
    settings.PRIVACY_ATTACHMENT_RETENTION_DAYS = 90
    now = timezone.now()
    assert retention.purge_personal_data(now=now, dry_run=True).contacts == 0

    # The citizen never rated the answer: the case stays "answered", which it reached 100 days ago.
    CaseEvent.objects.filter(case=case).update(created_at=now - datetime.timedelta(days=100))
    result = retention.purge_personal_data(now=now)

    assert (result.contacts, result.attachments) == (1, 1)
    case.refresh_from_db()
    assert case.status == Status.ANSWERED
    assert "0912" not in case.text and "tran.b@example.vn" not in case.text
