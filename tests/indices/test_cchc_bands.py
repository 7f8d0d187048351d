"""Classification bands and schemes: exact boundaries, optional Xuất sắc, versioning by year."""

from decimal import Decimal

import pytest

from indices.cchc import Band, bands_of, cchc_percent, classify, scheme_for_year
from indices.models import ReportScheme


@pytest.mark.parametrize(
    ("percent", "band"),
    [
        ("100", Band.GOOD),
        ("80.00", Band.GOOD),
        ("79.99", Band.FAIR),
        ("79.9999", Band.FAIR),
        ("70.00", Band.FAIR),
        ("69.99", Band.AVERAGE),
        ("50.00", Band.AVERAGE),
        ("49.99", Band.WEAK),
        ("0", Band.WEAK),
    ],
)
def test_default_bands_at_their_exact_boundaries(percent, band):
    assert classify(Decimal(percent), ReportScheme(valid_from_year=2017)) == band


def test_bands_are_computed_from_points_at_full_precision():
    scheme = ReportScheme(valid_from_year=2017)
    assert classify(cchc_percent(Decimal("40"), Decimal("50")), scheme) == Band.GOOD
    assert classify(cchc_percent(Decimal("79.99"), Decimal("100")), scheme) == Band.FAIR
    # 55.99 / 70 = 79.985...%: displayed as 79.99 and classified Khá.
    assert classify(cchc_percent(Decimal("55.99"), Decimal("70")), scheme) == Band.FAIR
    assert classify(None, scheme) is None


def test_optional_excellent_band():
    scheme = ReportScheme(valid_from_year=2020, excellent_min=Decimal("90"))
    assert classify(Decimal("90.00"), scheme) == Band.EXCELLENT
    assert classify(Decimal("89.99"), scheme) == Band.GOOD
    assert bands_of(scheme)[0] == Band.EXCELLENT
    assert Band.EXCELLENT not in bands_of(ReportScheme(valid_from_year=2020))


@pytest.mark.django_db
def test_schemes_are_versioned_by_year_with_the_design_defaults_before_any():
    ReportScheme.objects.create(
        valid_from_year=2020, good_min=85, fair_min=72, average_min=55, cchc_weight=0.6, satisfaction_weight=0.4
    )
    ReportScheme.objects.create(valid_from_year=2023, good_min=82)

    default = scheme_for_year(2019)
    assert default.pk is None
    assert (default.good_min, default.fair_min, default.average_min) == (80, 70, 50)
    assert (float(default.cchc_weight), float(default.satisfaction_weight)) == (0.65, 0.35)
    assert scheme_for_year(2020).good_min == 85
    assert scheme_for_year(2022).good_min == 85
    assert classify(Decimal("84.99"), scheme_for_year(2021)) == Band.FAIR
    assert scheme_for_year(2024).good_min == 82
