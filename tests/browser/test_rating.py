"""A citizen scans the QR code printed on a counter's poster and rates on a phone, with and without JavaScript;
kiosk tablets reset themselves; the staff batch-poster page follows the background job."""

import io

import pytest
import zxingcpp
from pypdf import PdfReader

from survey import qrcodes, selectors, services, views
from survey.models import PosterBatch, Rating
from tests import factories
from tests.browser.conftest import check_a11y, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _seed_data(transactional_db):
    # Transactional tests flush the database after each test, seeded questionnaires included.
    factories.ensure_seed_data()


def _url_from_poster(counter) -> str:
    """Print the counter's poster, take the QR image out of the PDF and decode it with a real QR decoder."""
    pdf = PdfReader(io.BytesIO(qrcodes.poster_pdf([counter])))
    results = zxingcpp.read_barcodes(pdf.pages[0].images[0].image)
    assert len(results) == 1
    return results[0].text


@pytest.mark.parametrize("device", ["phone", "phone_nojs"])
def test_scan_poster_tap_a_face_answer_items_and_find_exactly_that_rating(
    request, live_server, world, settings, device
):
    # given a poster printed for the live site
    settings.PUBLIC_BASE_URL = live_server.url
    page = request.getfixturevalue(device)
    url = _url_from_poster(world.counter_a)
    assert url == f"{live_server.url}/r/{world.counter_a.code}"

    # when the citizen opens the decoded URL and taps a face
    page.goto(url)
    assert page.locator(".place-unit").inner_text() == "Sở Tư pháp"
    assert page.locator(".place-counter").inner_text() == "Quầy số 1"
    if device == "phone":
        check_a11y(page)
    page.get_by_role("button", name="Không hài lòng", exact=True).click()
    page.wait_for_url("**/r/s/**")

    # then the rating is stored at once
    rating = Rating.objects.get()
    assert rating.score == 2

    # when they answer two items and pick a reason
    assert "Đã ghi nhận" in page.locator(".recorded").inner_text()
    if device == "phone":
        check_a11y(page)
    # the full questionnaire waits behind "Trả lời thêm" (a native disclosure: no JavaScript needed)
    page.get_by_text("Trả lời thêm (5 câu hỏi)").click()
    items = page.locator("fieldset.item")
    assert items.count() == 5
    items.nth(0).get_by_label("Rất hài lòng", exact=True).check()
    items.nth(2).get_by_label("Không có ý kiến", exact=True).check()
    page.get_by_label("Trả kết quả trễ hẹn").check()
    page.get_by_role("button", name="Gửi ý kiến").first.click()
    page.wait_for_url("**/cam-on/")

    # then the thanks page invites a complaint carrying the counter and the rating
    link = page.get_by_role("link", name="Gửi phản ánh, kiến nghị")
    assert link.get_attribute("href") == f"/pakn/gui/?counter={world.counter_a.code}&rating={rating.idempotency_key}"
    if device == "phone":
        check_a11y(page)

    # and exactly that rating is stored, with the right counter, unit, questionnaire version and channel
    rating = Rating.objects.get()
    short = selectors.find_active_questionnaire(unit_id=world.unit_a.pk)
    assert (rating.counter, rating.unit, rating.channel) == (world.counter_a, world.unit_a, Rating.Channel.QR)
    assert rating.questionnaire == short and (short.family, short.version) == ("sipas-short", 1)
    assert dict(rating.answers.values_list("item__code", "value")) == {"SA": 5, "SS": None}
    assert rating.reasons == ["tre-hen"]


def test_double_tap_with_javascript_stores_one_rating(phone, live_server, world):
    phone.goto(f"{live_server.url}/r/{world.counter_a.code}")
    button = phone.get_by_role("button", name="Rất hài lòng", exact=True)
    button.dblclick()
    phone.wait_for_url("**/r/s/**")
    assert Rating.objects.count() == 1


def test_retired_code_shows_the_replaced_page(phone, live_server, world):
    old = world.counter_a.code
    services.rotate_counter_code(counter=world.counter_a, by=world.officer_a)
    phone.goto(f"{live_server.url}/r/{old}")
    assert phone.get_by_role("heading", level=1).inner_text() == "Mã này đã được thay"
    check_a11y(phone)
    assert Rating.objects.count() == 0


def test_kiosk_resets_itself_after_a_rating(phone, live_server, world, monkeypatch):
    # Long enough for the accessibility check of the thanks page to finish before the reset navigates away.
    monkeypatch.setattr(views, "KIOSK_RESET_AFTER_RATING", 4)
    token = services.issue_kiosk_token(counter=world.counter_a, by=world.officer_a, label="Máy 1")
    kiosk_url = f"{live_server.url}/kiosk/{token.token}/"
    phone.goto(kiosk_url)
    phone.get_by_role("button", name="Hài lòng", exact=True).click()
    phone.wait_for_url("**/s/**")
    phone.get_by_role("link", name="Bỏ qua").click()
    phone.wait_for_url("**/cam-on/")
    check_a11y(phone)
    phone.wait_for_url(kiosk_url, timeout=10_000)
    assert phone.get_by_role("button", name="Hài lòng", exact=True).is_visible()
    rating = Rating.objects.get()
    assert rating.channel == Rating.Channel.KIOSK and rating.score == 4


def test_kiosk_without_javascript_offers_next_citizen(phone_nojs, live_server, world):
    token = services.issue_kiosk_token(counter=world.counter_a, by=world.officer_a, label="Máy 1")
    kiosk_url = f"{live_server.url}/kiosk/{token.token}/"
    phone_nojs.goto(kiosk_url)
    phone_nojs.get_by_role("button", name="Bình thường", exact=True).click()
    phone_nojs.wait_for_url("**/s/**")
    phone_nojs.get_by_role("link", name="Người tiếp theo").click()
    phone_nojs.wait_for_url(kiosk_url)
    assert Rating.objects.get().channel == Rating.Channel.KIOSK


def test_batch_poster_page_follows_the_job_and_offers_the_pdf(desktop, live_server, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    batch = PosterBatch.objects.create(unit=world.unit_a, requested_by=world.officer_a, total=1)
    login(desktop, live_server, "officer-a")
    desktop.goto(f"{live_server.url}/quay/in-ap-phich/{batch.pk}/")
    assert desktop.get_by_role("link", name="Làm mới để xem tiến độ").is_visible()
    check_a11y(desktop)

    services.generate_poster_batch(batch_id=batch.pk)

    download = desktop.get_by_role("link", name="Tải áp phích (PDF)")
    download.wait_for(timeout=8000)
    assert download.get_attribute("href") == f"/quay/in-ap-phich/{batch.pk}/tai-ve/"


def test_staff_counter_page_is_accessible(desktop, live_server, world):
    login(desktop, live_server, "officer-a")
    desktop.get_by_role("link", name="Quầy và mã QR").first.click()
    desktop.wait_for_url("**/quay/don-vi/**")
    assert world.counter_a.code in desktop.content()
    check_a11y(desktop)
