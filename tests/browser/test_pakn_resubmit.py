"""A citizen on a phone who goes back after filing a complaint and sends the form again gets the first case back,
not a second one; a new complaint with nearly the same text is shown as a likely duplicate before it is filed."""

import pytest

from feedback.models import Case
from tests.browser.conftest import check_a11y

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = "Cán bộ hẹn trả kết quả ngày 10/6 nhưng đến 14/6 vẫn chưa có, tôi phải đi lại ba lần."


def _fill(page, world, text=TEXT):
    page.select_option("#id_unit", str(world.unit_a.pk))
    page.get_by_label("Trả kết quả trễ hẹn").check()
    page.get_by_label("Nội dung phản ánh, kiến nghị").fill(text)


def test_back_and_resubmit_returns_the_first_case(phone, live_server, world):
    # given a citizen who filed a complaint on a phone
    phone.goto(live_server.url + "/pakn/gui/")
    _fill(phone, world)
    phone.get_by_role("button", name="Gửi phản ánh").click()
    phone.wait_for_load_state()
    first_code = phone.locator("#tracking-code").inner_text().strip()
    assert len(first_code) == 16

    # when they go back to the form and send it again
    phone.go_back()
    phone.wait_for_load_state()
    assert phone.get_by_label("Nội dung phản ánh, kiến nghị").input_value() == TEXT
    phone.get_by_role("button", name="Gửi phản ánh").click()
    phone.wait_for_load_state()

    # then they see the first case again, and only one case exists
    assert phone.locator("#tracking-code").inner_text().strip() == first_code
    assert "Phản ánh này đã được gửi trước đó" in phone.content()
    assert Case.objects.count() == 1


def test_a_likely_duplicate_is_shown_before_filing_and_can_still_be_filed(phone, live_server, world):
    # given a complaint filed from this phone
    phone.goto(live_server.url + "/pakn/gui/")
    _fill(phone, world)
    phone.get_by_role("button", name="Gửi phản ánh").click()
    phone.wait_for_load_state()
    first = Case.objects.get()

    # when the citizen opens a fresh form and sends nearly the same text to the same unit
    phone.goto(live_server.url + "/pakn/gui/")
    _fill(phone, world, text=TEXT.replace("ba lần", "ba lần rồi"))
    phone.get_by_role("button", name="Gửi phản ánh").click()
    phone.wait_for_load_state()

    # then nothing is filed yet: the page says a similar complaint was sent, without showing its code
    assert Case.objects.count() == 1
    notice = phone.locator(".pakn-duplicate")
    assert "Có thể ông/bà đã gửi phản ánh này rồi." in notice.inner_text()
    assert first.tracking_code not in phone.content()
    check_a11y(phone)

    # and the citizen may still file it, which links it to the first for the officer
    phone.get_by_label("Đây là phản ánh khác, tôi vẫn muốn gửi.").check()
    phone.get_by_role("button", name="Gửi phản ánh").click()
    phone.wait_for_load_state()
    second = Case.objects.exclude(pk=first.pk).get()
    assert phone.locator("#tracking-code").inner_text().strip() == second.tracking_code
    assert second.duplicate_of == first
