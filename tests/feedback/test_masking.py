"""Masking of personal data in free text: what it hides and what it must leave readable."""

import pytest

from feedback.masking import MASK, contains_personal_data, mask_personal_data


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("gọi cho tôi 0912 345 678 nhé", f"gọi cho tôi {MASK} nhé"),
        ("SĐT: 0912.345.678.", f"SĐT: {MASK}."),
        ("sdt0912345678", f"sdt{MASK}"),
        ("số 0912-345-678", f"số {MASK}"),
        ("+84 912 345 678", MASK),
        ("84912345678", MASK),
        ("(028) 3829 1234", MASK),
        ("0912345678, 0987654321", f"{MASK}, {MASK}"),
        ("email a.b+c@gmail.com.vn ok", f"email {MASK} ok"),
        ("CCCD 052190001234", f"CCCD {MASK}"),
        ("CMND 211234567", f"CMND {MASK}"),
    ],
)
def test_masks_contact_details_and_identity_numbers(text, expected):
    assert mask_personal_data(text) == expected
    assert contains_personal_data(text)


@pytest.mark.parametrize(
    "text",
    [
        "phí 1.500.000 đồng",
        "nộp 100.000.000 đồng",
        "ngày 12/01/2025 lúc 10:30",
        "hồ sơ 000.00.12.H13-230101-0001",
        "tổng đài 1900 1234",
        "năm 2024 có 2 lần",
        "",
    ],
)
def test_leaves_amounts_dates_and_short_numbers_alone(text):
    assert mask_personal_data(text) == text
    assert not contains_personal_data(text)


def test_masks_given_names_ignoring_case_but_not_fragments():
    text = "Tôi là NGUYỄN VĂN AN, ở phường An Nhơn."
    assert mask_personal_data(text, also=["Nguyễn Văn An", "An", ""]) == f"Tôi là {MASK}, ở phường An Nhơn."


def test_none_gives_empty_text():
    assert mask_personal_data(None) == ""
