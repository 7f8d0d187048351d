"""The PAKN workflow: every transition writes exactly one event, illegal ones are refused and change nothing."""

import datetime

import pytest
from django.utils import timezone

from feedback import services
from feedback.models import PRIVACY_NOTICE_VERSION, Case, CaseContact, CaseEvent, Status
from feedback.services import ContactInput, TransitionError
from tests import factories

pytestmark = pytest.mark.django_db

S = Status


def _case_in(world, status: str) -> Case:
    """Drive a new case of unit A to `status` through the services."""
    case = factories.make_pakn_case(unit=world.unit_a)
    officer = world.officer_a
    paths = {
        S.RECEIVED: [],
        S.ACCEPTED: [S.ACCEPTED],
        S.REJECTED: [S.REJECTED],
        S.NEEDS_INFORMATION: [S.NEEDS_INFORMATION],
        S.IN_PROGRESS: [S.ACCEPTED, S.IN_PROGRESS],
        S.ANSWERED: [S.ACCEPTED, S.IN_PROGRESS, "answer"],
        S.CLOSED: [S.ACCEPTED, S.IN_PROGRESS, "answer", S.CLOSED],
    }
    for step in paths[status]:
        if step == "answer":
            case = services.answer_case(case=case, by=officer, text="Đơn vị đã xử lý và xin lỗi ông/bà.")
        else:
            case = services.change_case_status(case=case, by=officer, to=step, note="Lý do cụ thể")
    case.refresh_from_db()
    assert case.status == status
    return case


LEGAL = [
    (S.RECEIVED, S.ACCEPTED),
    (S.RECEIVED, S.REJECTED),
    (S.RECEIVED, S.NEEDS_INFORMATION),
    (S.NEEDS_INFORMATION, S.IN_PROGRESS),
    (S.NEEDS_INFORMATION, S.REJECTED),
    (S.ACCEPTED, S.IN_PROGRESS),
    (S.ANSWERED, S.CLOSED),
]
ILLEGAL = [
    (start, to)
    for start in S.values
    for to in [S.ACCEPTED, S.REJECTED, S.NEEDS_INFORMATION, S.IN_PROGRESS, S.CLOSED, S.RECEIVED, S.ANSWERED]
    if (start, to) not in LEGAL
]


@pytest.mark.parametrize(("start", "to"), LEGAL)
def test_each_legal_transition_writes_exactly_one_event(world, start, to):
    case = _case_in(world, start)
    before = case.events.count()
    services.change_case_status(case=case, by=world.lead_a, to=to, note="Ghi chú chuyển trạng thái")
    case.refresh_from_db()
    assert case.status == to
    assert case.events.count() == before + 1
    event = case.events.last()
    assert (event.actor, event.from_status, event.to_status) == (world.lead_a, start, to)
    assert event.note == "Ghi chú chuyển trạng thái"
    assert event.created_at is not None


@pytest.mark.parametrize(("start", "to"), ILLEGAL)
def test_illegal_transitions_are_refused_and_change_nothing(world, start, to):
    case = _case_in(world, start)
    before = case.events.count()
    with pytest.raises(TransitionError) as error:
        services.change_case_status(case=case, by=world.officer_a, to=to, note="x")
    assert "Không thể chuyển" in error.value.message
    case.refresh_from_db()
    assert case.status == start
    assert case.events.count() == before


def test_submission_writes_one_event_and_sets_working_day_deadlines(world):
    case = factories.make_pakn_case(unit=world.unit_a)
    assert list(case.events.values_list("kind", "from_status", "to_status")) == [("submitted", "", "received")]
    assert case.received_on == timezone.localdate()
    assert case.classify_due > case.received_on
    assert case.answer_due > case.information_due > case.classify_due
    assert case.due_date == case.classify_due
    assert len(case.tracking_code) >= 16


def test_reject_needs_a_reason_and_request_for_information_needs_a_question(world):
    case = factories.make_pakn_case(unit=world.unit_a)
    with pytest.raises(TransitionError, match="lý do"):
        services.change_case_status(case=case, by=world.officer_a, to=S.REJECTED, note="  ")
    with pytest.raises(TransitionError, match="bổ sung"):
        services.change_case_status(case=case, by=world.officer_a, to=S.NEEDS_INFORMATION)
    assert case.events.count() == 1
    services.change_case_status(case=case, by=world.officer_a, to=S.REJECTED, note="Không thuộc thẩm quyền")
    case.refresh_from_db()
    assert case.rejection_reason == "Không thuộc thẩm quyền"
    assert case.due_date is None


def test_answer_is_one_event_and_only_from_in_progress(world):
    case = _case_in(world, S.ACCEPTED)
    with pytest.raises(TransitionError):
        services.answer_case(case=case, by=world.officer_a, text="Trả lời")
    case = services.change_case_status(case=case, by=world.officer_a, to=S.IN_PROGRESS)
    before = case.events.count()
    case = services.answer_case(case=case, by=world.officer_a, text="Trả lời công khai")
    assert case.events.count() == before + 1
    assert (case.status, case.public_answer, case.due_date) == (S.ANSWERED, "Trả lời công khai", None)
    assert case.first_answered_at == case.answered_at


def test_citizen_rating_and_single_appeal_escalate_to_province(world):
    case = _case_in(world, S.ANSWERED)
    with pytest.raises(TransitionError):
        services.appeal_case(case=case, text="Chưa thỏa đáng")  # must rate first
    case = services.rate_answer(case=case, satisfied=False)
    assert case.status == S.ANSWERED and case.citizen_satisfied is False
    with pytest.raises(TransitionError):
        services.rate_answer(case=case, satisfied=True)  # rated once
    before = case.events.count()
    case = services.appeal_case(case=case, text="Chưa thỏa đáng")
    assert case.events.count() == before + 1
    assert case.status == S.IN_PROGRESS
    assert case.escalation_reason == "appeal" and case.escalated_at is not None
    assert case.due_date > timezone.localdate()
    assert Case.objects.open().filter(escalated_at__isnull=False).get() == case
    # the province answers; a second appeal is refused
    case = services.answer_case(case=case, by=world.province, text="Cấp tỉnh trả lời")
    case = services.rate_answer(case=case, satisfied=False)
    with pytest.raises(TransitionError, match="một lần"):
        services.appeal_case(case=case, text="Lại nữa")


def test_satisfied_rating_closes_the_case(world):
    case = services.rate_answer(case=_case_in(world, S.ANSWERED), satisfied=True)
    assert case.status == S.CLOSED
    assert case.events.last().from_status == S.ANSWERED


def test_assignment_only_to_staff_of_the_cases_unit(world):
    case = factories.make_pakn_case(unit=world.unit_a)
    with pytest.raises(TransitionError):
        services.assign_case(case=case, by=world.lead_a, officer=world.officer_b)
    with pytest.raises(TransitionError):
        services.assign_case(case=case, by=world.lead_a, officer=world.province)
    case = services.assign_case(case=case, by=world.lead_a, officer=world.officer_a)
    assert case.assigned_to == world.officer_a
    assert case.events.last().kind == CaseEvent.Kind.ASSIGNED


def test_transfer_moves_the_case_with_a_reason_and_restarts_deadlines(world):
    case = _case_in(world, S.ACCEPTED)
    services.assign_case(case=case, by=world.lead_a, officer=world.officer_a)
    with pytest.raises(TransitionError):
        services.transfer_case(case=case, by=world.officer_a, unit=world.unit_b, reason=" ")
    with pytest.raises(TransitionError):
        services.transfer_case(case=case, by=world.officer_a, unit=world.unit_a, reason="Cùng đơn vị")
    before = case.events.count()
    case = services.transfer_case(case=case, by=world.officer_a, unit=world.unit_b, reason="Thuộc lĩnh vực y tế")
    assert (case.unit, case.status, case.assigned_to) == (world.unit_b, S.RECEIVED, None)
    assert case.events.count() == before + 1
    event = case.events.last()
    assert event.kind == CaseEvent.Kind.TRANSFERRED and "Thuộc lĩnh vực y tế" in event.note
    assert event.from_status == S.ACCEPTED and event.to_status == S.RECEIVED


def test_internal_note_is_not_public(world):
    case = factories.make_pakn_case(unit=world.unit_a)
    event = services.add_internal_note(case=case, by=world.officer_a, note="Kiểm tra camera quầy 1")
    assert event.is_public is False
    case.refresh_from_db()
    assert case.status == S.RECEIVED


def test_citizen_information_only_when_requested(world):
    case = factories.make_pakn_case(unit=world.unit_a)
    with pytest.raises(TransitionError):
        services.add_citizen_information(case=case, text="Thêm")
    services.change_case_status(case=case, by=world.officer_a, to=S.NEEDS_INFORMATION, note="Số hồ sơ?")
    event = services.add_citizen_information(case=case, text="Hồ sơ số 123")
    assert event.is_public and event.actor is None


def test_contact_and_consents_are_stored_with_the_notice_version(world):
    case = factories.make_pakn_case(
        unit=world.unit_a,
        contact=ContactInput(name="Nguyễn Văn A", email="a@example.vn", consent_reply=True, consent_publish=False),
    )
    contact = CaseContact.objects.get(case=case)
    assert contact.notice_version == PRIVACY_NOTICE_VERSION
    assert (contact.email, contact.consent_reply, contact.consent_publish) == ("a@example.vn", True, False)


def test_no_contact_record_when_the_citizen_gives_none(world):
    case = factories.make_pakn_case(unit=world.unit_a, contact=ContactInput())
    assert not CaseContact.objects.filter(case=case).exists()


def test_contact_details_without_reply_consent_are_refused(world):
    with pytest.raises(TransitionError):
        factories.make_pakn_case(unit=world.unit_a, contact=ContactInput(email="a@example.vn"))
    assert not Case.objects.exists()


def test_counter_and_rating_must_match_the_unit(world):
    rating = factories.make_rating(counter=world.counter_a, score=1)
    with pytest.raises(TransitionError):
        factories.make_pakn_case(unit=world.unit_b, counter=world.counter_a)
    with pytest.raises(TransitionError):
        factories.make_pakn_case(unit=world.unit_b, counter=world.counter_b, rating=rating)
    case = factories.make_pakn_case(unit=world.unit_a, counter=world.counter_a, rating=rating)
    assert (case.counter, case.rating) == (world.counter_a, rating)


def test_tracking_codes_are_long_and_distinct(world):
    codes = {factories.make_pakn_case(unit=world.unit_a).tracking_code for _ in range(20)}
    assert len(codes) == 20
    assert all(len(code) == 16 and code.isalnum() for code in codes)


def test_overdue_queryset(world):
    case = factories.make_pakn_case(unit=world.unit_a)
    assert not Case.objects.overdue().exists()
    assert Case.objects.overdue(case.due_date + datetime.timedelta(days=1)).get() == case
