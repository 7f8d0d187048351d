"""PAKN through the API: the citizen's submission and tracking, and the staff inbox and workflow."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from feedback.models import Attachment, Case, CaseContact
from tests import factories
from tests.feedback.conftest import png_bytes

pytestmark = pytest.mark.django_db

URL = "/api/v1/feedback/"


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def body(world, **overrides):
    return {
        "unit": world.unit_a.pk,
        "category": "late_result",
        "text": "Hẹn trả kết quả nhưng trễ ba ngày.",
        **overrides,
    }


# Citizens ------------------------------------------------------------------------------------------------------------


def test_a_citizen_files_a_case_and_gets_its_tracking_code(world):
    response = APIClient().post(
        URL, body(world, counter=world.counter_a.code, email="dan@example.vn", consent_reply=True), format="json"
    )

    assert response.status_code == 201, response.content
    case = Case.objects.get()
    data = response.json()
    assert data["tracking_code"] == case.tracking_code and data["status"] == "received"
    assert data["tracking_url"].endswith(reverse("feedback:case-track", args=[case.tracking_code]))
    assert case.counter == world.counter_a
    assert CaseContact.objects.get(case=case).email == "dan@example.vn"


def test_attachments_come_as_multipart_and_are_checked(world):
    upload = uploaded("anh.png", png_bytes(with_metadata=True))

    response = APIClient().post(URL, {**body(world), "files": [upload]}, format="multipart")

    assert response.status_code == 201, response.content
    attachment = Attachment.objects.get()
    assert attachment.content_type == "image/png"
    assert b"secret-location" not in attachment.file.read()


def uploaded(name: str, data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data)


@pytest.mark.parametrize(
    "overrides, status, field",
    [
        ({"text": "ngắn"}, 400, "text"),
        ({"category": "khac"}, 400, "category"),
        ({"name": "Nguyễn Văn A"}, 400, "consent_reply"),
        ({"consent_reply": True}, 400, "email"),
        ({"unit": 10**12}, 404, None),
        ({"counter": "khongcoma"}, 404, None),
        ({"rating": "6f1c1f8e-8f5e-4c63-9a53-1b7c0e1d2a47"}, 404, None),
    ],
)
def test_bad_submissions_store_nothing(world, overrides, status, field):
    response = APIClient().post(URL, body(world, **overrides), format="json")

    assert response.status_code == status, response.content
    if field:
        assert field in response.json()["errors"]
    assert not Case.objects.exists()


def test_a_counter_of_another_unit_is_a_conflict(world):
    response = APIClient().post(URL, body(world, counter=world.counter_b.code), format="json")

    assert response.status_code == 409
    assert not Case.objects.exists()


def test_a_bad_attachment_stores_nothing(world):
    upload = uploaded("virus.png", b"MZ not an image")

    response = APIClient().post(URL, {**body(world), "files": [upload]}, format="multipart")

    assert response.status_code == 400
    assert "files" in response.json()["errors"]
    assert not Case.objects.exists()


def test_cross_site_submissions_are_refused(world):
    response = APIClient().post(URL, body(world), format="multipart", headers={"Origin": "https://gia-mao.example"})

    assert response.status_code == 403
    assert not Case.objects.exists()


def test_tracking_shows_the_public_side_only(world):
    from feedback import services

    case = factories.make_pakn_case(unit=world.unit_a)
    services.add_internal_note(case=case, by=world.officer_a, note="Người này gọi nhiều lần")
    services.change_case_status(case=case, by=world.officer_a, to="accepted")

    response = APIClient().get(reverse("api:case-track", args=[case.tracking_code.upper()]))

    assert response.status_code == 200
    data = response.json()
    assert data["status"] == "accepted" and data["deadline"] == case.answer_due.isoformat()
    assert "Người này gọi nhiều lần" not in response.content.decode()
    assert [event["kind"] for event in data["events"]] == ["submitted"]
    assert "assigned_to" not in data and "contact" not in data


def test_every_wrong_code_answers_the_same_404(world):
    factories.make_pakn_case(unit=world.unit_a)
    client = APIClient()

    answers = [
        client.get(reverse("api:case-track", args=[code]))
        for code in ("abcdefghjkmnpqrs", "x", "1" * 200, "%20", "khong có")
    ]

    assert {response.status_code for response in answers} == {404}
    assert len({response.content for response in answers}) == 1


def test_tracking_is_throttled(world, settings):
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "feedback-track": "2/minute"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    client = APIClient()
    url = reverse("api:case-track", args=["abcdefghjkmnpqrs"])

    assert [client.get(url).status_code for _ in range(3)] == [404, 404, 429]


# Staff ---------------------------------------------------------------------------------------------------------------


def test_the_whole_workflow_through_the_api(world, api_as):
    case = factories.make_pakn_case(unit=world.unit_a)
    client = api_as("officer_a")

    def act(name, data=None):
        return client.post(reverse(f"api:case-{name}", args=[case.pk]), data or {}, format="json")

    assert act("close").status_code == 409  # nothing to close yet
    assert act("accept").json()["status"] == "accepted"
    assert act("assign", {"officer": world.lead_a.pk}).json()["assigned_to_username"] == "lead-a"
    assert act("start").json()["status"] == "in_progress"
    assert act("note", {"note": "Đã gọi điện"}).status_code == 200
    drafted = act("answer", {"text": "Kết quả đã được trả ngày 12/6."}).json()
    assert (drafted["status"], drafted["public_answer"]) == ("awaiting_approval", "")
    assert drafted["draft_answer"].startswith("Kết quả")
    assert act("publish").status_code == 409  # not approved yet
    lead = api_as("lead_a")
    approved = lead.post(reverse("api:case-approve", args=[case.pk]), {}, format="json").json()
    assert (approved["status"], approved["approved_by_username"]) == ("approved", "lead-a")
    assert approved["due_date"] is not None and approved["public_answer"] == ""
    answered = act("publish").json()
    assert answered["status"] == "answered" and answered["public_answer"].startswith("Kết quả")
    assert answered["due_date"] is None and answered["draft_answer"] == ""
    closed = act("close").json()
    assert closed["status"] == "closed"
    assert [e["kind"] for e in closed["events"]].count("note") == 1
    assert next(e for e in closed["events"] if e["kind"] == "note")["is_public"] is False
    assert [(e["to_status"], e["is_public"]) for e in closed["events"] if e["kind"] == "transition"][-4:] == [
        ("awaiting_approval", False),
        ("approved", False),
        ("answered", True),
        ("closed", True),
    ]


def _awaiting_approval(world):
    from feedback import services

    case = factories.make_pakn_case(unit=world.unit_a)
    services.change_case_status(case=case, by=world.officer_a, to="accepted")
    services.change_case_status(case=case, by=world.officer_a, to="in_progress")
    return services.answer_case(case=case, by=world.officer_a, text="Dự thảo của cán bộ.")


def test_the_approver_edits_the_text_and_a_return_needs_a_reason(world, api_as):
    case = _awaiting_approval(world)
    lead = api_as("lead_a")

    def act(name, data=None):
        return lead.post(reverse(f"api:case-{name}", args=[case.pk]), data or {}, format="json")

    no_reason = act("return-answer", {"note": "  "})
    assert no_reason.status_code == 400 and "note" in no_reason.json()["errors"]
    returned = act("return-answer", {"note": "Bổ sung căn cứ pháp lý."}).json()
    assert returned["status"] == "in_progress" and returned["events"][-1]["is_public"] is False
    assert act("approve").status_code == 409  # nothing awaits approval now
    assert act("return-answer", {"note": "Lần nữa"}).status_code == 409
    api_as("officer_a").post(reverse("api:case-answer", args=[case.pk]), {"text": "Bản sửa."}, format="json")
    approved = act("approve", {"text": "Bản sửa, có căn cứ pháp lý."}).json()
    assert (approved["status"], approved["draft_answer"]) == ("approved", "Bản sửa, có căn cứ pháp lý.")


@pytest.mark.parametrize("name, data", [("approve", {}), ("return-answer", {"note": "Sửa lại."})])
def test_an_officer_is_refused_approval_with_a_clear_403(world, api_as, name, data):
    case = _awaiting_approval(world)

    response = api_as("officer_a").post(reverse(f"api:case-{name}", args=[case.pk]), data, format="json")

    assert response.status_code == 403
    assert response.json()["detail"].startswith("Chỉ lãnh đạo đơn vị, cán bộ cấp tỉnh hoặc quản trị viên")
    case.refresh_from_db()
    assert case.status == "awaiting_approval"


def test_a_lead_of_another_unit_gets_404(world, api_as):
    from rest_framework.test import APIClient

    case = _awaiting_approval(world)
    client = APIClient()
    client.force_login(factories.make_user(username="lead-b", role="lead", unit=world.unit_b))

    for name in ("approve", "return-answer", "publish"):
        assert (
            client.post(reverse(f"api:case-{name}", args=[case.pk]), {"note": "x"}, format="json").status_code == 404
        )
    case.refresh_from_db()
    assert case.status == "awaiting_approval"


def test_without_approval_an_officers_answer_is_published_at_once(world, api_as, settings):
    from feedback import services

    settings.PAKN_ANSWER_APPROVAL = False
    case = factories.make_pakn_case(unit=world.unit_a)
    services.change_case_status(case=case, by=world.officer_a, to="accepted")
    services.change_case_status(case=case, by=world.officer_a, to="in_progress")

    response = api_as("officer_a").post(reverse("api:case-answer", args=[case.pk]), {"text": "Ngay."}, format="json")

    assert (response.json()["status"], response.json()["public_answer"]) == ("answered", "Ngay.")


def test_the_public_track_never_shows_a_draft(world, api_as):
    case = _awaiting_approval(world)
    url = reverse("api:case-track", args=[case.tracking_code])

    data = APIClient().get(url).json()

    assert data["status"] == "in_progress" and data["public_answer"] == ""
    assert "Dự thảo của cán bộ" not in str(data)


def test_workflow_rules(world, api_as):
    case = factories.make_pakn_case(unit=world.unit_a)
    client = api_as("lead_a")

    def act(name, data=None):
        return client.post(reverse(f"api:case-{name}", args=[case.pk]), data or {}, format="json")

    assert act("reject").status_code == 400  # a reason is required
    assert act("request-information", {"note": "   "}).status_code == 400
    assert act("assign", {"officer": world.officer_b.pk}).status_code == 409  # another unit's officer
    assert act("assign", {"officer": 10**12}).status_code == 404
    assert act("transfer", {"unit": world.unit_a.pk, "reason": "x"}).status_code == 409  # same unit
    assert act("close").status_code == 409
    assert act("reject", {"note": "Không thuộc thẩm quyền."}).json()["status"] == "rejected"
    case.refresh_from_db()
    assert case.rejection_reason == "Không thuộc thẩm quyền."


def test_a_transferred_case_leaves_the_officers_scope(world, api_as):
    case = factories.make_pakn_case(unit=world.unit_a)
    client = api_as("officer_a")

    response = client.post(
        reverse("api:case-transfer", args=[case.pk]), {"unit": world.unit_b.pk, "reason": "Sai đơn vị."}
    )

    assert response.status_code == 200 and response.json()["unit"] == world.unit_b.pk
    assert client.get(reverse("api:case-detail", args=[case.pk])).status_code == 404
    assert api_as("officer_b").get(reverse("api:case-detail", args=[case.pk])).status_code == 200


def test_staff_list_uses_the_inbox_filters_within_scope(world, api_as):
    late = factories.make_pakn_case(unit=world.unit_a, counter=world.counter_a, category="attitude")
    Case.objects.filter(pk=late.pk).update(due_date="2020-01-02")
    other = factories.make_pakn_case(unit=world.unit_a, text="Nhà vệ sinh hỏng đã lâu.")
    factories.make_pakn_case(unit=world.unit_b, counter=world.counter_b)
    client = api_as("officer_a")
    url = reverse("api:case-list")

    def ids(params):
        response = client.get(url, params)
        assert response.status_code == 200, response.content
        return [row["id"] for row in response.json()["results"]]

    assert ids({}) == [late.pk, other.pk]  # by deadline; unit B's case is never listed
    assert ids({"overdue": "true"}) == [late.pk]
    assert ids({"category": "attitude"}) == [late.pk]
    assert ids({"q": "vệ sinh"}) == [other.pk]
    assert ids({"q": other.tracking_code}) == [other.pk]
    assert ids({"counter": world.counter_a.pk}) == [late.pk]
    assert ids({"counter": world.counter_b.pk}) == []
    assert ids({"status": "closed"}) == []
    assert client.get(url, {"status": "lost"}).status_code == 400


def test_the_detail_shows_contact_attachments_and_the_whole_log(world, api_as):
    from feedback import services
    from feedback.services import ContactInput

    case = factories.make_pakn_case(
        unit=world.unit_a, contact=ContactInput(email="dan@example.vn", consent_reply=True)
    )
    services.add_internal_note(case=case, by=world.officer_a, note="Nội bộ")

    data = api_as("officer_a").get(reverse("api:case-detail", args=[case.pk])).json()

    assert data["contact"]["email"] == "dan@example.vn"
    assert [e["kind"] for e in data["events"]] == ["submitted", "note"]
    assert data["events"][1]["actor"] == "officer-a"


def test_an_officer_answers_a_new_case_in_one_call_and_the_lead_approves_and_publishes_in_one(world, api_as):
    case = factories.make_pakn_case(unit=world.unit_a)
    drafted = api_as("officer_a").post(reverse("api:case-answer", args=[case.pk]), {"text": "Trả lời."}, format="json")
    assert drafted.status_code == 200 and drafted.json()["status"] == "awaiting_approval"
    published = api_as("lead_a").post(reverse("api:case-approve", args=[case.pk]), {"publish": True}, format="json")
    assert published.status_code == 200
    body = published.json()
    assert (body["status"], body["public_answer"]) == ("answered", "Trả lời.")
    assert [e["to_status"] for e in body["events"]][-5:] == [
        "accepted",
        "in_progress",
        "awaiting_approval",
        "approved",
        "answered",
    ]
