"""The provincial review page works in the browser: choose a cluster, decide, confirm; accessible throughout."""

import datetime

import pytest
from django.utils import timezone

from survey.models import Rating
from tests import factories
from tests.browser.conftest import check_a11y, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_reviewer_excludes_a_burst_with_confirmation(desktop, live_server, world):
    start = timezone.now() - datetime.timedelta(hours=1)
    for i in range(6):
        factories.make_rating(
            counter=world.counter_a,
            status=Rating.Status.QUARANTINED,
            flags=["burst"],
            created_at=start + datetime.timedelta(seconds=20 * i),
        )
    login(desktop, live_server, "province")
    desktop.get_by_role("link", name="Kiểm duyệt đánh giá").first.click()
    check_a11y(desktop)

    desktop.get_by_label("6 đánh giá", exact=False).check()
    desktop.get_by_label("Loại bỏ").check()
    desktop.get_by_label("Lý do").fill("Dồn phiếu từ máy tự động")
    desktop.get_by_role("button", name="Tiếp tục").click()
    assert desktop.get_by_role("heading", name="Xác nhận quyết định").is_visible()
    check_a11y(desktop)
    desktop.get_by_role("button", name="Xác nhận").click()

    assert desktop.get_by_text("Đã ghi quyết định cho 6 đánh giá").is_visible()
    assert Rating.objects.filter(status=Rating.Status.EXCLUDED).count() == 6
