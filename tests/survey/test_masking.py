"""Masking personal data in free text (no database)."""

import pytest

from survey.masking import MASK, mask_personal_data


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Gọi tôi 0912345678 nhé", f"Gọi tôi {MASK} nhé"),
        ("sđt +84 912.345.678.", f"sđt {MASK}."),
        ("CCCD 079123456789, hồ sơ 2025-000123", f"CCCD {MASK}, hồ sơ {MASK}"),
        ("email nguyen.van.a@gmail.com hỏi lại", f"email {MASK} hỏi lại"),
        ("Chờ 45 phút, quầy số 3, ngày 12/3", "Chờ 45 phút, quầy số 3, ngày 12/3"),
        ("0912 345 678", MASK),
    ],
)
def test_personal_data_is_masked_and_ordinary_numbers_are_kept(text, expected):
    assert mask_personal_data(text) == expected
