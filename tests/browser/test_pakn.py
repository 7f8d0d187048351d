"""PAKN end to end on a phone: the citizen scans the counter's QR code, taps the unhappiest face, follows the
invitation to complain (the counter and the rating carried along), sends a complaint with a photo, the unit's
officer drafts the answer, which the citizen cannot see until the unit's lead approves and publishes it, the citizen
rates the answer unsatisfactory and appeals, and provincial staff see the escalated case.
"""

import io

import pytest
import zxingcpp
from PIL import Image
from pypdf import PdfReader

from feedback.models import Case
from survey import qrcodes
from survey.models import Rating
from tests import factories
from tests.browser.conftest import check_a11y, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _seed_data(transactional_db):
    # Transactional tests flush the database after each test, seeded questionnaires included.
    factories.ensure_seed_data()


def _scan(counter) -> str:
    """The URL a phone's camera reads from the counter's printed poster."""
    pdf = PdfReader(io.BytesIO(qrcodes.poster_pdf([counter])))
    results = zxingcpp.read_barcodes(pdf.pages[0].images[0].image)
    assert len(results) == 1
    return results[0].text


def _photo(tmp_path):
    path = tmp_path / "quay-so-1.png"
    image = Image.new("RGB", (32, 24), (180, 40, 40))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    path.write_bytes(buffer.getvalue())
    return path


def test_complaint_answer_appeal_and_escalation(phone, desktop, live_server, world, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PUBLIC_BASE_URL = live_server.url

    # given a citizen who scans counter A's poster and taps the unhappiest face
    url = _scan(world.counter_a)
    assert url == f"{live_server.url}/r/{world.counter_a.code}"
    phone.goto(url)
    phone.get_by_role("button", name="Rất không hài lòng", exact=True).click()
    phone.wait_for_url("**/r/s/**")
    rating = Rating.objects.get()
    assert (rating.counter, rating.score, rating.status) == (world.counter_a, 1, Rating.Status.ACCEPTED)
    phone.get_by_role("link", name="Bỏ qua").click()
    phone.wait_for_url("**/cam-on/")

    # when they follow the invitation to complain, which carries the counter and the rating
    invitation = phone.get_by_role("link", name="Gửi phản ánh, kiến nghị")
    assert invitation.get_attribute("href") == (
        f"/pakn/gui/?counter={world.counter_a.code}&rating={rating.idempotency_key}"
    )
    invitation.click()
    phone.wait_for_url("**/pakn/gui/**")

    # and file a complaint with a photo
    assert "Sở Tư pháp" in phone.locator(".pakn-origin").inner_text()
    assert "Quầy số 1" in phone.locator(".pakn-origin").inner_text()
    check_a11y(phone)
    phone.get_by_label("Thái độ của cán bộ").check()
    phone.get_by_label("Nội dung phản ánh, kiến nghị").fill("Cán bộ quầy số 1 trả lời thiếu lịch sự, không hướng dẫn.")
    phone.set_input_files("input[name=files]", str(_photo(tmp_path)))
    phone.get_by_role("button", name="Gửi phản ánh").click()
    phone.wait_for_load_state()

    # then they get a tracking code
    code = phone.locator("#tracking-code").inner_text().strip()
    assert len(code) == 16
    check_a11y(phone)
    case = Case.objects.get()
    assert (case.unit, case.counter, case.rating, case.attachments.count()) == (
        world.unit_a,
        world.counter_a,
        rating,
        1,
    )

    # the unit's officer finds it in the inbox and drafts the answer
    login(desktop, live_server, "officer-a")
    desktop.goto(live_server.url + "/pakn/hop-thu/")
    check_a11y(desktop)
    desktop.get_by_role("link", name=f"#{case.pk}").click()
    desktop.wait_for_load_state()
    check_a11y(desktop)
    assert desktop.get_by_role("link", name="quay-so-1.png").is_visible()
    for step in ("accepted", "in_progress"):
        desktop.select_option("#id_to", step)
        desktop.get_by_role("button", name="Cập nhật trạng thái").click()
        desktop.wait_for_load_state()
    desktop.get_by_label("Nội dung trả lời (công khai trên trang tra cứu)").fill(
        "Đơn vị đã nhắc nhở cán bộ và xin lỗi ông/bà."
    )
    desktop.get_by_role("button", name="Gửi dự thảo để phê duyệt").click()
    desktop.wait_for_load_state()
    assert "Chờ phê duyệt" in desktop.locator(".pakn-facts").first.inner_text()
    check_a11y(desktop)

    # the citizen does not see the draft: the case is still in progress
    phone.goto(f"{live_server.url}/pakn/tra-cuu/{code}/")
    assert "Đang xử lý" in phone.locator(".pakn-facts").inner_text()
    assert "xin lỗi ông/bà" not in phone.content()

    # the unit's lead approves the answer, editing it, and publishes it before its publication deadline
    desktop.context.clear_cookies()
    login(desktop, live_server, "lead-a")
    desktop.goto(f"{live_server.url}/pakn/ho-so/{case.pk}/")
    check_a11y(desktop)
    approved_text = desktop.get_by_label("Nội dung trả lời được phê duyệt (có thể chỉnh sửa)")
    assert approved_text.input_value() == "Đơn vị đã nhắc nhở cán bộ và xin lỗi ông/bà."
    approved_text.fill("Đơn vị đã nhắc nhở cán bộ, hướng dẫn lại thủ tục và xin lỗi ông/bà.")
    desktop.get_by_role("button", name="Chỉ phê duyệt").click()
    desktop.wait_for_load_state()
    case.refresh_from_db()
    due = case.due_date
    assert f"hãy công bố trước hết ngày {due.day}/{due.month}/{due.year}" in desktop.content()
    check_a11y(desktop)
    phone.reload()
    assert "xin lỗi ông/bà" not in phone.content()
    desktop.get_by_role("button", name="Công bố trả lời").click()
    desktop.wait_for_load_state()
    assert "Đã trả lời" in desktop.content()

    # the citizen sees the answer through the code, rates it unsatisfactory and appeals
    phone.goto(live_server.url + "/pakn/tra-cuu/")
    check_a11y(phone)
    phone.get_by_label("Mã tra cứu").fill(code)
    phone.get_by_role("button", name="Tra cứu").click()
    phone.wait_for_load_state()
    assert "Đơn vị đã nhắc nhở cán bộ, hướng dẫn lại thủ tục và xin lỗi ông/bà." in phone.content()
    check_a11y(phone)
    phone.get_by_label("Không hài lòng").check()
    phone.get_by_role("button", name="Gửi đánh giá").click()
    phone.wait_for_load_state()
    phone.get_by_label("Lý do ông/bà đề nghị xem xét lại").fill("Tôi chưa được hướng dẫn lại thủ tục.")
    phone.get_by_role("button", name="Gửi đề nghị xem xét lại").click()
    phone.wait_for_load_state()
    assert "Đã chuyển cán bộ cấp tỉnh xem xét lại" in phone.content()
    check_a11y(phone)

    # provincial staff see the escalated case
    desktop.context.clear_cookies()
    login(desktop, live_server, "province")
    desktop.goto(live_server.url + "/pakn/tong-hop/")
    check_a11y(desktop)
    escalated = desktop.locator(".pakn-escalated")
    assert f"#{case.pk}" in escalated.inner_text() and "Đề nghị xem xét lại" in escalated.inner_text()
    escalated.get_by_role("link", name=f"#{case.pk}").click()
    desktop.wait_for_load_state()
    assert "Tôi chưa được hướng dẫn lại thủ tục." in desktop.content()
    check_a11y(desktop)


def test_submission_works_without_javascript(phone_nojs, live_server, world):
    phone_nojs.goto(live_server.url + "/pakn/gui/")
    phone_nojs.select_option("#id_unit", str(world.unit_b.pk))
    phone_nojs.get_by_label("Cơ sở vật chất").check()
    phone_nojs.get_by_label("Nội dung phản ánh, kiến nghị").fill("Ghế chờ bị hỏng, không có nước uống.")
    phone_nojs.get_by_role("button", name="Gửi phản ánh").click()
    phone_nojs.wait_for_load_state()
    assert len(phone_nojs.locator("#tracking-code").inner_text().strip()) == 16
    # axe-core needs JavaScript: the same pages are checked in the test above.
    assert Case.objects.get().unit == world.unit_b
