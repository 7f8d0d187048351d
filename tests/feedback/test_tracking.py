"""The citizen's tracking page: codes cannot be enumerated, internal notes and unpublished answers stay internal,
rating and appeal."""

import pytest
from django.urls import reverse

from feedback import services
from feedback.models import Status
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(world):
    return factories.make_pakn_case(unit=world.unit_a, text="Quầy số 1 đòi thêm phí ngoài quy định.")


def _answered(case, world):
    services.change_case_status(case=case, by=world.officer_a, to=Status.ACCEPTED)
    services.change_case_status(case=case, by=world.officer_a, to=Status.IN_PROGRESS)
    return factories.publish_pakn_answer(
        case, officer=world.officer_a, lead=world.lead_a, text="Đã kiểm điểm cán bộ và hoàn trả phí."
    )


def test_a_draft_answer_is_never_shown_before_it_is_published(client, case, world):
    from rest_framework.test import APIClient

    services.change_case_status(case=case, by=world.officer_a, to=Status.ACCEPTED)
    services.change_case_status(case=case, by=world.officer_a, to=Status.IN_PROGRESS)
    page_url = reverse("feedback:case-track", args=[case.tracking_code])
    api_url = reverse("api:case-track", args=[case.tracking_code])
    steps = [
        lambda: services.answer_case(case=case, by=world.officer_a, text="Dự thảo: đơn vị sẽ hoàn trả phí."),
        lambda: services.approve_answer(case=case, by=world.lead_a, text="Bản duyệt: đơn vị đã hoàn trả phí."),
    ]
    for step in steps:
        step()
        # the citizen sees the case as still in progress, with its deadline, and neither text
        body = client.get(page_url).content.decode()
        assert "Đang xử lý" in body and "Chờ phê duyệt" not in body and "Đã phê duyệt" not in body
        assert "Dự thảo:" not in body and "Bản duyệt:" not in body and "Trả lời của cơ quan" not in body
        data = APIClient().get(api_url).json()
        assert data["status"] == "in_progress" and data["public_answer"] == "" and data["answered_at"] is None
        # the legal answer deadline, never the internal publication deadline of an approved answer
        assert data["deadline"] == case.answer_due.isoformat()
        assert case.answer_due.strftime("%-d/%-m/%Y") in body
        assert "Dự thảo:" not in str(data) and "Bản duyệt:" not in str(data)
        assert [e["kind"] for e in data["events"]] == ["submitted"]
    # once published, the approved text is there, and the history says "in progress -> answered"
    services.publish_answer(case=case, by=world.officer_a)
    body = client.get(page_url).content.decode()
    assert "Bản duyệt: đơn vị đã hoàn trả phí." in body and "Dự thảo:" not in body and "Đã trả lời" in body
    data = APIClient().get(api_url).json()
    assert (data["status"], data["public_answer"]) == ("answered", "Bản duyệt: đơn vị đã hoàn trả phí.")
    assert [(e["kind"], e["from_status"], e["to_status"]) for e in data["events"]][-1] == (
        "transition",
        "in_progress",
        "answered",
    )


def test_the_code_shows_status_and_public_answer_but_not_internal_notes(client, case, world):
    services.add_internal_note(case=case, by=world.officer_a, note="Bí mật nội bộ: xem camera")
    _answered(case, world)
    page = client.get(reverse("feedback:case-track", args=[case.tracking_code]))
    body = page.content.decode()
    assert page.status_code == 200
    assert "Đã kiểm điểm cán bộ và hoàn trả phí." in body
    assert "Đã trả lời" in body
    assert "Bí mật nội bộ" not in body
    assert page["Cache-Control"] == "private, no-store"


def _not_found_body(response) -> str:
    # The CSRF token differs per response and the language switch returns to the requested path; everything
    # else must be identical.
    import re

    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())
    return re.sub(r'name="next" value="[^"]*"', "", body)


def test_wrong_random_and_long_codes_answer_exactly_the_same_way(client, case):
    near_miss = case.tracking_code[:-1] + ("a" if case.tracking_code[-1] != "a" else "b")
    codes = [near_miss, "abc", "x" * 64, "y" * 300, "ZZZZ-ZZZZ", "%3Cscript%3E", "0000000000000000"]
    responses = [client.get(f"/pakn/tra-cuu/{code}/") for code in codes]
    responses += [client.post(reverse("feedback:case-lookup"), {"code": code}) for code in codes]
    assert {r.status_code for r in responses} == {404}
    assert len({_not_found_body(r) for r in responses}) == 1
    assert "Không tìm thấy phản ánh với mã này" in _not_found_body(responses[0])


def test_lookup_form_redirects_to_the_case_and_tolerates_spaces_and_case(client, case):
    code = case.tracking_code
    response = client.post(reverse("feedback:case-lookup"), {"code": f" {code[:8].upper()} {code[8:]} "})
    assert response.status_code == 302
    assert response["Location"] == reverse("feedback:case-track", args=[code])


def test_lookups_are_throttled_after_too_many_misses(client, case, settings):
    settings.PAKN_LOOKUP_LIMIT = 5
    for n in range(5):
        assert client.get(f"/pakn/tra-cuu/wrongcode{n:07d}/").status_code == 404
    assert client.get("/pakn/tra-cuu/wrongcode9999999/").status_code == 429
    # once throttled, even the right code is refused: the throttle reveals nothing
    assert client.get(reverse("feedback:case-track", args=[case.tracking_code])).status_code == 429
    assert client.post(reverse("feedback:case-lookup"), {"code": case.tracking_code}).status_code == 429


def test_successful_lookups_are_not_throttled(client, case, settings):
    settings.PAKN_LOOKUP_LIMIT = 2
    url = reverse("feedback:case-track", args=[case.tracking_code])
    assert all(client.get(url).status_code == 200 for _ in range(5))


def test_citizen_rates_unsatisfied_and_appeals_once(client, case, world):
    _answered(case, world)
    code = case.tracking_code
    bad = client.post(reverse("feedback:case-rate", args=[code]), {"satisfied": "maybe"})
    assert bad.status_code == 400
    assert client.post(reverse("feedback:case-rate", args=[code]), {"satisfied": "0"}).status_code == 302
    page = client.get(reverse("feedback:case-track", args=[code])).content.decode()
    assert "Đề nghị xem xét lại" in page
    empty = client.post(reverse("feedback:case-appeal", args=[code]), {"text": ""})
    assert empty.status_code == 400
    assert client.post(reverse("feedback:case-appeal", args=[code]), {"text": "Chưa thỏa đáng"}).status_code == 302
    case.refresh_from_db()
    assert case.escalation_reason == "appeal" and case.status == Status.IN_PROGRESS
    again = client.post(reverse("feedback:case-appeal", args=[code]), {"text": "Lần hai"})
    assert again.status_code == 400
    assert "một lần" in again.content.decode()


def test_rating_before_an_answer_is_refused_clearly(client, case):
    response = client.post(reverse("feedback:case-rate", args=[case.tracking_code]), {"satisfied": "1"})
    assert response.status_code == 400
    assert "chưa có trả lời" in response.content.decode()


def test_citizen_adds_requested_information(client, case, world):
    services.change_case_status(case=case, by=world.officer_a, to=Status.NEEDS_INFORMATION, note="Cho biết số hồ sơ")
    url = reverse("feedback:case-inform", args=[case.tracking_code])
    assert client.post(url, {"text": "Số hồ sơ 000.12.34"}).status_code == 302
    assert case.events.filter(kind="information", note="Số hồ sơ 000.12.34").exists()


def test_citizen_actions_on_unknown_codes_answer_404(client):
    for name in ("feedback:case-rate", "feedback:case-appeal", "feedback:case-inform"):
        assert (
            client.post(reverse(name, args=["nosuchcode000000"]), {"text": "x", "satisfied": "0"}).status_code == 404
        )
