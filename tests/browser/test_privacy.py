"""The citizen's data request on a phone: from the privacy notice to seeing, then erasing, their contact details;
the same without JavaScript; and provincial staff's list of data requests."""

import datetime

import pytest
from django.utils import timezone

from feedback import retention
from feedback.models import CaseContact, DataRequest
from feedback.services import ContactInput
from survey.models import AuditEntry
from tests import factories
from tests.browser.conftest import check_a11y, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _case(world):
    return factories.make_pakn_case(
        unit=world.unit_a, contact=ContactInput(name="Lê Văn C", phone="0905 111 222", consent_reply=True)
    )


def test_citizen_sees_then_erases_their_contact_on_a_phone(phone, live_server, world):
    case = _case(world)

    # given the PAKN form, whose notice links to the request page
    phone.goto(live_server.url + "/pakn/gui/")
    phone.get_by_role("link", name="tại trang Thông tin liên hệ của ông/bà").click()
    phone.wait_for_load_state()
    check_a11y(phone)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360

    # a wrong contact reveals nothing
    phone.get_by_role("textbox", name="Mã tra cứu").fill(case.tracking_code)
    phone.get_by_label("Email hoặc số điện thoại ông/bà đã cung cấp").fill("0905 999 999")
    phone.get_by_label("Xem thông tin liên hệ cơ quan đang lưu").check()
    phone.get_by_role("button", name="Gửi yêu cầu").click()
    phone.wait_for_load_state()
    assert "Không tìm thấy thông tin liên hệ khớp" in phone.content()
    assert "Lê Văn C" not in phone.content()
    check_a11y(phone)

    # when they give the right pair and ask to see
    phone.get_by_role("textbox", name="Mã tra cứu").fill(case.tracking_code)
    phone.get_by_label("Email hoặc số điện thoại ông/bà đã cung cấp").fill("+84905111222")
    phone.get_by_label("Xem thông tin liên hệ cơ quan đang lưu").check()
    phone.get_by_role("button", name="Gửi yêu cầu").click()
    phone.wait_for_load_state()

    # then they see what they gave
    stored = phone.locator("#stored-contact").inner_text()
    assert "Lê Văn C" in stored and "0905 111 222" in stored
    check_a11y(phone)
    # the page fits the phone's width
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360

    # when they ask to erase it, confirming
    phone.goto(live_server.url + "/pakn/du-lieu-ca-nhan/")
    phone.get_by_role("textbox", name="Mã tra cứu").fill(case.tracking_code)
    phone.get_by_label("Email hoặc số điện thoại ông/bà đã cung cấp").fill("0905111222")
    phone.get_by_label("Xóa thông tin liên hệ của tôi").check()
    phone.get_by_role("button", name="Gửi yêu cầu").click()
    phone.wait_for_load_state()
    # without the confirmation box the form says what is missing, next to the box
    assert "Hãy đánh dấu xác nhận" in phone.content()
    check_a11y(phone)
    phone.get_by_role("textbox", name="Mã tra cứu").fill(case.tracking_code)
    phone.get_by_label("Email hoặc số điện thoại ông/bà đã cung cấp").fill("0905111222")
    phone.get_by_label("Xóa thông tin liên hệ của tôi").check()
    phone.get_by_label("Tôi hiểu rằng sau khi xóa").check()
    phone.get_by_role("button", name="Gửi yêu cầu").click()
    phone.wait_for_load_state()

    # then the contact is gone, once, and the case is still there to follow
    assert phone.locator("#erase-result").is_visible()
    check_a11y(phone)
    assert not CaseContact.objects.filter(case=case).exists()
    assert AuditEntry.objects.filter(action="privacy.erase_contact").count() == 1
    phone.get_by_role("link", name="Xem phản ánh của ông/bà").click()
    phone.wait_for_load_state()
    assert phone.locator("#tracking-code").inner_text().strip() == case.tracking_code


def test_the_request_works_without_javascript(phone_nojs, live_server, world):
    case = _case(world)
    phone_nojs.goto(live_server.url + "/pakn/du-lieu-ca-nhan/")
    phone_nojs.get_by_role("textbox", name="Mã tra cứu").fill(case.tracking_code)
    phone_nojs.get_by_label("Email hoặc số điện thoại ông/bà đã cung cấp").fill("0905111222")
    phone_nojs.get_by_label("Xem thông tin liên hệ cơ quan đang lưu").check()
    phone_nojs.get_by_role("button", name="Gửi yêu cầu").click()
    phone_nojs.wait_for_load_state()
    assert "Lê Văn C" in phone_nojs.locator("#stored-contact").inner_text()
    assert DataRequest.objects.get().outcome == "shown"


def test_provincial_staff_see_an_overdue_request_and_handle_it(desktop, live_server, world):
    case = _case(world)
    request = retention.record_data_request(case=case, kind="delete", by=world.province, note="Đơn qua bưu điện")
    received = timezone.now() - datetime.timedelta(hours=80)
    DataRequest.objects.filter(pk=request.pk).update(
        received_at=received, due_at=received + datetime.timedelta(hours=72)
    )

    login(desktop, live_server, "province")
    desktop.locator(".staff-nav").get_by_role("link", name="Yêu cầu về dữ liệu cá nhân").click()
    desktop.wait_for_load_state()
    assert desktop.locator("tr.data-request.overdue").count() == 1
    check_a11y(desktop)
    # Erasing takes a second, explicit step.
    desktop.locator("summary", has_text="Xóa thông tin liên hệ").click()
    desktop.get_by_role("button", name="Xác nhận").click()
    desktop.wait_for_load_state()
    assert "Đã xử lý yêu cầu: Đã xóa." in desktop.content()
    assert not CaseContact.objects.filter(case=case).exists()
    check_a11y(desktop)
