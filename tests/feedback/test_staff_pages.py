"""Staff pages: scoping (another unit's case, attachments and events are 404), inbox filters, actions."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse

from feedback import services
from feedback.attachments import check_attachments
from feedback.models import Case, Status
from feedback.views import _refusal_key
from tests import factories
from tests.feedback.conftest import pdf_bytes, png_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(world):
    files = check_attachments(
        [
            SimpleUploadedFile("anh.png", png_bytes(), content_type="image/png"),
            SimpleUploadedFile("giay.pdf", pdf_bytes(), content_type="application/pdf"),
        ]
    )
    return factories.make_pakn_case(unit=world.unit_a, counter=world.counter_a, files=files)


def _gets(case):
    attachments = list(case.attachments.all())
    return [
        reverse("feedback:case-detail", args=[case.pk]),
        reverse("feedback:case-events", args=[case.pk]),
        *[reverse("feedback:attachment-download", args=[a.pk]) for a in attachments],
    ]


POSTS = [
    ("feedback:case-transition", {"to": "accepted"}),
    ("feedback:case-answer", {"text": "Trả lời"}),
    ("feedback:case-approve", {"text": "Trả lời"}),
    ("feedback:case-return", {"note": "Lý do"}),
    ("feedback:case-publish", {}),
    ("feedback:case-note", {"note": "Ghi chú"}),
    ("feedback:case-assign", {"officer": "OFFICER"}),
    ("feedback:case-transfer", {"unit": "UNIT", "reason": "Lý do"}),
]


def test_officer_of_another_unit_gets_404_for_the_case_its_attachments_and_events(client, world, case):
    client.force_login(world.officer_b)
    for url in _gets(case):
        assert client.get(url).status_code == 404, url


@pytest.mark.parametrize(("name", "data"), POSTS)
def test_officer_of_another_unit_cannot_act_on_the_case(client, world, case, name, data):
    client.force_login(world.officer_b)
    data = {
        k: (world.officer_b.pk if v == "OFFICER" else world.unit_b.pk if v == "UNIT" else v) for k, v in data.items()
    }
    assert client.post(reverse(name, args=[case.pk]), data).status_code == 404
    case.refresh_from_db()
    assert (case.status, case.unit, case.assigned_to, case.events.count()) == (Status.RECEIVED, world.unit_a, None, 1)


def test_anonymous_is_sent_to_login(client, case):
    for url in [*_gets(case), reverse("feedback:case-list"), reverse("feedback:case-overview")]:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("who", ["officer_a", "lead_a", "province", "admin"])
def test_own_unit_and_provincial_staff_see_the_case_and_its_files(client, world, case, who):
    client.force_login(getattr(world, who))
    for url in _gets(case):
        assert client.get(url).status_code == 200, url


def test_attachments_are_streamed_privately_with_their_checked_type(client, world, case):
    client.force_login(world.officer_a)
    image, pdf = case.attachments.order_by("pk")
    response = client.get(reverse("feedback:attachment-download", args=[image.pk]))
    assert response["Content-Type"] == "image/png"
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    response = client.get(reverse("feedback:attachment-download", args=[pdf.pk]))
    assert response["Content-Disposition"].startswith("attachment")


def test_overview_is_for_provincial_staff_only(client, world, case):
    client.force_login(world.officer_a)
    assert client.get(reverse("feedback:case-overview")).status_code == 403
    client.force_login(world.province)
    page = client.get(reverse("feedback:case-overview"))
    assert page.status_code == 200
    assert f"#{case.pk}" in page.content.decode()


def test_overview_lists_open_cases_oldest_first_with_counts_and_escalations(client, world):
    old = factories.make_pakn_case(unit=world.unit_b, category="harassment")
    Case.objects.filter(pk=old.pk).update(created_at=old.created_at - datetime.timedelta(days=40))
    new = factories.make_pakn_case(unit=world.unit_a)
    services.change_case_status(case=new, by=world.officer_a, to=Status.REJECTED, note="Trùng lặp")
    open_a = factories.make_pakn_case(unit=world.unit_a)
    services.process_deadlines(today=open_a.due_date + datetime.timedelta(days=30))
    client.force_login(world.province)
    page = client.get(reverse("feedback:case-overview"))
    body = page.content.decode()
    assert [c.pk for c in page.context["page"]] == [old.pk, open_a.pk]
    assert {row["unit_id"]: row["total"] for row in page.context["per_unit"]} == {
        world.unit_a.pk: 1,
        world.unit_b.pk: 1,
    }
    assert "Gây phiền hà" in body
    assert f"#{open_a.pk}</a> · Sở Tư pháp" in body or "Quá hạn" in body


def test_inbox_shows_only_the_units_cases_with_filters(client, world, django_assert_max_num_queries):
    mine = [factories.make_pakn_case(unit=world.unit_a, counter=world.counter_a) for _ in range(5)]
    factories.make_pakn_case(unit=world.unit_b, text="Phản ánh của đơn vị B về cơ sở vật chất")
    harassment = factories.make_pakn_case(unit=world.unit_a, category="harassment", text="Đòi tiền bồi dưỡng")
    client.force_login(world.officer_a)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("feedback:case-list"))
    shown = {c.pk for c in page.context["page"]}
    assert shown == {c.pk for c in mine} | {harassment.pk}
    assert "Phản ánh của đơn vị B" not in page.content.decode()
    assert {c.pk for c in client.get(reverse("feedback:case-list"), {"category": "harassment"}).context["page"]} == {
        harassment.pk
    }
    assert {c.pk for c in client.get(reverse("feedback:case-list"), {"q": "bồi dưỡng"}).context["page"]} == {
        harassment.pk
    }
    assert {
        c.pk for c in client.get(reverse("feedback:case-list"), {"q": harassment.tracking_code}).context["page"]
    } == {harassment.pk}
    by_counter = client.get(reverse("feedback:case-list"), {"counter": world.counter_a.pk}).context["page"]
    assert {c.pk for c in by_counter} == {c.pk for c in mine}
    # a counter of another unit is not a valid choice for this officer
    assert client.get(reverse("feedback:case-list"), {"counter": world.counter_b.pk}).status_code == 400
    Case.objects.filter(pk=mine[0].pk).update(due_date=datetime.date(2020, 1, 1))
    overdue = client.get(reverse("feedback:case-list"), {"overdue": "true"}).context["page"]
    assert [c.pk for c in overdue] == [mine[0].pk]
    today = datetime.date.today().isoformat()
    dated = client.get(reverse("feedback:case-list"), {"created_after": today, "created_before": today})
    assert len(dated.context["page"]) == 6
    services.change_case_status(case=mine[1], by=world.officer_a, to=Status.REJECTED, note="Trùng")
    rejected = client.get(reverse("feedback:case-list"), {"status": "rejected"}).context["page"]
    assert [c.pk for c in rejected] == [mine[1].pk]


def test_staff_answer_flow_through_the_pages(client, world, case):
    # given an officer who takes the case and drafts the answer
    client.force_login(world.officer_a)
    detail = reverse("feedback:case-detail", args=[case.pk])
    assert (
        client.post(reverse("feedback:case-assign", args=[case.pk]), {"officer": world.officer_a.pk}).status_code
        == 302
    )
    assert client.post(reverse("feedback:case-note", args=[case.pk]), {"note": "Nội bộ"}).status_code == 302
    page = client.get(detail).content.decode()
    assert "Gửi dự thảo để phê duyệt" in page and "Trả lời và công bố" not in page
    # answering a case just received is one submission: the acceptance and the start are recorded on the way
    response = client.post(reverse("feedback:case-answer", args=[case.pk]), {"text": "Dự thảo của cán bộ"})
    assert response.status_code == 302 and response["Location"] == detail
    case.refresh_from_db()
    assert case.status == Status.AWAITING_APPROVAL and case.public_answer == ""
    assert [(e.from_status, e.to_status) for e in case.events.filter(kind="transition")] == [
        ("received", "accepted"),
        ("accepted", "in_progress"),
        ("in_progress", "awaiting_approval"),
    ]
    # the officer sees the draft read-only, without the lead's forms
    page = client.get(detail).content.decode()
    assert "Dự thảo của cán bộ" in page and "chờ lãnh đạo đơn vị phê duyệt" in page
    assert reverse("feedback:case-approve", args=[case.pk]) not in page
    assert reverse("feedback:case-return", args=[case.pk]) not in page

    # when the lead returns it with a reason, the officer revises it, and the lead approves an edited text
    client.force_login(world.lead_a)
    page = client.get(detail).content.decode()
    assert reverse("feedback:case-approve", args=[case.pk]) in page
    assert reverse("feedback:case-return", args=[case.pk]) in page
    no_reason = client.post(reverse("feedback:case-return", args=[case.pk]), {"note": ""}, follow=True)
    assert no_reason.status_code == 400 and no_reason.redirect_chain == [(detail, 302)]
    # the error is tied to the reason field, whose id does not clash with the other forms' "note" fields
    assert 'aria-describedby="return_note_error" id="return_note"' in no_reason.content.decode()
    response = client.post(reverse("feedback:case-return", args=[case.pk]), {"note": "Nêu rõ ngày trả kết quả"})
    assert response.status_code == 302
    client.force_login(world.officer_a)
    page = client.get(detail).content.decode()
    assert "Dự thảo đã bị trả lại" in page and "Dự thảo của cán bộ</textarea>" in page
    assert client.post(reverse("feedback:case-answer", args=[case.pk]), {"text": "Bản sửa"}).status_code == 302
    client.force_login(world.lead_a)
    response = client.post(reverse("feedback:case-approve", args=[case.pk]), {"text": "Bản sửa, lãnh đạo đã duyệt"})
    assert response.status_code == 302 and response["Location"] == detail
    case.refresh_from_db()
    assert (case.status, case.approved_by, case.public_answer) == (Status.APPROVED, world.lead_a, "")
    page = client.get(detail).content.decode()
    due = case.due_date
    assert "Hạn công bố" in page and f"{due.day}/{due.month}/{due.year}" in page  # Vietnamese dates: 5/3/2026

    # then any officer of the unit publishes it
    client.force_login(world.officer_a)
    response = client.post(reverse("feedback:case-publish", args=[case.pk]))
    assert response.status_code == 302 and response["Location"] == detail
    case.refresh_from_db()
    assert (case.status, case.public_answer) == (Status.ANSWERED, "Bản sửa, lãnh đạo đã duyệt")
    assert case.assigned_to == world.officer_a
    assert case.events.count() == 10
    again = client.post(reverse("feedback:case-publish", args=[case.pk]), follow=True)
    assert again.status_code == 400 and "Chỉ công bố được" in again.content.decode()
    # the refusal is shown once: reloading the page neither repeats it nor sends the form again
    assert client.get(detail).status_code == 200


def test_a_lead_answers_and_publishes_at_once_from_the_page(client, world, case):
    services.change_case_status(case=case, by=world.officer_a, to=Status.ACCEPTED)
    services.change_case_status(case=case, by=world.officer_a, to=Status.IN_PROGRESS)
    client.force_login(world.lead_a)
    assert "Trả lời và công bố" in client.get(reverse("feedback:case-detail", args=[case.pk])).content.decode()
    assert client.post(reverse("feedback:case-answer", args=[case.pk]), {"text": "Trả lời"}).status_code == 302
    case.refresh_from_db()
    assert (case.status, case.public_answer) == (Status.ANSWERED, "Trả lời")


def _awaiting(case, world):
    services.change_case_status(case=case, by=world.officer_a, to=Status.ACCEPTED)
    services.change_case_status(case=case, by=world.officer_a, to=Status.IN_PROGRESS)
    return services.answer_case(case=case, by=world.officer_a, text="Dự thảo")


@pytest.mark.parametrize(
    ("name", "data"), [("feedback:case-approve", {"text": "Duyệt"}), ("feedback:case-return", {"note": "Sửa"})]
)
def test_an_officer_cannot_approve_or_return_from_the_page(client, world, case, name, data):
    case = _awaiting(case, world)
    before = case.events.count()
    client.force_login(world.officer_a)
    response = client.post(reverse(name, args=[case.pk]), data, follow=True)
    assert response.status_code == 403
    assert "Chỉ lãnh đạo đơn vị, cán bộ cấp tỉnh hoặc quản trị viên" in response.content.decode()
    case.refresh_from_db()
    assert (case.status, case.events.count()) == (Status.AWAITING_APPROVAL, before)


def test_a_lead_of_another_unit_gets_404(client, world, case):
    case = _awaiting(case, world)
    lead_b = factories.make_user(username="lead-b", role="lead", unit=world.unit_b)
    client.force_login(lead_b)
    assert client.get(reverse("feedback:case-detail", args=[case.pk])).status_code == 404
    assert client.post(reverse("feedback:case-approve", args=[case.pk]), {"text": "Duyệt"}).status_code == 404
    case.refresh_from_db()
    assert case.status == Status.AWAITING_APPROVAL


def test_inbox_filters_and_overview_count_cases_awaiting_approval_or_publication(client, world, case):
    case = _awaiting(case, world)
    approved = factories.make_pakn_case(unit=world.unit_a)
    approved = services.approve_answer(case=_awaiting(approved, world), by=world.lead_a)
    client.force_login(world.lead_a)
    listed = client.get(reverse("feedback:case-list")).context["page"]
    assert {c.pk for c in listed} == {case.pk, approved.pk}  # open cases by default
    awaiting = client.get(reverse("feedback:case-list"), {"status": "awaiting_approval"})
    assert [c.pk for c in awaiting.context["page"]] == [case.pk]
    assert "Chờ phê duyệt" in awaiting.content.decode()
    assert [c.pk for c in client.get(reverse("feedback:case-list"), {"status": "approved"}).context["page"]] == [
        approved.pk
    ]
    client.force_login(world.province)
    overview = client.get(reverse("feedback:case-overview"))
    assert {row["unit_id"]: row["total"] for row in overview.context["per_unit"]} == {world.unit_a.pk: 2}


def test_illegal_transition_is_not_offered_and_refused_on_the_case_page_with_the_form_kept(client, world, case):
    client.force_login(world.officer_a)
    detail = reverse("feedback:case-detail", args=[case.pk])
    offered = client.get(detail).context["transition_form"].fields["to"].choices
    assert [value for value, _label in offered] == ["accepted", "rejected", "needs_information"]
    response = client.post(
        reverse("feedback:case-transition", args=[case.pk]), {"to": "closed", "note": "Ghi chú giữ lại"}, follow=True
    )
    assert response.redirect_chain == [(detail, 302)] and response.status_code == 400
    page = response.content.decode()
    assert "Ghi chú giữ lại</textarea>" in page
    bogus = client.post(reverse("feedback:case-transition", args=[case.pk]), {"to": "answered"}, follow=True)
    assert bogus.status_code == 400
    # a reason the service gives (not the form) is shown as well
    no_reason = client.post(reverse("feedback:case-transition", args=[case.pk]), {"to": "rejected"}, follow=True)
    assert no_reason.status_code == 400 and "Hãy nêu lý do không thụ lý" in no_reason.content.decode()
    case.refresh_from_db()
    assert case.status == Status.RECEIVED


def test_assigning_an_officer_of_another_unit_is_refused(client, world, case):
    client.force_login(world.lead_a)
    response = client.post(
        reverse("feedback:case-assign", args=[case.pk]), {"officer": world.officer_b.pk}, follow=True
    )
    assert response.status_code == 400
    case.refresh_from_db()
    assert case.assigned_to is None


def test_after_a_transfer_the_old_unit_loses_access(client, world, case):
    client.force_login(world.officer_a)
    response = client.post(
        reverse("feedback:case-transfer", args=[case.pk]), {"unit": world.unit_b.pk, "reason": "Thuộc Sở Y tế"}
    )
    assert response.status_code == 302 and response["Location"] == reverse("feedback:case-list")
    assert client.get(reverse("feedback:case-detail", args=[case.pk])).status_code == 404
    client.force_login(world.officer_b)
    assert client.get(reverse("feedback:case-detail", args=[case.pk])).status_code == 200


def test_nav_links_follow_roles(client, world):
    client.force_login(world.officer_a)
    home = client.get("/").content.decode()
    assert reverse("feedback:case-list") in home and reverse("feedback:case-overview") not in home
    client.force_login(world.province)
    assert reverse("feedback:case-overview") in client.get("/").content.decode()


def test_a_lead_has_the_answers_to_approve_one_click_away(client, world):
    waiting = factories.make_pakn_case(unit=world.unit_a, text="Chờ duyệt: cán bộ hẹn lại nhiều lần.")
    services.change_case_status(case=waiting, by=world.officer_a, to=Status.ACCEPTED)
    services.change_case_status(case=waiting, by=world.officer_a, to=Status.IN_PROGRESS)
    services.answer_case(case=waiting, by=world.officer_a, text="Đơn vị xin lỗi và đã nhắc nhở cán bộ.")
    new = factories.make_pakn_case(unit=world.unit_a, text="Mới nhận: phòng chờ quá nóng.")
    link = f'href="{reverse("feedback:case-list")}?status=awaiting_approval"'

    client.force_login(world.officer_a)
    assert link not in client.get(reverse("home")).content.decode()

    client.force_login(world.lead_a)
    assert link in client.get(reverse("home")).content.decode()
    listing = client.get(reverse("feedback:case-list"), {"status": "awaiting_approval"}).content.decode()
    assert reverse("feedback:case-detail", args=[waiting.pk]) in listing
    assert reverse("feedback:case-detail", args=[new.pk]) not in listing


@pytest.mark.parametrize("query", ["³", "#²", "٣", "#99999999999999999999", "12345678901234567890123"])
def test_searching_for_something_like_a_case_number_never_fails(client, world, query):
    """Found by schemathesis: "³" is a digit to `str.isdigit` but not to `int`; numbers past a bigint overflow."""
    case = factories.make_pakn_case(unit=world.unit_a)
    client.force_login(world.officer_a)
    response = client.get(reverse("feedback:case-list"), {"q": query})
    assert response.status_code == 200
    assert case.pk not in {c.pk for c in response.context["page"]}
    assert client.get(reverse("feedback:case-list"), {"q": f"#{case.pk}"}).context["page"][0].pk == case.pk


def _offered(page: str, case) -> set[str]:
    names = ["answer", "approve", "return", "publish", "assign", "transfer", "transition"]
    return {name for name in names if f'action="{reverse(f"feedback:case-{name}", args=[case.pk])}"' in page}


@pytest.mark.parametrize("who", ["officer_a", "lead_a"])
@pytest.mark.parametrize("status", list(Status.values))
def test_every_move_the_case_page_offers_is_accepted(client, world, who, status):
    from tests.feedback.test_services import _case_in

    # given a case in `status` and what its page offers to this user
    case = _case_in(world, status)
    client.force_login(getattr(world, who))
    response = client.get(reverse("feedback:case-detail", args=[case.pk]))
    offered = _offered(response.content.decode(), case)
    choices = [value for value, _label in response.context["transition_form"].fields["to"].choices]
    if choices:
        assert "transition" in offered
    posts = {
        "answer": {"text": "Trả lời"},
        "approve": {"text": "Duyệt", "publish": "1"},
        "return": {"note": "Sửa lại"},
        "publish": {},
        "assign": {"officer": world.officer_a.pk},
        "transfer": {"unit": world.unit_b.pk, "reason": "Thuộc đơn vị khác"},
    }
    # then each offered move, and each offered status, goes through from this very state
    attempts = [(name, data) for name, data in posts.items() if name in offered]
    attempts += [("transition", {"to": to, "note": "Lý do cụ thể"}) for to in choices]
    for name, data in attempts:
        with transaction.atomic():
            response = client.post(reverse(f"feedback:case-{name}", args=[case.pk]), data)
            assert response.status_code == 302
            assert _refusal_key(case.pk) not in client.session, (status, name, data)
            transaction.set_rollback(True)
