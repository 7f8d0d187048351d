"""indices.dossiers.upsert_dossier_stats: validation of every row first, then all or nothing."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from indices.dossiers import UNKNOWN_UNIT, upsert_dossier_stats
from indices.models import DossierStat

pytestmark = pytest.mark.django_db


def test_rows_take_units_or_codes_and_dates_or_months(world):
    written = upsert_dossier_stats(
        rows=[
            {"unit": world.unit_a, "month": datetime.date(2025, 5, 17), "handled": 10, "late": 0},
            {"unit": world.unit_b.code, "month": "2025-05", "handled": 7, "late": 7},
        ]
    )

    assert written == 2
    assert set(DossierStat.objects.values_list("month", flat=True)) == {datetime.date(2025, 5, 1)}


def test_every_fault_is_reported_and_nothing_is_written(world):
    upsert_dossier_stats(rows=[{"unit": world.unit_a, "month": "2025-01", "handled": 5, "late": 1}])

    with pytest.raises(ValidationError) as caught:
        upsert_dossier_stats(
            rows=[
                {"unit": world.unit_a, "month": "2025-01", "handled": 50, "late": 2},
                {"unit": "khong-co", "month": "2025-01", "handled": 1, "late": 0},
                {"unit": world.unit_b, "month": "01/2025", "handled": True, "late": 3},
            ]
        )

    errors = caught.value.error_dict
    assert set(errors) == {"1.unit", "2.month", "2.handled"}
    assert errors["1.unit"][0].code == UNKNOWN_UNIT
    assert DossierStat.objects.get().handled == 5  # The first call's figures are untouched.


def test_an_empty_batch_writes_nothing(world):
    assert upsert_dossier_stats(rows=[]) == 0
