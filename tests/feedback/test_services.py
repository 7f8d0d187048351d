"""The PAKN workflow, with the approval and publication of answers: every transition writes exactly one event,
illegal ones are refused and change nothing."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from feedback import services
from feedback.models import PRIVACY_NOTICE_VERSION, CalendarDay, Case, CaseContact, CaseEvent, Status
from feedback.services import ContactInput, TransitionError
from feedback.workdays import add_working_days
from survey.models import User
from tests import factories

pytestmark = pytest.mark.django_db

S = Status


def _case_in(world, status: str) -> Case:
    """Drive a new case of unit A to `status` through the services: the officer answers, the lead approves."""
    case = factories.make_pakn_case(unit=world.unit_a)
    officer = world.officer_a
    answered = [S.ACCEPTED, S.IN_PROGRESS, "answer", "approve", "publish"]
    paths = {
        S.RECEIVED: [],
        S.ACCEPTED: [S.ACCEPTED],
        S.REJECTED: [S.REJECTED],
        S.NEEDS_INFORMATION: [S.NEEDS_INFORMATION],
        S.IN_PROGRESS: [S.ACCEPTED, S.IN_PROGRESS],
        S.AWAITING_APPROVAL: answered[:3],
        S.APPROVED: answered[:4],
        S.ANSWERED: answered,
        S.CLOSED: [*answered, S.CLOSED],
    }
    for step in paths[status]:
        if step == "answer":
            case = services.answer_case(case=case, by=officer, text="Đơn vị đã xử lý và xin lỗi ông/bà.")
        elif step == "approve":
            case = services.approve_answer(case=case, by=world.lead_a)
        elif step == "publish":
            case = services.publish_answer(case=case, by=officer)
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
ILLEGAL = [(start, to) for start in S.values for to in S.values if (start, to) not in LEGAL]


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


def test_an_officers_answer_is_one_internal_event_and_a_draft_awaiting_approval(world):
    case = _case_in(world, S.IN_PROGRESS)
    before = case.events.count()
    case = services.answer_case(case=case, by=world.officer_a, text="  Dự thảo trả lời  ")
    assert case.events.count() == before + 1
    event = case.events.last()
    assert (event.actor, event.from_status, event.to_status) == (world.officer_a, S.IN_PROGRESS, S.AWAITING_APPROVAL)
    assert event.is_public is False and event.note == "Dự thảo trả lời"
    assert (case.status, case.draft_answer, case.public_answer) == (S.AWAITING_APPROVAL, "Dự thảo trả lời", "")
    assert case.answered_at is None and case.first_answered_at is None
    # the answer deadline still applies while the lead decides
    assert case.due_date == case.answer_due


@pytest.mark.parametrize("who", ["lead_a", "province", "admin"])
def test_an_answer_by_someone_who_may_approve_is_published_at_once_in_one_event(world, who):
    case = _case_in(world, S.IN_PROGRESS)
    before = case.events.count()
    case = services.answer_case(case=case, by=getattr(world, who), text="Trả lời công khai")
    assert case.events.count() == before + 1
    event = case.events.last()
    assert (event.from_status, event.to_status, event.is_public) == (S.IN_PROGRESS, S.ANSWERED, True)
    assert (case.status, case.public_answer, case.due_date) == (S.ANSWERED, "Trả lời công khai", None)
    assert case.first_answered_at == case.answered_at
    assert case.approved_by == getattr(world, who)


def test_without_approval_an_officers_answer_is_published_at_once(world, settings):
    settings.PAKN_ANSWER_APPROVAL = False
    case = _case_in(world, S.IN_PROGRESS)
    before = case.events.count()
    case = services.answer_case(case=case, by=world.officer_a, text="Trả lời công khai")
    assert case.events.count() == before + 1
    assert (case.status, case.public_answer, case.due_date) == (S.ANSWERED, "Trả lời công khai", None)
    assert case.events.last().is_public and case.approved_by is None


def test_lead_approves_with_one_internal_event_and_the_publication_deadline(world):
    case = _case_in(world, S.AWAITING_APPROVAL)
    before = case.events.count()
    case = services.approve_answer(case=case, by=world.lead_a)
    assert case.events.count() == before + 1
    event = case.events.last()
    assert (event.actor, event.from_status, event.to_status) == (world.lead_a, S.AWAITING_APPROVAL, S.APPROVED)
    assert event.is_public is False and event.note == ""  # approved as drafted
    assert (case.status, case.approved_by, case.public_answer) == (S.APPROVED, world.lead_a, "")
    assert case.draft_answer == "Đơn vị đã xử lý và xin lỗi ông/bà."
    assert case.due_date == add_working_days(timezone.localdate(case.approved_at), 2)
    assert case.answered_at is None and case.first_answered_at is None


def test_the_approver_may_edit_the_text_and_the_edit_is_logged(world):
    case = _case_in(world, S.AWAITING_APPROVAL)
    case = services.approve_answer(case=case, by=world.province, text=" Bản đã sửa của lãnh đạo ")
    assert (case.status, case.draft_answer, case.approved_by) == (
        S.APPROVED,
        "Bản đã sửa của lãnh đạo",
        world.province,
    )
    assert case.events.last().note == "Bản đã sửa của lãnh đạo"
    with pytest.raises(TransitionError):
        services.approve_answer(case=_case_in(world, S.AWAITING_APPROVAL), by=world.lead_a, text="   ")


@pytest.mark.parametrize(
    ("start", "path"),
    [
        (S.RECEIVED, [(S.RECEIVED, S.ACCEPTED), (S.ACCEPTED, S.IN_PROGRESS)]),
        (S.ACCEPTED, [(S.ACCEPTED, S.IN_PROGRESS)]),
        (S.NEEDS_INFORMATION, [(S.NEEDS_INFORMATION, S.IN_PROGRESS)]),
    ],
)
def test_an_answer_from_any_open_state_records_the_steps_it_implies(world, start, path):
    case = _case_in(world, start)
    before = case.events.count()
    case = services.answer_case(case=case, by=world.officer_a, text="Trả lời một lần")
    steps = list(case.events.order_by("pk")[before:])
    assert [(e.from_status, e.to_status) for e in steps] == [*path, (S.IN_PROGRESS, S.AWAITING_APPROVAL)]
    assert all(e.actor == world.officer_a and not e.is_public for e in steps)
    assert case.status == S.AWAITING_APPROVAL and case.due_date == case.answer_due


@pytest.mark.parametrize("start", [S.AWAITING_APPROVAL, S.APPROVED, S.ANSWERED, S.REJECTED, S.CLOSED])
def test_answering_a_case_that_has_an_answer_or_is_finished_is_refused(world, start):
    case = _case_in(world, start)
    before = case.events.count()
    with pytest.raises(TransitionError):
        services.answer_case(case=case, by=world.officer_a, text="Trả lời")
    case.refresh_from_db()
    assert (case.status, case.events.count()) == (start, before)


def test_a_lead_approves_and_publishes_in_one_call_with_two_events(world):
    case = _case_in(world, S.AWAITING_APPROVAL)
    before = case.events.count()
    case = services.approve_answer(case=case, by=world.lead_a, text="Bản duyệt", publish=True)
    approve, publish = case.events.order_by("pk")[before:]
    assert (approve.from_status, approve.to_status, approve.is_public) == (S.AWAITING_APPROVAL, S.APPROVED, False)
    assert (publish.from_status, publish.to_status, publish.is_public) == (S.APPROVED, S.ANSWERED, True)
    assert (case.status, case.public_answer, case.approved_by, case.due_date) == (
        S.ANSWERED,
        "Bản duyệt",
        world.lead_a,
        None,
    )


@pytest.mark.parametrize("who", ["officer_a", "officer_b", "lead_b"])
def test_only_a_lead_of_the_unit_or_provincial_staff_may_approve_or_return(world, who):
    lead_b = factories.make_user(username="lead-b", role=User.Role.LEAD, unit=world.unit_b)
    actor = lead_b if who == "lead_b" else getattr(world, who)
    case = _case_in(world, S.AWAITING_APPROVAL)
    before = case.events.count()
    with pytest.raises(PermissionDenied, match="lãnh đạo đơn vị"):
        services.approve_answer(case=case, by=actor)
    with pytest.raises(PermissionDenied):
        services.return_answer(case=case, by=actor, note="Viết lại")
    case.refresh_from_db()
    assert (case.status, case.events.count(), case.approved_by) == (S.AWAITING_APPROVAL, before, None)


@pytest.mark.parametrize("start", [s for s in S.values if s != S.AWAITING_APPROVAL])
def test_approving_a_case_not_awaiting_approval_is_refused_and_changes_nothing(world, start):
    case = _case_in(world, start)
    before = case.events.count()
    with pytest.raises(TransitionError, match="chờ phê duyệt"):
        services.approve_answer(case=case, by=world.lead_a)
    case.refresh_from_db()
    assert (case.status, case.events.count()) == (start, before)


@pytest.mark.parametrize("start", [s for s in S.values if s != S.APPROVED])
def test_publishing_before_approval_is_refused_and_changes_nothing(world, start):
    case = _case_in(world, start)
    before = (case.status, case.public_answer, case.events.count())
    with pytest.raises(TransitionError, match="đã được phê duyệt"):
        services.publish_answer(case=case, by=world.lead_a)
    case.refresh_from_db()
    assert (case.status, case.public_answer, case.events.count()) == before


@pytest.mark.parametrize("start", [S.AWAITING_APPROVAL, S.APPROVED])
def test_return_sends_the_draft_back_in_progress_with_one_internal_event(world, start):
    case = _case_in(world, start)
    with pytest.raises(TransitionError, match="lý do"):
        services.return_answer(case=case, by=world.lead_a, note="  ")
    before = case.events.count()
    case = services.return_answer(case=case, by=world.lead_a, note="Cần nêu rõ thời hạn trả kết quả")
    assert case.events.count() == before + 1
    event = case.events.last()
    assert (event.from_status, event.to_status, event.is_public) == (start, S.IN_PROGRESS, False)
    assert event.note == "Cần nêu rõ thời hạn trả kết quả"
    assert (case.status, case.due_date, case.approved_by, case.approved_at) == (
        S.IN_PROGRESS,
        case.answer_due,
        None,
        None,
    )
    # the draft is kept for the officer to revise, and the revision goes through approval again
    assert case.draft_answer == "Đơn vị đã xử lý và xin lỗi ông/bà."
    case = services.answer_case(case=case, by=world.officer_a, text="Bản sửa")
    assert (case.status, case.draft_answer) == (S.AWAITING_APPROVAL, "Bản sửa")


@pytest.mark.parametrize("start", [s for s in S.values if s not in (S.AWAITING_APPROVAL, S.APPROVED)])
def test_returning_anything_but_an_unpublished_draft_is_refused(world, start):
    case = _case_in(world, start)
    before = case.events.count()
    with pytest.raises(TransitionError, match="chưa công bố"):
        services.return_answer(case=case, by=world.lead_a, note="Lý do")
    case.refresh_from_db()
    assert (case.status, case.events.count()) == (start, before)


def test_publish_is_one_public_event_with_the_approved_text(world):
    case = _case_in(world, S.AWAITING_APPROVAL)
    case = services.approve_answer(case=case, by=world.lead_a, text="Bản đã phê duyệt")
    before = case.events.count()
    case = services.publish_answer(case=case, by=world.officer_a)
    assert case.events.count() == before + 1
    event = case.events.last()
    assert (event.actor, event.from_status, event.to_status) == (world.officer_a, S.APPROVED, S.ANSWERED)
    assert event.is_public and event.note == "Bản đã phê duyệt"
    assert (case.status, case.public_answer, case.draft_answer, case.due_date) == (
        S.ANSWERED,
        "Bản đã phê duyệt",
        "",
        None,
    )
    assert case.first_answered_at == case.answered_at and case.approved_by == world.lead_a


def test_publication_is_due_two_working_days_after_approval_across_weekend_and_tet(world, monkeypatch, settings):
    # given an answer approved on Friday 13 Feb 2026, just before Tết Bính Ngọ (16-20 Feb off)
    approved = datetime.datetime(2026, 2, 13, 16, 30, tzinfo=timezone.get_current_timezone())
    monkeypatch.setattr(timezone, "now", lambda: approved)
    case = services.approve_answer(case=_case_in(world, S.AWAITING_APPROVAL), by=world.lead_a)
    # then the weekend and all of Tết are skipped
    assert case.due_date == datetime.date(2026, 2, 24)
    # a make-up Saturday counts as a working day
    CalendarDay.objects.create(date=datetime.date(2026, 2, 14), kind=CalendarDay.Kind.WORKING_DAY)
    made_up = services.approve_answer(case=_case_in(world, S.AWAITING_APPROVAL), by=world.lead_a)
    assert made_up.due_date == datetime.date(2026, 2, 23)
    # and the length is the configured "publish" deadline
    settings.PAKN_DEADLINES = {"publish": 1}
    shorter = services.approve_answer(case=_case_in(world, S.AWAITING_APPROVAL), by=world.lead_a)
    assert shorter.due_date == datetime.date(2026, 2, 14)


def test_an_answer_approved_on_its_last_day_must_still_be_published_that_day(world):
    # given a draft whose answer deadline is today
    case = _case_in(world, S.AWAITING_APPROVAL)
    Case.objects.filter(pk=case.pk).update(answer_due=timezone.localdate())
    # when the lead approves it today
    case = services.approve_answer(case=case, by=world.lead_a)
    # then publication is due today, not two working days later: both deadlines hold
    assert case.due_date == timezone.localdate()


def test_a_transfer_after_a_returned_draft_leaves_the_draft_behind(world):
    case = services.return_answer(
        case=_case_in(world, S.AWAITING_APPROVAL), by=world.lead_a, note="Cần nêu rõ biện pháp khắc phục."
    )
    assert case.draft_answer  # kept for the officer of unit A to revise

    case = services.transfer_case(case=case, by=world.officer_a, unit=world.unit_b, reason="Thuộc Sở Y tế")

    case.refresh_from_db()
    assert (case.unit, case.draft_answer, case.approved_by, case.approved_at) == (world.unit_b, "", None, None)


def test_transfer_is_refused_while_an_answer_awaits_approval_or_publication(world):
    for start in (S.AWAITING_APPROVAL, S.APPROVED):
        case = _case_in(world, start)
        with pytest.raises(TransitionError, match="Không thể chuyển đơn vị"):
            services.transfer_case(case=case, by=world.lead_a, unit=world.unit_b, reason="Thuộc Sở Y tế")
        case.refresh_from_db()
        assert (case.unit, case.status) == (world.unit_a, start)


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
