"""A citizen on a phone, without an account, reaches the results from the home page, reads a unit's index with its
number of ballots, and finds a published answer; personal data and unpublished cases stay invisible. The public
pages pass axe in Vietnamese and in English."""

import pytest

from feedback.services import ContactInput, change_case_status
from tests import factories
from tests.browser.conftest import check_a11y
from tests.browser.test_pages_a11y import SMALL_TARGETS
from tests.public.conftest import make_results

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PUBLISHED = "Quầy hẹn trả kết quả thứ Hai nhưng thứ Sáu chưa có; tôi đã gọi 0912 345 678 nhiều lần."
UNPUBLISHED = "Nội dung riêng tư của một người không đồng ý công khai."


def _answered(world, text, contact):
    case = factories.make_pakn_case(unit=world.unit_a, text=text, contact=contact)
    change_case_status(case=case, by=world.officer_a, to="accepted")
    change_case_status(case=case, by=world.officer_a, to="in_progress")
    return factories.publish_pakn_answer(
        case, officer=world.officer_a, lead=world.lead_a, text="Đơn vị đã trả kết quả; liên hệ tpa@example.vn."
    )


@pytest.fixture
def public_world(world, settings):
    factories.ensure_seed_data()
    results = make_results(world, settings)
    _answered(
        world,
        PUBLISHED,
        ContactInput(name="Lê Văn Cường", email="cuong@example.vn", consent_reply=True, consent_publish=True),
    )
    _answered(world, UNPUBLISHED, ContactInput(email="x@example.vn", consent_reply=True))
    return results


def test_citizen_reaches_a_units_index_and_a_published_answer_on_a_phone(phone, live_server, public_world):
    world = public_world.world
    phone.goto(live_server.url + "/")
    phone.get_by_role("link", name="Xem kết quả").click()
    assert phone.get_by_role("heading", level=1).inner_text() == "Kết quả đánh giá sự hài lòng"
    phone.get_by_role("link", name=world.unit_a.name).click()

    assert phone.get_by_role("heading", level=1).inner_text() == world.unit_a.name
    assert "%" in phone.locator(".kpi").inner_text()
    assert phone.get_by_text("n = 5 phiếu đánh giá").is_visible()

    body = phone.locator("main").inner_text()
    assert "Quầy hẹn trả kết quả thứ Hai nhưng thứ Sáu chưa có" in body
    for personal in ("0912 345 678", "Lê Văn Cường", "cuong@example.vn", "tpa@example.vn", UNPUBLISHED):
        assert personal not in phone.content()


@pytest.mark.parametrize("language", ["vi", "en"])
def test_public_pages_pass_axe(phone, live_server, public_world, language):
    world = public_world.world
    phone.goto(live_server.url + "/")
    if language == "en":
        phone.get_by_role("button", name="English").click()
        assert phone.locator("html").get_attribute("lang") == "en"
    for path in ("/", "/ket-qua/", f"/ket-qua/don-vi/{world.unit_a.pk}/", f"/ket-qua/don-vi/{world.unit_b.pk}/",
                 "/ket-qua/tra-loi/", "/ket-qua/tra-loi/?ky=sai", "/ket-qua/phuong-phap/"):  # fmt: skip
        phone.goto(live_server.url + path)
        assert phone.locator("html").get_attribute("lang") == language
        check_a11y(phone)
        assert phone.evaluate(SMALL_TARGETS) == [], path
