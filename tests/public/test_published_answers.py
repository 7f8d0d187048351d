"""Published answers: only cases whose citizen consented, answered and published; no personal data (names,
contacts, attachments, tracking codes; phone numbers and emails typed into the text are masked)."""

import pytest
from django.urls import reverse

from feedback.models import Attachment
from feedback.retention import erase_case_contact
from feedback.services import ContactInput, change_case_status, rate_answer
from public.masking import mask_personal_data
from tests import factories

pytestmark = pytest.mark.django_db

TEXT = (
    "Tôi là Trần Thị Bình, gọi 0912 345 678 hoặc +84 (0)98-765-4321, email binh.tran@example.vn. "
    "Hồ sơ nộp ngày 12/03/2025 đến nay chưa có kết quả."
)
ANSWER = "Đơn vị đã liên hệ bà Trần Thị Bình qua số 0912345678 và trả kết quả ngày 20/03/2025."


def _answered(world, *, contact=None, text=TEXT, answer=ANSWER, category="late_result", unit=None):
    unit = unit or world.unit_a
    case = factories.make_pakn_case(unit=unit, text=text, contact=contact, category=category)
    officer = world.officer_a if unit == world.unit_a else world.officer_b
    change_case_status(case=case, by=officer, to="accepted")
    change_case_status(case=case, by=officer, to="in_progress")
    lead = world.lead_a if unit == world.unit_a else factories.make_user(role="lead", unit=unit)
    return factories.publish_pakn_answer(case, officer=officer, lead=lead, text=answer)


def _consenting():
    return ContactInput(
        name="Trần Thị Bình",
        email="binh.tran@example.vn",
        phone="0912 345 678",
        consent_reply=True,
        consent_publish=True,
    )


def test_consenting_case_is_published_without_personal_data(client, world):
    case = _answered(world, contact=_consenting())
    rate_answer(case=case, satisfied=True)

    html = client.get(reverse("public:answers")).content.decode()

    assert "Hồ sơ nộp ngày 12/03/2025 đến nay chưa có kết quả." in html
    assert "trả kết quả ngày 20/03/2025" in html
    for personal in (
        "Trần Thị Bình",
        "0912 345 678",
        "0912345678",
        "98-765-4321",
        "binh.tran@example.vn",
        "example.vn",
    ):
        assert personal not in html
    assert case.tracking_code not in html
    assert "Hài lòng" in html  # the citizen's rating of the answer


def test_case_without_consent_stays_invisible(client, world):
    secret = "Nội dung riêng tư không được công khai."
    _answered(world, text=secret, answer="Trả lời riêng.")  # no contact at all
    _answered(
        world,
        text=secret,
        answer="Trả lời riêng.",
        contact=ContactInput(email="a@example.vn", consent_reply=True, consent_publish=False),
    )

    for url in (reverse("public:answers"), reverse("public:unit", args=[world.unit_a.pk])):
        html = client.get(url).content.decode()
        assert secret not in html and "Trả lời riêng." not in html


def test_unanswered_or_unpublished_case_stays_invisible(client, world):
    pending = factories.make_pakn_case(unit=world.unit_a, text="Chưa trả lời.", contact=_consenting())
    drafted = factories.make_pakn_case(unit=world.unit_a, text="Dự thảo chờ duyệt.", contact=_consenting())
    change_case_status(case=drafted, by=world.officer_a, to="accepted")
    change_case_status(case=drafted, by=world.officer_a, to="in_progress")
    from feedback.services import answer_case

    answer_case(case=drafted, by=world.officer_a, text="Dự thảo trả lời nội bộ.")

    html = client.get(reverse("public:answers")).content.decode()

    assert "Chưa trả lời." not in html and "Dự thảo" not in html
    assert pending.tracking_code not in html


def test_erased_consent_unpublishes(client, world):
    case = _answered(world, contact=_consenting())
    erase_case_contact(case=case)
    assert "chưa có kết quả" not in client.get(reverse("public:answers")).content.decode()


def test_attachments_are_never_shown(client, world):
    case = _answered(world, contact=_consenting())
    Attachment.objects.create(
        case=case, file="pakn/x.png", original_name="cmnd-tran-thi-binh.png", content_type="image/png", size=10
    )
    html = client.get(reverse("public:answers")).content.decode()
    assert "cmnd-tran-thi-binh" not in html and "pakn/x.png" not in html


def test_search_by_unit_category_and_period(client, world):
    _answered(world, contact=_consenting(), text="Về Sở Tư pháp.", category="late_result")
    _answered(world, contact=_consenting(), text="Về thái độ.", category="attitude")
    _answered(world, contact=_consenting(), text="Về Sở Y tế.", unit=world.unit_b)
    url = reverse("public:answers")

    by_unit = client.get(url, {"don_vi": world.unit_b.pk}).content.decode()
    by_category = client.get(url, {"loai": "attitude"}).content.decode()
    old_period = client.get(url, {"ky": "2017"}).content.decode()

    assert "Về Sở Y tế." in by_unit and "Về Sở Tư pháp." not in by_unit
    assert "Về thái độ." in by_category and "Về Sở Tư pháp." not in by_category
    assert "0 phản ánh" in old_period and "Về Sở" not in old_period


@pytest.mark.parametrize(
    "query", [{"ky": "2017-13"}, {"don_vi": "abc"}, {"don_vi": "999999"}, {"loai": "khong-co"}, {"page": "x"}]
)
def test_bad_search_is_a_clear_400_or_first_page(client, world, query):
    response = client.get(reverse("public:answers"), query)
    assert response.status_code == (200 if "page" in query else 400)


def test_unit_page_lists_its_published_answers(client, world):
    _answered(world, contact=_consenting(), text="Về Sở Tư pháp.")
    html = client.get(reverse("public:unit", args=[world.unit_a.pk])).content.decode()
    assert "Về Sở Tư pháp." in html and "0912" not in html


@pytest.mark.parametrize(
    ("text", "hidden"),
    [
        ("Số của tôi 0912345678.", "0912345678"),
        ("Gọi 0912.345.678 giúp", "345.678"),
        ("Điện thoại +84 912 345 678", "912 345 678"),
        ("(028) 3822 1234 là số bàn", "3822 1234"),
        ("Mail: NGUYEN.an+pakn@mail.example.com.vn", "example"),
        ("CCCD 079123456789", "079123456789"),
    ],
)
def test_mask_hides_phone_numbers_and_emails(text, hidden):
    assert hidden not in mask_personal_data(text)


def test_mask_keeps_dates_and_short_numbers():
    text = "Nộp ngày 12/03/2025, quầy số 3, hẹn 15 ngày."
    assert mask_personal_data(text) == text


def test_mask_hides_the_citizens_own_name_in_any_case():
    assert "bình" not in mask_personal_data("Bà TRẦN THỊ BÌNH hỏi", known=("Trần Thị Bình",)).lower()
