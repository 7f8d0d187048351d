"""QR codes and printable posters of counters.

A counter's QR code holds `PUBLIC_BASE_URL + "/r/<code>"`, at error correction M and the smallest version that
fits, so that it stays coarse enough to scan from a distance. Posters are A4 PDFs with the unit and counter
names, short instructions and the official host printed under the code, set in DejaVu Sans so that Vietnamese
diacritics render.
"""

import io
from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from reportlab import rl_config
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader, simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from .models import Counter

FONT = "DejaVuSans"
FONT_BOLD = "DejaVuSans-Bold"


def rating_url(code: str) -> str:
    """The public address of a counter code, as encoded in its QR code and printed on its poster."""
    return settings.PUBLIC_BASE_URL + reverse("survey:rate", kwargs={"code": code})


def public_host() -> str:
    return urlsplit(settings.PUBLIC_BASE_URL).netloc


def build_qr(data: str, *, box_size: int = 10) -> qrcode.QRCode:
    qr = qrcode.QRCode(version=None, error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=box_size, border=4)
    qr.add_data(data)
    qr.make(fit=True)
    return qr


def qr_png(data: str, *, box_size: int = 10) -> bytes:
    buffer = io.BytesIO()
    build_qr(data, box_size=box_size).make_image().save(buffer, format="PNG")
    return buffer.getvalue()


def qr_svg(data: str) -> bytes:
    buffer = io.BytesIO()
    build_qr(data).make_image(image_factory=qrcode.image.svg.SvgPathImage).save(buffer)
    return buffer.getvalue()


def register_fonts() -> None:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT, str(settings.FONT_DIR / "DejaVuSans.ttf")))
        pdfmetrics.registerFont(TTFont(FONT_BOLD, str(settings.FONT_DIR / "DejaVuSans-Bold.ttf")))


def centred_lines(pdf: canvas.Canvas, text: str, *, font: str, size: float, top: float, width: float) -> float:
    """Draw `text` wrapped and centred from `top` down; return the baseline below the last line."""
    page_width = A4[0]
    y = top
    for line in simpleSplit(text, font, size, width):
        pdf.setFont(font, size)
        pdf.drawCentredString(page_width / 2, y, line)
        y -= size * 1.3
    return y


def _draw_poster(pdf: canvas.Canvas, counter: Counter) -> None:
    width, height = A4
    margin = 50
    text_width = width - 2 * margin
    url = rating_url(counter.code)

    y = centred_lines(pdf, counter.unit.name, font=FONT_BOLD, size=24, top=height - 80, width=text_width)
    y = centred_lines(pdf, counter.name, font=FONT, size=20, top=y - 6, width=text_width)
    y = centred_lines(pdf, _("Quét mã để đánh giá"), font=FONT_BOLD, size=30, top=y - 24, width=text_width)

    qr_image = build_qr(url, box_size=12).make_image().get_image().convert("L")
    side = 300
    pdf.drawImage(ImageReader(qr_image), (width - side) / 2, y - 10 - side, side, side)
    y = y - 10 - side - 24

    y = centred_lines(pdf, public_host(), font=FONT_BOLD, size=22, top=y, width=text_width)
    y = centred_lines(pdf, url, font=FONT, size=11, top=y + 4, width=text_width)
    steps = [
        _("1. Mở camera điện thoại và hướng vào mã QR."),
        _("2. Chạm vào đường dẫn hiện ra."),
        _("3. Chọn mức hài lòng của ông/bà. Chỉ mất vài giây, không cần tài khoản."),
    ]
    y -= 14
    for step in steps:
        y = centred_lines(pdf, step, font=FONT, size=14, top=y, width=text_width)
    warning = _(
        "Chỉ đánh giá trên trang có địa chỉ %(host)s. Nếu điện thoại mở địa chỉ khác, xin báo ngay cho cán bộ."
    ) % {"host": public_host()}
    centred_lines(pdf, warning, font=FONT, size=12, top=y - 12, width=text_width)


def poster_pdf(counters: Iterable[Counter], *, on_page: Callable[[int], None] | None = None) -> bytes:
    """One A4 page per counter (counters need their unit loaded). `on_page(n)` is called after each page.

    Printed in the site's language (Vietnamese) whatever the language of the staff member's screen: the poster
    hangs at a Vietnamese counter."""
    with translation.override(settings.LANGUAGE_CODE):
        return _poster_pdf(counters, on_page=on_page)


def _poster_pdf(counters: Iterable[Counter], *, on_page: Callable[[int], None] | None) -> bytes:
    register_fonts()
    buffer = io.BytesIO()
    # Binary image streams instead of ASCII85 text: reportlab encodes ASCII85 in pure Python, which was a sixth
    # of a 500-poster batch's time (a PDF needs no ASCII85; only 7-bit transports did).
    rl_config.useA85 = 0
    pdf = canvas.Canvas(buffer, pagesize=A4)
    pdf.setTitle(_("Mã QR đánh giá sự hài lòng"))
    pages = 0
    for counter in counters:
        _draw_poster(pdf, counter)
        pdf.showPage()
        pages += 1
        if on_page is not None:
            on_page(pages)
    if pages == 0:
        pdf.setFont(FONT, 14)
        pdf.drawString(50, A4[1] - 80, _("Đơn vị chưa có quầy nào đang hoạt động."))
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()
