"""One complaint, one case: the form's one-time key (and the API's Idempotency-Key) make a resubmission return the
first case; a likely duplicate (same device or contact, same unit, similar text within a day) is shown to the
citizen before filing and, if filed all the same, linked to the first case for the officer."""

import datetime
import uuid

import pytest
from django.urls import reverse

from feedback.models import Case
from feedback.services import ContactInput
from tests import factories

pytestmark = pytest.mark.django_db

URL = reverse("feedback:case-create")
TEXT = "Cán bộ hẹn trả kết quả ngày 10/6 nhưng đến 14/6 vẫn chưa có."


def _post(client, world, *, key=None, text=TEXT, unit=None, **extra):
    data = {"unit": (unit or world.unit_a).pk, "category": "late_result", "text": text, **extra}
    if key:
        data["submission_key"] = str(key)
    return client.post(URL, data)


def test_the_form_carries_a_fresh_one_time_key(client, world):
    first, second = (str(client.get(URL).context["form"]["submission_key"].value()) for _ in range(2))
    assert uuid.UUID(first) and first != second
    assert 'type="hidden" name="submission_key"' in client.get(URL).content.decode()


def test_a_resubmitted_form_returns_the_first_case(client, world):
    key = uuid.uuid4()
    first = _post(client, world, key=key)
    client.cookies.clear()  # even from another device (a form saved and sent again elsewhere)
    again = _post(client, world, key=key)
    case = Case.objects.get()
    assert first["Location"] == again["Location"] == reverse("feedback:case-track", args=[case.tracking_code])
    page = client.get(again["Location"]).content.decode()
    assert "Phản ánh này đã được gửi trước đó" in page


def test_the_same_text_from_the_same_device_soon_after_returns_the_first_case(client, world):
    """A browser that renders the form again on "back" sends a new key: the same device, unit and text within 30
    minutes are the same complaint."""
    first = _post(client, world, key=uuid.uuid4())
    again = _post(client, world, key=uuid.uuid4(), text="  " + TEXT.upper() + " ")
    assert Case.objects.count() == 1 and again["Location"] == first["Location"]


def test_a_similar_complaint_from_the_same_device_is_shown_before_filing(client, world):
    first = _post(client, world, key=uuid.uuid4())
    assert first.status_code == 302
    similar = TEXT.replace("vẫn chưa có", "vẫn chưa có kết quả")

    shown = _post(client, world, key=uuid.uuid4(), text=similar)

    assert shown.status_code == 200 and Case.objects.count() == 1
    page = shown.content.decode()
    assert "Có thể ông/bà đã gửi phản ánh này rồi." in page
    assert Case.objects.get().tracking_code not in page  # the other case's code is never shown

    filed = _post(client, world, key=uuid.uuid4(), text=similar, file_anyway="on")
    assert filed.status_code == 302
    original, second = Case.objects.order_by("pk")
    assert second.duplicate_of == original and original.duplicate_of is None


def test_a_similar_complaint_with_the_same_email_from_another_device_is_a_likely_duplicate(client, world):
    contact = {"email": "dan@example.vn", "consent_reply": "on"}
    assert _post(client, world, **contact).status_code == 302
    client.cookies.clear()
    shown = _post(client, world, text=TEXT + " Xin cảm ơn.", **contact)
    assert shown.status_code == 200 and "Có thể ông/bà đã gửi phản ánh này rồi." in shown.content.decode()


@pytest.mark.parametrize(
    "change",
    ["another_unit", "another_text", "another_device", "a_day_later"],
)
def test_no_duplicate_notice_otherwise(client, world, change):
    assert _post(client, world).status_code == 302
    if change == "a_day_later":
        Case.objects.update(created_at=Case.objects.get().created_at - datetime.timedelta(days=1, minutes=1))
    if change == "another_device":
        client.cookies.clear()
    unit = world.unit_b if change == "another_unit" else None
    text = "Ghế chờ bị hỏng, không có nước uống cho người dân." if change == "another_text" else TEXT + " Lần 2."
    assert _post(client, world, unit=unit, text=text).status_code == 302
    assert Case.objects.count() == 2 and Case.objects.filter(duplicate_of__isnull=False).count() == 0


def test_the_officer_sees_the_link_between_the_two_cases(client, world):
    contact = ContactInput(phone="0912 345 678", consent_reply=True)
    first = factories.make_pakn_case(unit=world.unit_a, text=TEXT, contact=contact)
    contact_again = ContactInput(phone="+84912345678", consent_reply=True)
    second = factories.make_pakn_case(unit=world.unit_a, text=TEXT + " Mong được giải quyết.", contact=contact_again)
    assert second.duplicate_of == first

    client.force_login(world.officer_a)
    page = client.get(reverse("feedback:case-detail", args=[second.pk])).content.decode()
    assert "Phản ánh có thể trùng" in page and f'href="{reverse("feedback:case-detail", args=[first.pk])}"' in page
    back = client.get(reverse("feedback:case-detail", args=[first.pk])).content.decode()
    assert f'href="{reverse("feedback:case-detail", args=[second.pk])}"' in back


def test_api_resubmission_with_the_same_idempotency_key_returns_the_first_case(client, world):
    from rest_framework.test import APIClient

    api = APIClient()
    url = reverse("api:case-list")
    body = {"unit": world.unit_a.pk, "category": "extra_fees", "text": TEXT}
    key = str(uuid.uuid4())
    first = api.post(url, body, format="json", headers={"Idempotency-Key": key})
    again = api.post(url, body, format="json", headers={"Idempotency-Key": key})
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["tracking_code"] == again.json()["tracking_code"]
    assert Case.objects.count() == 1
    bad = api.post(url, body, format="json", headers={"Idempotency-Key": "khong-phai-uuid"})
    assert bad.status_code == 400 and "Idempotency-Key" in bad.json()["errors"]


def test_api_likely_duplicate_is_filed_and_linked(world):
    from rest_framework.test import APIClient

    api = APIClient()
    url = reverse("api:case-list")
    body = {"unit": world.unit_a.pk, "category": "late_result", "text": TEXT, "email": "dan@example.vn"}
    body["consent_reply"] = True
    first = api.post(url, body, format="json")
    second = api.post(url, {**body, "text": TEXT + " Xin cảm ơn."}, format="json")
    assert (first.status_code, second.status_code) == (201, 201)
    linked = Case.objects.get(tracking_code=second.json()["tracking_code"])
    assert linked.duplicate_of.tracking_code == first.json()["tracking_code"]
