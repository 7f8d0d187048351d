"""The daily work on a 360 px phone: an officer answers a new case with one submission and a lead approves and
publishes it with one; the case page never offers a move the workflow refuses; the first inbox row is on the
first screen; a citizen rates and reaches the thanks in two taps, with an optional comment; the embedded default
shows a new rating on the unit's dashboard within a minute; an oversized file is refused before it is sent."""

import time

import pytest
from django.utils import timezone

from feedback import workflow
from feedback.models import Case, Status
from survey.models import Rating, ReasonChip
from tests import factories
from tests.browser.conftest import check_a11y, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORT_HEIGHT = 640


@pytest.fixture(autouse=True)
def _seed_data(transactional_db):
    # Transactional tests flush the database after each test, seeded questionnaires included.
    factories.ensure_seed_data()


@pytest.fixture
def staff_phone(browser, request, live_server):
    """A second phone, for staff, beside the citizen's."""
    context = browser.new_context(
        viewport={"width": 360, "height": VIEWPORT_HEIGHT}, is_mobile=True, has_touch=True, locale="vi-VN"
    )
    context.set_default_timeout(10_000)
    request.addfinalizer(context.close)
    return context.new_page()


def _submissions(page) -> list[str]:
    posts: list[str] = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    return posts


def _offered_statuses(page) -> set[str]:
    if not page.locator("#id_to").count():
        return set()
    return {value for value in page.locator("#id_to option").evaluate_all("os => os.map(o => o.value)") if value}


def test_an_officer_answers_a_new_case_in_one_submission_and_a_lead_publishes_with_one(
    staff_phone, live_server, world
):
    case = factories.make_pakn_case(unit=world.unit_a, text="Phòng chờ không có ghế cho người cao tuổi.")
    page = staff_phone

    # given the officer, who lands on the inbox after logging in
    login(page, live_server, "officer-a")
    assert page.url == f"{live_server.url}/pakn/hop-thu/"
    page.get_by_role("link", name=f"#{case.pk}").click()
    page.wait_for_load_state()
    # only the moves the workflow allows are offered
    assert _offered_statuses(page) == {"accepted", "rejected", "needs_information"}
    check_a11y(page)

    # when they write the answer to a case just received and send it: one submission
    posts = _submissions(page)
    page.get_by_label("Nội dung trả lời (công khai trên trang tra cứu)").fill("Đơn vị đã bổ sung ghế từ hôm nay.")
    page.get_by_role("button", name="Gửi dự thảo để phê duyệt").click()
    page.wait_for_load_state()
    assert len(posts) == 1
    case.refresh_from_db()
    assert case.status == Status.AWAITING_APPROVAL
    assert [e.to_status for e in case.events.filter(kind="transition")] == [
        Status.ACCEPTED,
        Status.IN_PROGRESS,
        Status.AWAITING_APPROVAL,
    ]
    # nothing the officer may not do is offered now: no approval, no status change
    assert page.get_by_role("button", name="Phê duyệt và công bố").count() == 0
    assert _offered_statuses(page) == set()

    # then the lead approves and publishes with one submission
    page.context.clear_cookies()
    login(page, live_server, "lead-a")
    assert page.url == f"{live_server.url}/pakn/hop-thu/"
    page.goto(f"{live_server.url}/pakn/ho-so/{case.pk}/")
    assert page.get_by_role("button", name="Chỉ phê duyệt").is_visible()  # approving alone is still possible
    posts = _submissions(page)
    page.get_by_role("button", name="Phê duyệt và công bố").click()
    page.wait_for_load_state()
    assert len(posts) == 1
    case.refresh_from_db()
    assert (case.status, case.public_answer) == (Status.ANSWERED, "Đơn vị đã bổ sung ghế từ hôm nay.")
    assert _offered_statuses(page) == {"closed"}
    check_a11y(page)


@pytest.mark.parametrize("status", [Status.RECEIVED, Status.NEEDS_INFORMATION, Status.AWAITING_APPROVAL])
def test_the_case_page_offers_exactly_the_allowed_moves(staff_phone, live_server, world, status):
    case = factories.make_pakn_case(unit=world.unit_a)
    if status == Status.NEEDS_INFORMATION:
        from feedback.services import change_case_status

        change_case_status(case=case, by=world.officer_a, to=status, note="Xin gửi giấy hẹn.")
    elif status == Status.AWAITING_APPROVAL:
        from feedback.services import answer_case

        answer_case(case=case, by=world.officer_a, text="Dự thảo")
    case.refresh_from_db()
    login(staff_phone, live_server, "officer-a")
    staff_phone.goto(f"{live_server.url}/pakn/ho-so/{case.pk}/")
    allowed = workflow.allowed_moves(case, world.officer_a)
    assert _offered_statuses(staff_phone) == {to for to, _label in workflow.status_choices(allowed)}
    answer_offered = staff_phone.get_by_role("button", name="Gửi dự thảo để phê duyệt").count() == 1
    assert answer_offered == (workflow.Move.ANSWER in allowed)


def test_a_refusal_shows_on_the_case_page_with_the_form_kept(staff_phone, live_server, world):
    case = factories.make_pakn_case(unit=world.unit_a)
    login(staff_phone, live_server, "officer-a")
    staff_phone.goto(f"{live_server.url}/pakn/ho-so/{case.pk}/")
    # a reason is needed to reject: the service refuses, the page says why and keeps the choice
    staff_phone.select_option("#id_to", "rejected")
    staff_phone.get_by_role("button", name="Cập nhật trạng thái").click()
    staff_phone.wait_for_load_state()
    assert staff_phone.url == f"{live_server.url}/pakn/ho-so/{case.pk}/"  # post/redirect/get
    assert "Hãy nêu lý do không thụ lý" in staff_phone.get_by_role("alert").first.inner_text()
    assert staff_phone.locator("#id_to").input_value() == "rejected"
    # a reload neither sends the form again nor repeats the message
    staff_phone.reload()
    assert staff_phone.get_by_text("Hãy nêu lý do không thụ lý").count() == 0
    assert Case.objects.get().status == Status.RECEIVED


def test_the_first_inbox_row_is_on_the_first_screen(staff_phone, live_server, world):
    today = timezone.localdate()
    newest = factories.make_pakn_case(unit=world.unit_a, text="Chưa trả kết quả đúng hẹn.")
    overdue = factories.make_pakn_case(unit=world.unit_a, text="Hồ sơ quá hạn đã lâu mà chưa được trả lời.")
    Case.objects.filter(pk=overdue.pk).update(due_date=today.replace(year=today.year - 1))
    login(staff_phone, live_server, "officer-a")
    # overdue first, with its excerpt, category and due badge
    first = staff_phone.locator("table.worklist tbody tr").first
    assert f"#{overdue.pk}" in first.inner_text() and "Hồ sơ quá hạn đã lâu" in first.inner_text()
    assert first.locator(".badge.bad").count() == 1
    assert newest.pk != overdue.pk
    # the whole first row, link included, is visible without scrolling
    box = first.bounding_box()
    link = first.get_by_role("link", name=f"#{overdue.pk}").bounding_box()
    assert staff_phone.evaluate("() => window.scrollY") == 0
    assert box["y"] + box["height"] <= VIEWPORT_HEIGHT and link["y"] + link["height"] <= VIEWPORT_HEIGHT
    check_a11y(staff_phone)


def test_a_citizen_reaches_thanks_in_two_taps_or_says_more_in_one_screen(phone, live_server, world):
    # given the rating page of counter A: tap one
    phone.goto(f"{live_server.url}/r/{world.counter_a.code}")
    phone.get_by_role("button", name="Không hài lòng", exact=True).click()
    phone.wait_for_url("**/r/s/**")
    # the follow-up fits the first screen: skip first, then the chips, the comment and the send button
    skip = phone.get_by_role("link", name="Bỏ qua")
    send = phone.get_by_role("button", name="Gửi ý kiến")
    assert skip.bounding_box()["y"] < phone.locator(".chip").first.bounding_box()["y"]
    assert send.bounding_box()["y"] + send.bounding_box()["height"] <= VIEWPORT_HEIGHT
    assert not phone.locator(".more-items fieldset").first.is_visible()  # the full items wait behind a tap
    check_a11y(phone)

    # when the citizen ticks a reason, writes a comment and sends: tap two
    chip = ReasonChip.objects.filter(is_active=True).first()
    phone.get_by_label(chip.label).check()
    phone.get_by_label("Góp ý thêm (không bắt buộc)").fill("Phải chờ rất lâu.")
    send.click()
    phone.wait_for_url("**/cam-on/")
    assert "Cảm ơn" in phone.locator("h1").inner_text()
    rating = Rating.objects.get()
    assert (rating.score, rating.reasons, rating.comment) == (2, [chip.code], "Phải chờ rất lâu.")

    # and going on to complain, the form starts with what was said
    phone.get_by_role("link", name="Gửi phản ánh, kiến nghị").click()
    phone.wait_for_url("**/pakn/gui/**")
    text = phone.get_by_label("Nội dung phản ánh, kiến nghị").input_value()
    assert chip.label in text and "Phải chờ rất lâu." in text


def test_skip_reaches_thanks_in_two_taps(phone, live_server, world):
    phone.goto(f"{live_server.url}/r/{world.counter_a.code}")
    phone.get_by_role("button", name="Rất hài lòng", exact=True).click()
    phone.wait_for_url("**/r/s/**")
    phone.get_by_role("link", name="Bỏ qua").click()
    phone.wait_for_url("**/cam-on/")
    assert "Cảm ơn" in phone.locator("h1").inner_text()


def test_on_the_embedded_default_a_new_rating_shows_on_its_dashboard_within_a_minute(
    phone, desktop, live_server, world, settings
):
    # given the embedded default: Celery eager, no beat, so the dashboards refresh what is stale when read
    settings.INDICES_REFRESH_ON_READ = True
    settings.CELERY_TASK_ALWAYS_EAGER = True
    login(desktop, live_server, "officer-a")
    dashboard = f"{live_server.url}/chi-so/don-vi/{world.unit_a.pk}/?ky={timezone.localdate():%Y-%m}"
    desktop.goto(dashboard)
    assert "Chưa có số liệu cho kỳ này." in desktop.content()

    # when a citizen rates in the browser
    phone.goto(f"{live_server.url}/r/{world.counter_a.code}")
    phone.get_by_role("button", name="Hài lòng", exact=True).click()
    phone.wait_for_url("**/r/s/**")
    rated_at = time.monotonic()

    # then the unit's dashboard shows it within 60 seconds
    while True:
        desktop.goto(dashboard)
        if "1 phiếu" in desktop.locator(".headline").inner_text():
            break
        assert time.monotonic() - rated_at < 60, "the rating did not reach the dashboard within a minute"
        desktop.wait_for_timeout(2000)


def test_a_file_over_the_limit_is_refused_before_it_is_sent(phone, live_server, world, settings):
    settings.PAKN_MAX_ATTACHMENT_BYTES = 1024 * 1024
    phone.goto(f"{live_server.url}/pakn/gui/?counter={world.counter_a.code}")
    phone.get_by_label("Thái độ của cán bộ").check()
    phone.get_by_label("Nội dung phản ánh, kiến nghị").fill("Cán bộ không hướng dẫn thủ tục rõ ràng.")
    phone.set_input_files(
        "input[name=files]",
        files=[{"name": "anh-lon.png", "mimeType": "image/png", "buffer": b"\x89PNG" + b"0" * (2 * 1024 * 1024)}],
    )
    alert = phone.locator("#id_files_size_error")
    assert alert.is_visible() and "anh-lon.png" in alert.inner_text() and "1 MB" in alert.inner_text()
    posts = _submissions(phone)
    phone.get_by_role("button", name="Gửi phản ánh").click()
    phone.wait_for_timeout(500)
    assert posts == [] and Case.objects.count() == 0
