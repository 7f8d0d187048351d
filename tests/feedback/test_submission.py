"""The citizen's submission page: carried unit/counter/rating, attachments checked by content, consents."""

import io
import os
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from feedback.models import Attachment, Case, CaseContact
from tests import factories
from tests.feedback.conftest import jpeg_with_exif, pdf_bytes, png_bytes

pytestmark = pytest.mark.django_db

URL = reverse("feedback:case-create")


def _post(client, data=None, files=(), query=""):
    payload = {"category": "late_result", "text": "Trả kết quả trễ hẹn ba ngày so với giấy hẹn."}
    payload.update(data or {})
    if files:
        payload["files"] = list(files)
    return client.post(URL + query, payload)


def _stored_files(media: Path) -> list[Path]:
    return [Path(root) / name for root, _dirs, names in os.walk(media) for name in names]


def test_submission_url_is_the_one_the_rating_flow_links_to():
    assert URL == "/pakn/gui/"


def test_from_a_rating_the_unit_counter_and_rating_are_carried(client, world):
    rating = factories.make_rating(counter=world.counter_a, score=1)
    query = f"?counter={world.counter_a.code}&rating={rating.idempotency_key}"
    page = client.get(URL + query)
    assert page.status_code == 200
    assert "Sở Tư pháp" in page.content.decode()
    assert 'name="unit"' not in page.content.decode()
    response = _post(client, query=query)
    assert response.status_code == 302
    case = Case.objects.get()
    assert (case.unit, case.counter, case.rating) == (world.unit_a, world.counter_a, rating)
    assert response["Location"] == reverse("feedback:case-track", args=[case.tracking_code])


@pytest.mark.parametrize("bad", ["rating=not-a-uuid", "rating=00000000-0000-0000-0000-000000000000", "other"])
def test_a_rating_that_does_not_match_the_counter_is_not_carried(client, world, bad):
    other = factories.make_rating(counter=world.counter_b, score=1)
    query = f"?counter={world.counter_a.code}&" + (f"rating={other.idempotency_key}" if bad == "other" else bad)
    assert _post(client, query=query).status_code == 302
    case = Case.objects.get()
    assert (case.unit, case.counter, case.rating) == (world.unit_a, world.counter_a, None)


def test_unknown_counter_falls_back_to_choosing_the_unit(client, world):
    page = client.get(URL + "?counter=nope&rating=x")
    assert page.status_code == 200 and 'name="unit"' in page.content.decode()
    assert "<optgroup" in page.content.decode()
    missing = _post(client, query="?counter=nope")
    assert missing.status_code == 400
    assert "Trường này là bắt buộc." in missing.content.decode() or "bắt buộc" in missing.content.decode()
    assert _post(client, {"unit": world.unit_b.pk}).status_code == 302
    assert Case.objects.get().unit == world.unit_b


def test_inactive_units_are_not_offered(client, world):
    import datetime

    factories.make_unit(group=world.group, name="Sở Đã Sáp Nhập", valid_to=datetime.date(2025, 6, 30))
    assert "Sở Đã Sáp Nhập" not in client.get(URL).content.decode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"category": "bribery"}, "lựa chọn hợp lệ"),
        ({"text": "ngắn"}, "10"),
        ({"email": "a@example.vn"}, "đồng ý nhận trả lời"),
        ({"consent_reply": "on"}, "email hoặc số điện thoại"),
        ({"phone": "abc", "consent_reply": "on"}, "Số điện thoại không hợp lệ"),
    ],
)
def test_bad_input_answers_400_with_a_clear_message_and_saves_nothing(client, world, data, message):
    response = _post(client, {"unit": world.unit_a.pk, **data})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert 'aria-invalid="true"' in response.content.decode()
    assert not Case.objects.exists()


def test_consents_and_notice_version_are_stored(client, world):
    response = _post(
        client,
        {"unit": world.unit_a.pk, "email": "dan@example.vn", "consent_reply": "on", "consent_publish": "on"},
    )
    assert response.status_code == 302
    contact = CaseContact.objects.get()
    assert (contact.email, contact.consent_reply, contact.consent_publish) == ("dan@example.vn", True, True)
    assert contact.notice_version


def test_consent_boxes_are_unticked_and_nothing_is_stored_without_them(client, world):
    page = client.get(URL).content.decode()
    assert 'name="consent_reply"' in page and "checked" not in page
    assert "Bên kiểm soát dữ liệu" in page and "Thời gian lưu" in page
    assert _post(client, {"unit": world.unit_a.pk}).status_code == 302
    assert not CaseContact.objects.exists()


def test_photo_is_accepted_reencoded_and_stored_privately(client, world, _private_media):
    upload = SimpleUploadedFile("anh.png", png_bytes(with_metadata=True), content_type="image/png")
    assert _post(client, {"unit": world.unit_a.pk}, files=[upload]).status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.content_type == "image/png" and attachment.original_name == "anh.png"
    path = Path(attachment.file.path)
    assert str(path).startswith(str(_private_media))
    assert "anh" not in path.name
    data = path.read_bytes()
    assert b"secret-location" not in data
    assert Image.open(io.BytesIO(data)).size == (8, 8)


def test_jpeg_exif_is_stripped(client, world):
    upload = SimpleUploadedFile("p.jpg", jpeg_with_exif(), content_type="image/jpeg")
    assert _post(client, {"unit": world.unit_a.pk}, files=[upload]).status_code == 302
    stored = Attachment.objects.get().file.read()
    assert b"SecretCameraMaker" not in stored
    assert not Image.open(io.BytesIO(stored)).getexif()


def test_pdf_is_accepted(client, world):
    upload = SimpleUploadedFile("giay-hen.pdf", pdf_bytes(), content_type="application/pdf")
    assert _post(client, {"unit": world.unit_a.pk}, files=[upload]).status_code == 302
    assert Attachment.objects.get().content_type == "application/pdf"


@pytest.mark.parametrize(
    ("name", "content", "content_type", "message"),
    [
        ("anh.png", b"<html><script>alert(1)</script></html>", "image/png", "không phải là ảnh hợp lệ"),
        ("tai-lieu.pdf", b"%PDF-1.7\nthis is not really a pdf", "application/pdf", "không phải là tệp PDF hợp lệ"),
        ("anh.gif", b"GIF89a" + b"\x00" * 20, "image/gif", "không phải là ảnh hợp lệ"),
    ],
)
def test_a_file_that_is_not_what_it_claims_is_refused_and_nothing_is_saved(
    client, world, _private_media, name, content, content_type, message
):
    good = SimpleUploadedFile("good.png", png_bytes(), content_type="image/png")
    bad = SimpleUploadedFile(name, content, content_type=content_type)
    response = _post(client, {"unit": world.unit_a.pk}, files=[good, bad])
    assert response.status_code == 400
    assert message in response.content.decode()
    assert name in response.content.decode()
    assert not Case.objects.exists() and not Attachment.objects.exists()
    assert _stored_files(_private_media) == []


def test_an_oversized_file_is_refused(client, world, settings, _private_media):
    settings.PAKN_MAX_ATTACHMENT_BYTES = 1000
    big = SimpleUploadedFile("big.png", png_bytes(size=(400, 400)) + b"\x00" * 2000, content_type="image/png")
    response = _post(client, {"unit": world.unit_a.pk}, files=[big])
    assert response.status_code == 400
    assert "vượt quá dung lượng" in response.content.decode()
    assert not Case.objects.exists() and _stored_files(_private_media) == []


def test_too_many_files_are_refused(client, world, settings, _private_media):
    settings.PAKN_MAX_ATTACHMENTS = 2
    files = [SimpleUploadedFile(f"a{i}.png", png_bytes(), content_type="image/png") for i in range(3)]
    response = _post(client, {"unit": world.unit_a.pk}, files=files)
    assert response.status_code == 400
    assert "tối đa 2 tệp" in response.content.decode()
    assert not Case.objects.exists() and _stored_files(_private_media) == []


def test_media_has_no_public_url(client, world):
    upload = SimpleUploadedFile("anh.png", png_bytes(), content_type="image/png")
    _post(client, {"unit": world.unit_a.pk}, files=[upload])
    name = Attachment.objects.get().file.name
    assert client.get("/media/" + name).status_code == 404
    assert client.get("/" + name).status_code == 404
