"""The scheme page: provincial staff set bands, weights and target from a year; the report follows them."""

from decimal import Decimal

import pytest
from django.urls import reverse

from indices.cchc import Band
from indices.models import ReportScheme
from indices.reports import build_province_report
from survey.models import User

pytestmark = pytest.mark.django_db

GOOD = {
    "valid_from_year": 2017,
    "excellent_min": "",
    "good_min": "85",
    "fair_min": "70",
    "average_min": "50",
    "cchc_weight": "0.6",
    "satisfaction_weight": "0.4",
    "satisfaction_target": "85",
    "note": "",
}


def test_a_scheme_from_a_year_changes_that_year_report(client, demo):
    client.force_login(User.objects.get(username="province"))

    assert client.post(reverse("reports:scheme-edit"), GOOD).status_code == 302
    assert client.post(reverse("reports:scheme-edit"), {**GOOD, "good_min": "82.36"}).status_code == 302

    scheme = ReportScheme.objects.get()
    assert (scheme.good_min, scheme.cchc_weight) == (Decimal("82.36"), Decimal("0.6"))
    report = build_province_report(year=2017)
    office = next(r for r in report.rows if r.code == "vp-ubnd")
    assert office.band == Band.GOOD  # 82.36 is exactly the threshold
    assert next(r for r in report.rows if r.code == "so-tu-phap").band == Band.FAIR  # 80.52 is below it now
    assert build_province_report(year=2016).scheme.pk is None  # earlier years keep the defaults
    page = client.get(reverse("reports:scheme-edit"), {"year": 2017}).content.decode()
    assert 'value="82.36"' in page


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"fair_min": "90"}, "Các ngưỡng phải tăng dần"),
        ({"excellent_min": "80"}, "Ngưỡng Xuất sắc phải lớn hơn ngưỡng Tốt"),
        ({"satisfaction_weight": "0.5"}, "Hai trọng số phải không âm và có tổng bằng 1."),
        ({"satisfaction_target": "120"}, "Mục tiêu phải trong khoảng 0–100."),
        ({"valid_from_year": "abc"}, "Năm phải là một số."),
        ({"good_min": "tám"}, "Hãy nhập một số."),
    ],
)
def test_a_bad_scheme_is_refused_and_nothing_is_saved(client, world, change, message):
    client.force_login(world.province)
    response = client.post(reverse("reports:scheme-edit"), {**GOOD, **change})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ReportScheme.objects.exists()
