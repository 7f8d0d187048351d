"""QR codes decode to the counter's public URL; posters carry the unit name with its diacritics."""

import io

import pytest
import zxingcpp
from PIL import Image
from pypdf import PdfReader

from survey import qrcodes
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def official_host(settings):
    settings.PUBLIC_BASE_URL = "https://hailong.gialai.gov.vn"
    return "hailong.gialai.gov.vn"


def _decode(image: Image.Image) -> str:
    results = zxingcpp.read_barcodes(image)
    assert results, "no QR code found"
    return results[0].text


def test_png_decodes_to_the_rating_url_at_a_low_version(world, official_host):
    url = qrcodes.rating_url(world.counter_a.code)
    assert url == f"https://{official_host}/r/{world.counter_a.code}"
    assert _decode(Image.open(io.BytesIO(qrcodes.qr_png(url)))) == url
    qr = qrcodes.build_qr(url)
    assert qr.version <= 4 and qr.error_correction == qrcodes.qrcode.constants.ERROR_CORRECT_M


def test_svg_is_an_svg_document(world, official_host):
    svg = qrcodes.qr_svg(qrcodes.rating_url(world.counter_a.code)).decode()
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg and "<path" in svg


def test_poster_text_has_the_unit_name_with_diacritics_and_the_official_host(world, official_host):
    unit = factories.make_unit(name="UBND phường Quy Nhơn Đông", short_name="Quy Nhơn Đông")
    counter = factories.make_counter(unit=unit, name="Quầy số 3 – Hộ tịch")

    reader = PdfReader(io.BytesIO(qrcodes.poster_pdf([counter])))

    text = reader.pages[0].extract_text()
    assert "UBND phường Quy Nhơn Đông" in text
    assert "Quầy số 3 – Hộ tịch" in text
    assert "Quét mã để đánh giá" in text
    assert official_host in text
    fonts = reader.pages[0]["/Resources"]["/Font"].get_object()
    assert any("DejaVuSans" in str(font.get_object()["/BaseFont"]) for font in fonts.values())


def test_poster_qr_image_decodes_to_the_counter_url(world, official_host):
    reader = PdfReader(io.BytesIO(qrcodes.poster_pdf([world.counter_a, world.counter_b])))
    assert len(reader.pages) == 2
    decoded = [_decode(page.images[0].image) for page in reader.pages]
    assert decoded == [qrcodes.rating_url(world.counter_a.code), qrcodes.rating_url(world.counter_b.code)]
