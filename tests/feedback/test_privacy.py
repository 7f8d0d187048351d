"""A citizen's request to see or erase their contact details (tracking code plus the contact they gave), the
staff list of data requests, and the privacy notice on the PAKN form."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from feedback import retention, services
from feedback.models import Case, CaseContact, CaseEvent, DataRequest, Status
from feedback.services import ContactInput
from survey.models import AuditEntry
from tests import factories

pytestmark = pytest.mark.django_db

URL = reverse("feedback:data-request-create")
LIST_URL = reverse("feedback:data-request-list")


@pytest.fixture
def case(world):
    case = factories.make_pakn_case(
        unit=world.unit_a,
        contact=ContactInput(name="Trần Thị B", email="Tran.B@Example.vn", phone="0912 345 678", consent_reply=True),
    )
    services.change_case_status(case=case, by=world.officer_a, to=Status.ACCEPTED)
    services.change_case_status(case=case, by=world.officer_a, to=Status.IN_PROGRESS)
    return factories.publish_pakn_answer(
        case, officer=world.officer_a, lead=world.lead_a, text="Đơn vị đã xử lý và xin lỗi công dân."
    )


def _ask(client, code, contact, kind="see", **extra):
    return client.post(URL, {"code": code, "contact": contact, "kind": kind, **extra})


def _miss_body(response) -> str:
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())
    return re.sub(r'name="next" value="[^"]*"', "", body)


def test_the_page_works_without_an_account(client):
    page = client.get(URL)
    assert page.status_code == 200
    assert 'name="code"' in page.content.decode() and 'name="contact"' in page.content.decode()


@pytest.mark.parametrize("contact", ["tran.b@example.vn", " TRAN.B@EXAMPLE.VN ", "0912345678", "+84 912-345-678"])
def test_the_right_pair_shows_only_what_the_citizen_gave(client, case, contact):
    response = _ask(client, case.tracking_code.upper(), contact)
    body = response.content.decode()
    assert response.status_code == 200
    assert "Trần Thị B" in body and "Tran.B@Example.vn" in body and "0912 345 678" in body
    assert "Đơn vị đã xử lý" not in body  # the answer is on the tracking page, not here
    assert response["Cache-Control"] == "private, no-store"
    request = DataRequest.objects.get()
    assert (request.case, request.kind, request.channel, request.outcome) == (case, "see", "web", "shown")
    assert request.handled_at is not None
    assert request.due_at == request.received_at + datetime.timedelta(hours=72)
    assert AuditEntry.objects.filter(action="privacy.see_contact", target_id=str(case.pk)).count() == 1


def test_wrong_pairs_all_answer_the_same_way_and_reveal_nothing(client, case, world):
    other = factories.make_pakn_case(
        unit=world.unit_b, contact=ContactInput(email="khac@example.vn", consent_reply=True)
    )
    no_contact = factories.make_pakn_case(unit=world.unit_b)
    publish_only = factories.make_pakn_case(unit=world.unit_b, contact=ContactInput(consent_publish=True))
    pairs = [
        (case.tracking_code, "sai@example.vn"),  # right code, wrong email
        (case.tracking_code, "0987654321"),  # right code, wrong phone
        (case.tracking_code, "khac@example.vn"),  # right code, another case's contact
        (other.tracking_code, "tran.b@example.vn"),  # another code, this contact
        ("zzzzzzzzzzzzzzzz", "tran.b@example.vn"),  # unknown code
        (no_contact.tracking_code, "tran.b@example.vn"),  # a case without contact details
        (publish_only.tracking_code, "0"),  # a consent without details
        ("x" * 64, "0912345678"),
    ]
    responses = [
        _ask(client, code, contact, kind, confirm_delete="on") for code, contact in pairs for kind in ("see", "delete")
    ]
    assert {r.status_code for r in responses} == {404}
    bodies = {_miss_body(r) for r in responses}
    assert len(bodies) == 1
    body = bodies.pop()
    assert "Không tìm thấy thông tin liên hệ khớp" in body
    for secret in ("Trần Thị B", "Tran.B", "0912", "khac@example.vn", case.tracking_code):
        assert secret not in body
    assert not DataRequest.objects.exists()
    assert CaseContact.objects.count() == 3


def test_misses_are_throttled_like_the_tracking_lookup(client, case, settings):
    settings.PAKN_LOOKUP_LIMIT = 3
    for n in range(3):
        assert _ask(client, case.tracking_code, f"sai{n}@example.vn").status_code == 404
    # once throttled, even the right pair is refused, and the tracking lookup shares the same count
    assert _ask(client, case.tracking_code, "tran.b@example.vn").status_code == 429
    assert client.get(reverse("feedback:case-track", args=[case.tracking_code])).status_code == 429
    assert not DataRequest.objects.exists()


def test_tracking_misses_count_towards_the_data_request_throttle(client, case, settings):
    settings.PAKN_LOOKUP_LIMIT = 2
    client.get("/pakn/tra-cuu/wrongcode0000001/")
    client.get("/pakn/tra-cuu/wrongcode0000002/")
    assert _ask(client, case.tracking_code, "tran.b@example.vn").status_code == 429


def test_clients_are_throttled_separately(client, case, settings):
    settings.PAKN_LOOKUP_LIMIT = 1
    right = {"code": case.tracking_code, "contact": "tran.b@example.vn", "kind": "see"}
    wrong = {**right, "contact": "sai@example.vn"}
    assert client.post(URL, wrong, REMOTE_ADDR="203.0.113.5").status_code == 404
    assert client.post(URL, right, REMOTE_ADDR="203.0.113.5").status_code == 429
    assert client.post(URL, right, REMOTE_ADDR="203.0.113.9").status_code == 200


def test_delete_erases_the_contact_once_and_keeps_the_case_and_its_answer(client, case):
    response = _ask(client, case.tracking_code, "0912345678", "delete", confirm_delete="on")

    assert response.status_code == 200
    assert "Đã xóa thông tin liên hệ" in response.content.decode()
    assert not CaseContact.objects.filter(case=case).exists()
    case.refresh_from_db()
    assert (case.status, case.public_answer) == (Status.ANSWERED, "Đơn vị đã xử lý và xin lỗi công dân.")
    request = DataRequest.objects.get()
    assert (request.kind, request.outcome, request.handled_by) == ("delete", "erased", None)
    erasures = AuditEntry.objects.filter(action="privacy.erase_contact")
    assert erasures.count() == 1
    entry = erasures.get()
    assert entry.target_id == str(case.pk)
    assert entry.changes["contact"] == {"before": ["name", "email", "phone"], "after": []}
    # the audit log names the erased fields, never their values
    assert "0912" not in str(entry.changes) and "Example" not in str(entry.changes)
    assert AuditEntry.objects.filter(action__startswith="privacy.").count() == 1
    event = CaseEvent.objects.get(case=case, kind=CaseEvent.Kind.PRIVACY)
    assert not event.is_public
    # the tracking page still shows the answer
    assert "Đơn vị đã xử lý" in client.get(reverse("feedback:case-track", args=[case.tracking_code])).content.decode()
    # and the pair no longer matches anything: a repeat answers like any miss, erasing nothing more
    again = _ask(client, case.tracking_code, "0912345678", "delete", confirm_delete="on")
    assert again.status_code == 404
    assert AuditEntry.objects.filter(action="privacy.erase_contact").count() == 1


def test_delete_needs_the_confirmation_box(client, case):
    response = _ask(client, case.tracking_code, "tran.b@example.vn", "delete")
    body = response.content.decode()
    assert response.status_code == 400
    assert "Hãy đánh dấu xác nhận để xóa thông tin liên hệ." in body
    # the error is tied to the box for screen readers
    assert 'aria-describedby="id_confirm_delete_error"' in body
    assert 'id="id_confirm_delete_error"' in body
    assert CaseContact.objects.filter(case=case).exists()
    assert not DataRequest.objects.exists()


@pytest.mark.parametrize(
    "data",
    [{}, {"code": "abc"}, {"code": "abc", "contact": "x@y.vn", "kind": "sua"}, {"code": "a" * 65, "contact": "x"}],
)
def test_bad_input_answers_400_with_a_message(client, case, data):
    response = client.post(URL, data)
    assert response.status_code == 400
    assert "Vui lòng kiểm tra lại các mục được đánh dấu." in response.content.decode()
    assert not DataRequest.objects.exists()


def test_erase_case_contact_service_is_idempotent(case, world):
    assert retention.erase_case_contact(case=case, by=world.province) is True
    assert retention.erase_case_contact(case=case, by=world.province) is False
    entries = AuditEntry.objects.filter(action="privacy.erase_contact")
    assert [(entry.actor, entry.target_id) for entry in entries] == [(world.province, str(case.pk))]


# Staff list --------------------------------------------------------------------------------------------------------


def _offline_request(case, world, *, kind="delete", hours_ago=0) -> DataRequest:
    request = retention.record_data_request(case=case, kind=kind, by=world.province, note="Đơn gửi qua bưu điện")
    if hours_ago:
        received = timezone.now() - datetime.timedelta(hours=hours_ago)
        DataRequest.objects.filter(pk=request.pk).update(
            received_at=received, due_at=received + datetime.timedelta(hours=72)
        )
    return request


def test_overdue_and_pending_requests_appear_in_the_list(client, case, world, django_assert_max_num_queries):
    overdue = _offline_request(case, world, hours_ago=80)
    pending = _offline_request(case, world, kind="see", hours_ago=1)
    handled, _contact = retention.answer_web_data_request(case=case, kind="see")
    client.force_login(world.province)

    with django_assert_max_num_queries(12):
        page = client.get(LIST_URL)

    body = page.content.decode()
    assert page.status_code == 200
    assert list(page.context["pending"]) == [overdue, pending]
    assert page.context["overdue_count"] == 1
    assert body.count('class="data-request overdue"') == 1
    assert "1 quá hạn" in body
    assert reverse("feedback:data-request-complete", args=[overdue.pk]) in body
    assert handled in list(page.context["handled"])
    assert "Tran.B@Example.vn" not in body  # the list holds no contact details


@pytest.mark.parametrize("who", ["officer_a", "lead_a", "officer_b"])
def test_unit_staff_cannot_see_or_handle_data_requests(client, case, world, who):
    request = _offline_request(case, world)
    client.force_login(getattr(world, who))
    assert client.get(LIST_URL).status_code == 403
    assert client.post(reverse("feedback:data-request-complete", args=[request.pk])).status_code == 403
    assert (
        client.post(
            reverse("feedback:data-request-record"), {"code": case.tracking_code, "kind": "delete"}
        ).status_code
        == 403
    )
    assert CaseContact.objects.filter(case=case).exists()
    assert DataRequest.objects.count() == 1


def test_anonymous_visitors_are_sent_to_the_login(client, case, world):
    request = _offline_request(case, world)
    assert client.get(LIST_URL).status_code == 302
    assert client.post(reverse("feedback:data-request-complete", args=[request.pk])).status_code == 302
    assert CaseContact.objects.filter(case=case).exists()


def test_provincial_staff_record_and_handle_an_offline_request(client, case, world):
    client.force_login(world.province)
    response = client.post(
        reverse("feedback:data-request-record"), {"code": f" {case.tracking_code.upper()} ", "kind": "delete"}
    )
    assert response.status_code == 302
    request = DataRequest.objects.get()
    assert (request.channel, request.recorded_by, request.is_pending) == ("offline", world.province, True)

    response = client.post(reverse("feedback:data-request-complete", args=[request.pk]))

    assert response.status_code == 302
    request.refresh_from_db()
    assert (request.outcome, request.handled_by) == ("erased", world.province)
    assert not CaseContact.objects.filter(case=case).exists()
    assert AuditEntry.objects.filter(action="privacy.erase_contact").count() == 1
    # handling twice is refused with a message, nothing more is logged
    again = client.post(reverse("feedback:data-request-complete", args=[request.pk]))
    assert again.status_code == 400
    assert "Yêu cầu này đã được xử lý." in again.content.decode()
    assert AuditEntry.objects.filter(action="privacy.erase_contact").count() == 1


def test_recording_a_request_for_an_unknown_code_is_refused(client, world):
    client.force_login(world.province)
    response = client.post(reverse("feedback:data-request-record"), {"code": "khongco", "kind": "see"})
    assert response.status_code == 400
    assert "Không có phản ánh nào với mã tra cứu này." in response.content.decode()
    assert not DataRequest.objects.exists()


def test_the_staff_nav_links_the_list_for_provincial_staff_only(client, world):
    client.force_login(world.province)
    assert LIST_URL in client.get(reverse("feedback:case-list")).content.decode()
    client.force_login(world.officer_a)
    assert LIST_URL not in client.get(reverse("feedback:case-list")).content.decode()


# The notice on the PAKN form ---------------------------------------------------------------------------------------


def test_the_privacy_notice_states_the_configured_periods_and_links_the_request_page(client, world, settings):
    settings.PRIVACY_CONTACT_RETENTION_DAYS = 45
    settings.PRIVACY_ATTACHMENT_RETENTION_DAYS = 200
    settings.PRIVACY_REQUEST_DEADLINE_HOURS = 48
    body = client.get(reverse("feedback:case-create")).content.decode()
    notice = body[body.index('class="pakn-notice"') : body.index("</details>")]
    assert "45 ngày sau khi phản ánh kết thúc" in notice
    assert "sau 200 ngày" in notice
    assert "48 giờ" in notice
    assert f'href="{URL}"' in notice


def test_the_tracking_page_links_the_request_page(client, case):
    assert URL in client.get(reverse("feedback:case-track", args=[case.tracking_code])).content.decode()


def test_cases_keep_working_after_their_contact_is_erased(case, world):
    retention.erase_case_contact(case=case, by=world.province)
    services.rate_answer(case=Case.objects.get(pk=case.pk), satisfied=True)
    assert Case.objects.get(pk=case.pk).status == Status.CLOSED
